/* The identity provider client: one JSON POST over HTTP/1.1 with timeouts and retries. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "server_local.h"

#define MAX_RESPONSE (64 * 1024)

struct srv_idp {
    char host[256], port[8], path[512];
    int timeout_ms, retries;
};

srv_idp *srv_idp_new(const char *url, int timeout_ms, int retries, char *why, size_t n)
{
    srv_idp *p = NULL;
    const char *h, *slash, *colon;
    size_t hlen;

    if (strncmp(url, "http://", 7) != 0) {
        snprintf(why, n, "identity provider URL must start with http:// (TLS belongs in a proxy)");
        return NULL;
    }
    h = url + 7;
    slash = strchr(h, '/');
    if (slash == NULL)
        slash = h + strlen(h);
    colon = memchr(h, ':', (size_t)(slash - h));
    hlen = (size_t)((colon ? colon : slash) - h);
    if (hlen == 0 || (p = calloc(1, sizeof(*p))) == NULL || hlen >= sizeof(p->host) ||
        strlen(slash) >= sizeof(p->path) || (colon && (size_t)(slash - colon - 1) >= 8)) {
        snprintf(why, n, "bad identity provider URL \"%s\"", url);
        free(p);
        return NULL;
    }
    memcpy(p->host, h, hlen);
    if (colon)
        memcpy(p->port, colon + 1, (size_t)(slash - colon - 1));
    else
        strcpy(p->port, "80");
    snprintf(p->path, sizeof(p->path), "%s", *slash ? slash : "/");
    p->timeout_ms = timeout_ms;
    p->retries = retries;
    return p;
}

void srv_idp_free(srv_idp *p)
{
    free(p);
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to become ready for events before the deadline. 0 on ready, -1 on timeout. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    struct pollfd pfd = {fd, events, 0};
    int64_t left = deadline - now_ms();
    int rc;

    if (left <= 0)
        return -1;
    do
        rc = poll(&pfd, 1, (int)left);
    while (rc < 0 && errno == EINTR);
    return rc > 0 ? 0 : -1;
}

static int dial(const srv_idp *p, int64_t deadline)
{
    struct addrinfo hints = {0}, *ai = NULL;
    int fd = -1, soerr = 0;
    socklen_t len = sizeof(soerr);

    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(p->host, p->port, &hints, &ai) != 0)
        return -1;
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && fcntl(fd, F_SETFL, O_NONBLOCK) == 0 &&
        (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
         (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) == 0 &&
          getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0))) {
        freeaddrinfo(ai);
        return fd;
    }
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
    return -1;
}

static int send_all(int fd, const char *p, size_t n, int64_t deadline)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_fd(fd, POLLOUT, deadline) != 0)
                return -1;
            continue;
        }
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read until the peer closes (we send Connection: close), at most MAX_RESPONSE bytes. */
static int recv_all(int fd, char *buf, size_t *n, int64_t deadline)
{
    *n = 0;
    for (;;) {
        ssize_t r;

        if (*n == MAX_RESPONSE)
            return -1;
        r = recv(fd, buf + *n, MAX_RESPONSE - *n, 0);
        if (r == 0)
            return 0;
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_fd(fd, POLLIN, deadline) != 0)
                return -1;
            continue;
        }
        if (r < 0)
            return -1;
        *n += (size_t)r;
    }
}

/* One exchange: the HTTP status (0 on a transport failure) and the body in buf. */
static int exchange(const srv_idp *p, const char *body, char *buf, size_t *blen, const char **resp)
{
    int64_t deadline = now_ms() + p->timeout_ms;
    char head[1024];
    int fd = dial(p, deadline), status = 0;
    char *sep;

    if (fd < 0)
        return 0;
    snprintf(head, sizeof(head),
             "POST %s HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n",
             p->path, p->host, p->port, strlen(body));
    if (send_all(fd, head, strlen(head), deadline) == 0 &&
        send_all(fd, body, strlen(body), deadline) == 0 && recv_all(fd, buf, blen, deadline) == 0) {
        buf[*blen] = '\0';
        sep = strstr(buf, "\r\n\r\n");
        if (sep && sscanf(buf, "HTTP/1.%*d %d", &status) == 1) {
            *resp = sep + 4;
        } else {
            status = 0;
        }
    }
    close(fd);
    return status;
}

static srv_idp_result parse_verdict(const char *body, char *reason, size_t n)
{
    json_t *j = json_loads(body, 0, NULL);
    const char *result = srv_jstr(j, "result"), *why = srv_jstr(j, "reason");
    srv_idp_result r = IDP_UNAVAILABLE;

    if (result && strcmp(result, "match") == 0)
        r = IDP_MATCH;
    else if (result && strcmp(result, "mismatch") == 0)
        r = IDP_MISMATCH;
    if (r == IDP_UNAVAILABLE)
        snprintf(reason, n, "unreadable answer");
    else
        snprintf(reason, n, "%s", why ? why : (r == IDP_MATCH ? "match" : "mismatch"));
    json_decref(j);
    return r;
}

srv_idp_result srv_idp_verify(srv_idp *p, const json_t *request, char *reason, size_t n)
{
    char *body = json_dumps(request, JSON_COMPACT), *buf = malloc(MAX_RESPONSE + 1);
    srv_idp_result r = IDP_UNAVAILABLE;

    snprintf(reason, n, "no answer");
    for (int attempt = 0; body && buf && attempt <= p->retries; attempt++) {
        const char *resp = NULL;
        size_t blen = 0;
        int status;

        if (attempt > 0) /* back off: 100 ms, 200 ms, 400 ms, ... */
            nanosleep(&(struct timespec){0, 100000000L << (attempt > 4 ? 3 : attempt - 1)}, NULL);
        status = exchange(p, body, buf, &blen, &resp);
        if (status == 200) {
            r = parse_verdict(resp, reason, n);
            break;
        }
        if (status == 0)
            snprintf(reason, n, "no answer within %d ms", p->timeout_ms);
        else
            snprintf(reason, n, "HTTP status %d", status);
        if (status >= 400 && status < 500) /* our request is wrong: retrying will not help */
            break;
    }
    free(body);
    free(buf);
    return r;
}
