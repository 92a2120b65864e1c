/* The certificate authority: the es_ca object, opening its directory, issuing certificates. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "eseal_local.h"
#include "pki/pki_local.h"

#define CONF_MAX     65536
#define SECS_PER_DAY 86400

es_err es__ca_path(const es_ca *ca, const char *rel, char *buf, size_t n)
{
    if ((size_t)snprintf(buf, n, "%s/%s", ca->dir, rel) >= n)
        return es__fail(ES_ERR_ARG, "path too long: %s/%s", ca->dir, rel);
    return ES_OK;
}

es_err es__ca_new(const char *dir, es_ca **out)
{
    es_ca *ca = calloc(1, sizeof(*ca));

    if (ca == NULL || (ca->dir = strdup(dir)) == NULL) {
        free(ca);
        return es__fail(ES_ERR_NOMEM, "cannot allocate a CA");
    }
    *out = ca;
    return ES_OK;
}

void es_ca_free(es_ca *ca)
{
    if (ca == NULL)
        return;
    free(ca->dir);
    free(ca->crl_url);
    X509_free(ca->root);
    X509_free(ca->issuing);
    es_key_free(ca->key);
    free(ca);
}

X509 *es_ca_get0_root(const es_ca *ca)
{
    assert(ca != NULL);
    return ca->root;
}

X509 *es_ca_get0_issuer(const es_ca *ca)
{
    assert(ca != NULL);
    return ES__CA_SIGNER(ca);
}

es_err es_ca_chain(const es_ca *ca, STACK_OF(X509) * *out)
{
    STACK_OF(X509) *chain = sk_X509_new_null();

    assert(ca != NULL && out != NULL);
    *out = NULL;
    if (chain == NULL || (ca->issuing != NULL && !sk_X509_push(chain, ca->issuing))) {
        sk_X509_free(chain);
        return es__fail(ES_ERR_NOMEM, "cannot build the CA chain");
    }
    if (ca->issuing != NULL)
        X509_up_ref(ca->issuing);
    *out = chain;
    return ES_OK;
}

/* Write a text file of the CA directory atomically. */
es_err es__ca_write_text(const es_ca *ca, const char *rel, const char *text, unsigned mode)
{
    char path[ES__CA_PATH_MAX];
    es_err rc = es__ca_path(ca, rel, path, sizeof(path));

    return rc != ES_OK ? rc : es_file_write(path, text, strlen(text), mode);
}

es_err es__ca_write_cert(const es_ca *ca, const char *rel, const X509 *cert)
{
    char path[ES__CA_PATH_MAX];
    es_buf b = {0};
    es_err rc;

    if ((rc = es__ca_path(ca, rel, path, sizeof(path))) == ES_OK &&
        (rc = es_cert_write(cert, 1, &b)) == ES_OK)
        rc = es_file_write(path, b.data, b.len, 0644);
    es_buf_free(&b);
    return rc;
}

static es_err read_cert(const es_ca *ca, const char *rel, X509 **out)
{
    char path[ES__CA_PATH_MAX];
    es_err rc = es__ca_path(ca, rel, path, sizeof(path));

    return rc != ES_OK ? rc : es_cert_read_file(path, out);
}
/* ---- ca.conf: "key=value" lines (written by ca_init.c) ---- */

static es_err conf_set(es_ca *ca, const char *key, const char *val)
{
    if (strcmp(key, "format") == 0) {
        if (strcmp(val, ES__CA_FORMAT) != 0)
            return es__fail(ES_ERR_UNSUPPORTED, "ca.conf: format %s is not supported", val);
    } else if (strcmp(key, "root_only") == 0) {
        if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0)
            return es__fail(ES_ERR_FORMAT, "ca.conf: root_only must be 0 or 1");
        ca->root_only = val[0] == '1';
    } else if (strcmp(key, "crl_url") == 0) {
        free(ca->crl_url);
        ca->crl_url = NULL;
        if (val[0] != '\0' && (ca->crl_url = strdup(val)) == NULL)
            return es__fail(ES_ERR_NOMEM, "cannot read ca.conf");
    } else {
        return es__fail(ES_ERR_FORMAT, "ca.conf: unknown setting \"%s\"", key);
    }
    return ES_OK;
}

static es_err read_conf(es_ca *ca)
{
    char path[ES__CA_PATH_MAX];
    es_buf b = {0};
    char *text = NULL, *line, *save = NULL;
    es_err rc;
    int format_seen = 0;

    if ((rc = es__ca_path(ca, "ca.conf", path, sizeof(path))) != ES_OK ||
        (rc = es_file_read(path, CONF_MAX, &b)) != ES_OK)
        return rc;
    if ((text = malloc(b.len + 1)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot read %s", path);
        goto end;
    }
    memcpy(text, b.data, b.len);
    text[b.len] = '\0';
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');
        if (line[0] == '#')
            continue;
        if (eq == NULL) {
            rc = es__fail(ES_ERR_FORMAT, "%s: expected key=value, got \"%.40s\"", path, line);
            goto end;
        }
        *eq = '\0';
        format_seen |= strcmp(line, "format") == 0;
        if ((rc = conf_set(ca, line, eq + 1)) != ES_OK)
            goto end;
    }
    if (!format_seen)
        rc = es__fail(ES_ERR_FORMAT, "%s: no format line; is this an eseal CA?", path);
end:
    free(text);
    es_buf_free(&b);
    return rc;
}
/* ---- es_ca_open ---- */

