/* `eseal serve`: start the store, bootstrap, serve until a signal, then shut down cleanly. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eseal/error.h"
#include "seal_local.h"

void srv_opts_default(srv_opts *o)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    memset(o, 0, sizeof(*o));
    o->listen = "127.0.0.1:8080";
    o->data_dir = "eseal-data";
    o->threads = cpus < 2 ? 4 : cpus > 16 ? 16 : (int)cpus * 2;
    o->max_body = 64 * 1024;
    o->idp_timeout_ms = 3000;
    o->idp_retries = 2;
    o->session_ttl = 12 * 3600;
    o->login_limit = 5;
    o->verify_limit = 3;
    o->max_document = 32u << 20;
    o->batch_max = 100;
    o->region = "110000";
}

/* Settings without a command-line option yet: ESEAL_MAX_DOCUMENT, ESEAL_BATCH_MAX. */
static void opts_from_env(srv_opts *o)
{
    const char *v;

    if ((v = getenv("ESEAL_MAX_DOCUMENT")) != NULL && strtoull(v, NULL, 10) > 0)
        o->max_document = (size_t)strtoull(v, NULL, 10);
    if ((v = getenv("ESEAL_BATCH_MAX")) != NULL && atoi(v) > 0)
        o->batch_max = atoi(v);
}

static int split_listen(const char *listen, char *host, size_t n, unsigned *port)
{
    const char *colon = strrchr(listen, ':');
    char *end = NULL;
    unsigned long p;

    if (colon == NULL || (size_t)(colon - listen) >= n || colon == listen)
        return -1;
    p = strtoul(colon + 1, &end, 10);
    if (*end != '\0' || colon[1] == '\0' || p > 65535)
        return -1;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    *port = (unsigned)p;
    return 0;
}

static int open_all(srv_app *app, const srv_opts *o, char *why, size_t n)
{
    char url[1200];
    int rc;

    if (mkdir(o->data_dir, 0700) != 0 && errno != EEXIST) {
        snprintf(why, n, "cannot create %s: %s", o->data_dir, strerror(errno));
        return -1;
    }
    snprintf(app->data_dir, sizeof(app->data_dir), "%s", o->data_dir);
    snprintf(url, sizeof(url), "%s", o->db_url ? o->db_url : "");
    if (o->db_url == NULL)
        snprintf(url, sizeof(url), "sqlite:%s/eseal.db", o->data_dir);
    if ((rc = st_open(url, o->threads + 1, &app->store)) != ES_OK) {
        snprintf(why, n, "cannot open the database: %s", es_errdetail());
        return -1;
    }
    if (o->idp_url &&
        (app->idp = srv_idp_new(o->idp_url, o->idp_timeout_ms, o->idp_retries, why, n)) == NULL)
        return -1;
    app->login_limit = srv_limiter_new(o->login_limit, 15 * 60);
    app->verify_limit = srv_limiter_new(o->verify_limit, 3600);
    if (app->login_limit == NULL || app->verify_limit == NULL) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    return srv_bootstrap(app, why, n);
}

static void close_all(srv_app *app)
{
    srv_platform_close(app);
    st_close(app->store);
    srv_idp_free(app->idp);
    srv_limiter_free(app->login_limit);
    srv_limiter_free(app->verify_limit);
}

int srv_run(const srv_opts *o)
{
    srv_app app;
    srv_http *http = NULL;
    char host[64], why[1400] = "";
    unsigned port = 0, bound = 0;
    sigset_t set;
    int sig = 0, rc = 2;

    memset(&app, 0, sizeof(app));
    app.opts = *o;
    if (app.opts.max_document == 0)
        app.opts.max_document = 32u << 20;
    if (app.opts.batch_max <= 0)
        app.opts.batch_max = 100;
    if (app.opts.region == NULL)
        app.opts.region = "110000";
    opts_from_env(&app.opts);
    /* The database holds ID numbers and the data dir keys: nothing is for other users. */
    umask(077);
    /* Every thread inherits the mask, so only sigwait below sees these signals. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (split_listen(o->listen, host, sizeof(host), &port) != 0) {
        snprintf(why, sizeof(why), "--listen wants HOST:PORT, not \"%s\"", o->listen);
        goto end;
    }
    if (open_all(&app, o, why, sizeof(why)) != 0 ||
        srv_http_start(&app, host, port, &http, &bound, why, sizeof(why)) != 0)
        goto end;
    printf("eseal serve: listening on http://%s:%u (database %s, data %s, identity provider %s)\n"
           "eseal serve: try  curl http://%s:%u/healthz   (stop with Ctrl-C)\n",
           host, bound, st_backend_name(app.store), o->data_dir, o->idp_url ? o->idp_url : "none",
           host, bound);
    fflush(stdout);
    while (sigwait(&set, &sig) != 0)
        ;
    fprintf(stderr, "{\"level\":\"info\",\"msg\":\"shutting down\",\"signal\":%d}\n", sig);
    srv_http_stop(http);
    rc = 0;
end:
    if (rc != 0)
        fprintf(stderr, "eseal serve: %s\n", why);
    close_all(&app);
    return rc;
}
