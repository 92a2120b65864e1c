/* eseal serve: run the platform's HTTP API (accounts, real-name verification, statistics). */
#include <stdio.h>

#include "../server/server.h"
#include "cli.h"

static const cli_opt opts[] = {
    {"listen", "HOST:PORT", 0, "IPv4 address and port (default 127.0.0.1:8080; port 0: any free)"},
    {"data", "DIR", 0, "data directory: CA, keys, master key, SQLite file (default eseal-data)"},
    {"db", "URL", 0, "sqlite:PATH or postgresql://... (default sqlite:DIR/eseal.db)"},
    {"idp-url", "URL", 0, "identity provider (http://...); without it reviewers decide"},
    {"idp-timeout-ms", "MS", 0, "identity provider timeout per attempt (default 3000)"},
    {"idp-retries", "N", 0, "extra attempts after a timeout or 5xx (default 2)"},
    {"threads", "N", 0, "worker threads (default 2 per CPU, at most 16)"},
    {"max-body", "BYTES", 0, "largest request body (default 65536)"},
    {"session-ttl", "SECONDS", 0, "session lifetime (default 43200)"},
    {"login-limit", "N", 0, "failed logins per login name, then one per 15 min / N (default 5)"},
    {"verify-limit", "N", 0,
     "verification attempts per identity, then one per hour / N (default 3)"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "serve",
    NULL,
    0,
    0,
    "Run the eseal server: HTTP API with SQLite or PostgreSQL storage.",
    "On first start with an empty data directory it creates the platform CA, the seal-maker\n"
    "certificate and the first platform admin (password from $ESEAL_ADMIN_PASSWORD, or printed\n"
    "once). Keys at rest are wrapped under $ESEAL_MASTER_KEY (hex or base64, 32 bytes) or\n"
    "DIR/master.key. SIGTERM or SIGINT stops it after requests in flight finish.",
    opts};

int cmd_serve(int argc, char **argv)
{
    cli_args a;
    srv_opts o;
    long threads, body, timeout, retries, ttl, llim, vlim;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    srv_opts_default(&o);
    threads = o.threads, body = (long)o.max_body, timeout = o.idp_timeout_ms;
    retries = o.idp_retries, ttl = o.session_ttl, llim = o.login_limit, vlim = o.verify_limit;
    if ((st = cli_get_int(&a, "threads", 1, 256, &threads)) != CLI_OK ||
        (st = cli_get_int(&a, "max-body", 1024, 64L << 20, &body)) != CLI_OK ||
        (st = cli_get_int(&a, "idp-timeout-ms", 50, 120000, &timeout)) != CLI_OK ||
        (st = cli_get_int(&a, "idp-retries", 0, 10, &retries)) != CLI_OK ||
        (st = cli_get_int(&a, "session-ttl", 60, 30L * 86400, &ttl)) != CLI_OK ||
        (st = cli_get_int(&a, "login-limit", 1, 1000000, &llim)) != CLI_OK ||
        (st = cli_get_int(&a, "verify-limit", 1, 1000000, &vlim)) != CLI_OK)
        return st;
    if (cli_has(&a, "listen"))
        o.listen = cli_get(&a, "listen");
    if (cli_has(&a, "data"))
        o.data_dir = cli_get(&a, "data");
    o.db_url = cli_get(&a, "db");
    o.idp_url = cli_get(&a, "idp-url");
    o.threads = (int)threads;
    o.max_body = (size_t)body;
    o.idp_timeout_ms = (int)timeout;
    o.idp_retries = (int)retries;
    o.session_ttl = ttl;
    o.login_limit = (int)llim;
    o.verify_limit = (int)vlim;
    return srv_run(&o);
}