es_err es_ca_open(const char *dir, const char *pass, es_ca **out)
{
    es_err rc;
    es_ca *ca = NULL;
    char path[ES__CA_PATH_MAX];

    assert(dir != NULL && out != NULL);
    *out = NULL;
    if ((rc = es__ca_new(dir, &ca)) || (rc = read_conf(ca)) ||
        (rc = read_cert(ca, "root.pem", &ca->root)))
        goto end;
    if (!ca->root_only && (rc = read_cert(ca, "issuing.pem", &ca->issuing)))
        goto end;
    if ((rc = es__ca_path(ca, ca->root_only ? "private/root.key" : "private/issuing.key", path,
                          sizeof(path))) ||
        (rc = es_key_read_file(path, pass, &ca->key)) ||
        (rc = es_key_match_cert(ca->key, ES__CA_SIGNER(ca))))
        goto end;
    *out = ca;
    ca = NULL;
end:
    es_ca_free(ca);
    return rc;
}

/* ---- es_ca_issue ---- */

/* The requested validity, cut to the issuer's. */
static es_err issue_validity(const es_ca *ca, const es_ca_issue_opts *o, es__cert_req *req)
{
    X509 *signer = ES__CA_SIGNER(ca);
    int days = o->days != 0 ? o->days : o->profile == ES_PROFILE_SIGNER ? 365 : 1825;
    char from[ES_TIME_STRLEN], to[ES_TIME_STRLEN];
    es_time inb, ina;
    es_err rc;

    if (days < 0 || days > 36500)
        return es__fail(ES_ERR_ARG, "validity of %d days (1 to 36500)", days);
    if ((rc = es__time_from_asn1(X509_get0_notBefore(signer), &inb)) ||
        (rc = es__time_from_asn1(X509_get0_notAfter(signer), &ina)))
        return rc;
    req->not_before = o->not_before != 0 ? o->not_before : es_time_now();
    req->not_after = req->not_before + (es_time)days * SECS_PER_DAY;
    req->not_before = req->not_before < inb ? inb : req->not_before;
    req->not_after = req->not_after > ina ? ina : req->not_after;
    if (req->not_before >= req->not_after) {
        es_time_format(inb, from);
        es_time_format(ina, to);
        return es__fail(ES_ERR_ARG, "the requested validity lies outside the issuer's (%s to %s)",
                        from, to);
    }
    return ES_OK;
}

/* A fresh serial that no certificate of this CA has (certs/<SERIAL>.pem is free). */
static es_err unused_serial(const es_ca *ca, ASN1_INTEGER **serial, char *rel, size_t n)
{
    char hex[80], path[ES__CA_PATH_MAX];
    es_err rc;

    for (int tries = 0; tries < 8; tries++) {
        if ((rc = es__ca_new_serial(serial)) || (rc = es__serial_hex(*serial, hex, sizeof(hex))))
            return rc;
        snprintf(rel, n, "certs/%s.pem", hex);
        if ((rc = es__ca_path(ca, rel, path, sizeof(path))) != ES_OK)
            return rc;
        if (access(path, F_OK) != 0)
            return ES_OK;
        ASN1_INTEGER_free(*serial);
        *serial = NULL;
    }
    return es__fail(ES_ERR_INTERNAL, "no unused serial number found");
}

/* Under the lock: sign, store certs/<SERIAL>.pem, record it in index.txt. */
static es_err issue_locked(es_ca *ca, es__cert_req *req, es_cert_profile profile, X509 **out)
{
    ASN1_INTEGER *serial = NULL;
    char rel[128], path[ES__CA_PATH_MAX];
    es_err rc;

    if ((rc = unused_serial(ca, &serial, rel, sizeof(rel))) != ES_OK)
        goto end;
    req->serial = serial;
    if ((rc = es__ca_make_cert(req, out)) || (rc = es__ca_write_cert(ca, rel, *out)))
        goto end;
    if ((rc = es__ca_index_add(ca, *out, profile)) != ES_OK &&
        es__ca_path(ca, rel, path, sizeof(path)) == ES_OK)
        unlink(path); /* not recorded, so not issued */
end:
    if (rc != ES_OK) {
        X509_free(*out);
        *out = NULL;
    }
    ASN1_INTEGER_free(serial);
    return rc;
}

es_err es_ca_issue(es_ca *ca, const es_ca_issue_opts *opts, X509 **out)
{
    es__cert_req req = {.kind = ES__CERT_EE};
    X509_NAME *subject = NULL;
    int fd = -1;
    es_err rc;

    assert(ca != NULL && opts != NULL && out != NULL);
    *out = NULL;
    if (opts->subject == NULL || opts->pubkey == NULL)
        return es__fail(ES_ERR_ARG, "subject and public key are required");
    if (opts->profile < ES_PROFILE_MAKER || opts->profile > ES_PROFILE_LOG)
        return es__fail(ES_ERR_ARG, "unknown certificate profile %d", (int)opts->profile);
    if ((rc = es_name_parse(opts->subject, &subject)) || (rc = issue_validity(ca, opts, &req)))
        goto end;
    req.profile = opts->profile;
    req.subject = subject;
    req.pubkey = es_key_get0_pkey(opts->pubkey);
    req.issuer = ES__CA_SIGNER(ca);
    req.signkey = es_key_get0_pkey(ca->key);
    req.crl_url = ca->crl_url;
    if ((rc = es__ca_lock(ca, &fd)) == ES_OK)
        rc = issue_locked(ca, &req, opts->profile, out);
    es__ca_unlock(fd);
end:
    X509_NAME_free(subject);
    return rc;
}
