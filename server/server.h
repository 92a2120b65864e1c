/* The eseal server's entry point, called by `eseal serve`. */
#ifndef ESEAL_SERVER_H
#define ESEAL_SERVER_H

#include <stddef.h>

typedef struct srv_opts {
    const char *listen;   /* "HOST:PORT" (IPv4); port 0 picks a free one (printed at start) */
    const char *data_dir; /* CA, seal-maker key, master key, SQLite database */
    const char *db_url;   /* "sqlite:PATH" or "postgresql://..."; NULL: sqlite:DATA/eseal.db */
    const char *idp_url;  /* identity provider ("http://host:port/path"); NULL: reviewers only */
    int threads;          /* HTTP worker threads (also the database pool size) */
    size_t max_body;      /* bytes; larger request bodies get 413 */
    int idp_timeout_ms;   /* per attempt */
    int idp_retries;      /* extra attempts after a timeout or a 5xx */
    long session_ttl;     /* seconds */
    int login_limit;      /* failed logins per login name per 15 minutes */
    int verify_limit;     /* identity verification attempts per identity per hour */
    size_t max_document;  /* bytes of an uploaded document (POST /api/documents, /api/verify) */
    int batch_max;        /* documents or data items in one POST /api/sign/batch */
    const char *region;   /* 6-digit region code of seal codes when the identity gives none */
} srv_opts;

/* Defaults for every field. */
void srv_opts_default(srv_opts *o);

/*
 * Bootstrap the data dir on first start, open the database, serve until SIGTERM or SIGINT,
 * then stop accepting, let requests in flight finish and close the database. Prints how to
 * reach the server on stdout and errors and the access log on stderr. Returns 0 after a clean
 * shutdown, 2 when it could not start.
 */
int srv_run(const srv_opts *o);

#endif
