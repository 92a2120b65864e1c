/* The CA's records: the lock, index.txt (issued and revoked certificates), revocation, CRLs. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "eseal_local.h"
#include "pki/pki_local.h"

/* index.txt never grows past this (about a million certificates). */
#define INDEX_MAX    (256u << 20)
#define SECS_PER_DAY 86400

/* index.txt: one line per certificate, tab-separated fields in this order (docs/pki.md). */
enum { F_STATUS, F_SERIAL, F_NOTAFTER, F_REVTIME, F_REASON, F_SUBJECT, F_PROFILE, NFIELDS };

typedef struct ca_index {
    char *text;              /* index.txt with NULs where tabs and newlines were */
    char *(*lines)[NFIELDS]; /* fields of each line, pointing into text (or elsewhere) */
    size_t n;
} ca_index;

es_err es__ca_lock(const es_ca *ca, int *fd)
{
    char path[ES__CA_PATH_MAX];
    es_err rc;

    *fd = -1;
    if ((rc = es__ca_path(ca, "lock", path, sizeof(path))) != ES_OK)
        return rc;
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (*fd < 0)
        return es__fail(ES_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    while (flock(*fd, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        rc = es__fail(ES_ERR_IO, "cannot lock %s: %s", path, strerror(errno));
        es__ca_unlock(*fd);
        *fd = -1;
        break;
    }
    return rc;
}

void es__ca_unlock(int fd)
{
    /* Closing the descriptor releases the flock. */
    if (fd >= 0)
        close(fd);
}

static void index_release(ca_index *ix)
{
    free(ix->text);
    free(ix->lines);
    memset(ix, 0, sizeof(*ix));
}

/* Split one line into its fields; 0 if it has the wrong number of them. */
static int split_line(char *line, char *f[NFIELDS])
{
    size_t i = 0;

    f[i++] = line;
    for (char *p = line; *p; p++) {
        if (*p == '\t') {
            if (i == NFIELDS)
                return 0;
            *p = '\0';
            f[i++] = p + 1;
        }
    }
    return i == NFIELDS && (strcmp(f[F_STATUS], "V") == 0 || strcmp(f[F_STATUS], "R") == 0);
}

static es_err index_read(const es_ca *ca, ca_index *ix)
{
    char path[ES__CA_PATH_MAX];
    es_buf b = {0};
    es_err rc;
    size_t nlines = 0;

    memset(ix, 0, sizeof(*ix));
    if ((rc = es__ca_path(ca, "index.txt", path, sizeof(path))) != ES_OK ||
        (rc = es_file_read(path, INDEX_MAX, &b)) != ES_OK)
        return rc;
    ix->text = malloc(b.len + 1);
    for (size_t i = 0; i < b.len; i++)
        nlines += b.data[i] == '\n';
    ix->lines = calloc(nlines + 1, sizeof(*ix->lines));
    if (ix->text == NULL || ix->lines == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot read %s", path);
        goto end;
    }
    memcpy(ix->text, b.data, b.len);
    ix->text[b.len] = '\0';
    for (char *line = ix->text, *nl; *line; line = nl + 1) {
        if ((nl = strchr(line, '\n')) == NULL) {
            rc = es__fail(ES_ERR_FORMAT, "%s: last line is not terminated", path);
            goto end;
        }
        *nl = '\0';
        if (!split_line(line, ix->lines[ix->n])) {
            rc = es__fail(ES_ERR_FORMAT, "%s: line %zu is malformed", path, ix->n + 1);
            goto end;
        }
        ix->n++;
    }
end:
    es_buf_free(&b);
    if (rc != ES_OK)
        index_release(ix);
    return rc;
}

static es_err index_write(const es_ca *ca, const ca_index *ix)
{
    char path[ES__CA_PATH_MAX];
    size_t len = 0, off = 0;
    char *out = NULL;
    es_err rc;

    if ((rc = es__ca_path(ca, "index.txt", path, sizeof(path))) != ES_OK)
        return rc;
    for (size_t i = 0; i < ix->n; i++)
        for (int f = 0; f < NFIELDS; f++)
            len += strlen(ix->lines[i][f]) + 1;
    out = malloc(len + 1);
    if (out == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot write %s", path);
    for (size_t i = 0; i < ix->n; i++)
        for (int f = 0; f < NFIELDS; f++)
            off += (size_t)snprintf(out + off, len + 1 - off, "%s%c", ix->lines[i][f],
                                    f == NFIELDS - 1 ? '\n' : '\t');
    rc = es_file_write(path, out, len, 0644);
    free(out);
    return rc;
}

/* "V<TAB>serial<TAB>notAfter<TAB><TAB><TAB>subject<TAB>profile" for a new certificate. */
static es_err new_line(const X509 *cert, es_cert_profile profile, char *line, size_t n)
{
    char serial[80], after[ES_TIME_STRLEN];
    char *subject = NULL;
    es_time t;
    es_err rc;

    if ((rc = es__serial_hex(X509_get0_serialNumber(cert), serial, sizeof(serial))) != ES_OK ||
        (rc = es__time_from_asn1(X509_get0_notAfter(cert), &t)) != ES_OK ||
        (rc = es_time_format(t, after)) != ES_OK ||
        (rc = es_name_format(X509_get_subject_name(cert), &subject)) != ES_OK)
        return rc;
    /* es_name_format escapes control characters; this keeps the file parseable regardless. */
    for (char *p = subject; *p; p++)
        if (*p == '\t' || *p == '\n')
            *p = ' ';
    if ((size_t)snprintf(line, n, "V\t%s\t%s\t\t\t%s\t%s\n", serial, after, subject,
                         es_cert_profile_name(profile)) >= n)
        rc = es__fail(ES_ERR_LIMIT, "subject too long for the index");
    es_free(subject);
    return rc;
}

es_err es__ca_index_add(es_ca *ca, const X509 *cert, es_cert_profile profile)
{
    char path[ES__CA_PATH_MAX], line[8192];
    es_buf old = {0};
    uint8_t *all = NULL;
    size_t n;
    es_err rc;

    if ((rc = new_line(cert, profile, line, sizeof(line))) != ES_OK ||
        (rc = es__ca_path(ca, "index.txt", path, sizeof(path))) != ES_OK ||
        (rc = es_file_read(path, INDEX_MAX, &old)) != ES_OK)
        goto end;
    n = strlen(line);
    all = malloc(old.len + n);
    if (all == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot update %s", path);
        goto end;
    }
    if (old.len > 0)
        memcpy(all, old.data, old.len);
    memcpy(all + old.len, line, n);
    rc = es_file_write(path, all, old.len + n, 0644);
end:
    free(all);
    es_buf_free(&old);
    return rc;
}

/* The certificate this CA stored under cert's serial must be cert itself. */
static es_err check_issued_here(const es_ca *ca, const X509 *cert, const char *serial)
{
    char rel[128], path[ES__CA_PATH_MAX];
    X509 *mine = NULL;
    es_err rc;

    if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(ES__CA_SIGNER(ca))) != 0)
        return es__fail(ES_ERR_NOT_FOUND, "certificate %s was not issued by this CA", serial);
    snprintf(rel, sizeof(rel), "certs/%s.pem", serial);
    if ((rc = es__ca_path(ca, rel, path, sizeof(path))) != ES_OK)
        return rc;
    if (access(path, F_OK) != 0)
        return es__fail(ES_ERR_NOT_FOUND, "certificate %s was not issued by this CA", serial);
    if ((rc = es_cert_read_file(path, &mine)) != ES_OK)
        return rc;
    if (X509_cmp(mine, cert) != 0)
        rc = es__fail(ES_ERR_NOT_FOUND, "certificate %s differs from the one this CA issued",
                      serial);
    X509_free(mine);
    return rc;
}

/* Mark serial revoked in the index; ES_ERR_STATE when it already is. */
static es_err mark_revoked(es_ca *ca, const char *serial, int reason, es_time when)
{
    ca_index ix;
    char at[ES_TIME_STRLEN], code[16];
    es_err rc;
    size_t i;

    if ((rc = es_time_format(when, at)) != ES_OK || (rc = index_read(ca, &ix)) != ES_OK)
        return rc;
    for (i = 0; i < ix.n && strcmp(ix.lines[i][F_SERIAL], serial) != 0; i++)
        ;
    if (i == ix.n) {
        rc = es__fail(ES_ERR_NOT_FOUND, "certificate %s is not in the CA index", serial);
    } else if (strcmp(ix.lines[i][F_STATUS], "R") == 0) {
        rc = es__fail(ES_ERR_STATE, "certificate %s is already revoked (at %s)", serial,
                      ix.lines[i][F_REVTIME]);
    } else {
        snprintf(code, sizeof(code), "%d", reason);
        ix.lines[i][F_STATUS] = "R";
        ix.lines[i][F_REVTIME] = at;
        ix.lines[i][F_REASON] = code;
        rc = index_write(ca, &ix);
    }
    index_release(&ix);
    return rc;
}

es_err es_ca_revoke(es_ca *ca, const X509 *cert, int reason, es_time when)
{
    char serial[80];
    int fd = -1;
    es_err rc;

    assert(ca != NULL && cert != NULL);
    /* 7 is unused, and removeFromCRL (8) belongs to delta CRLs, not to a revocation. */
    if (es__crl_reason_name(reason) == NULL || reason == 8)
        return es__fail(ES_ERR_ARG, "invalid CRL reason code %d", reason);
    if ((rc = es__serial_hex(X509_get0_serialNumber(cert), serial, sizeof(serial))) != ES_OK)
        return rc;
    if ((rc = es__ca_lock(ca, &fd)) != ES_OK)
        return rc;
    if ((rc = check_issued_here(ca, cert, serial)) == ES_OK)
        rc = mark_revoked(ca, serial, reason, when != 0 ? when : es_time_now());
    es__ca_unlock(fd);
    return rc;
}

/* Take the next CRL number from the crlnumber file (decimal) and store its successor. */
static es_err take_crl_number(es_ca *ca, int64_t *num)
{
    char path[ES__CA_PATH_MAX], text[32];
    es_buf b = {0};
    char *end = NULL;
    long long v;
    es_err rc;
    int len;

    if ((rc = es__ca_path(ca, "crlnumber", path, sizeof(path))) != ES_OK ||
        (rc = es_file_read(path, 32, &b)) != ES_OK)
        return rc;
    len = snprintf(text, sizeof(text), "%.*s", (int)b.len, (const char *)b.data);
    es_buf_free(&b);
    errno = 0;
    v = strtoll(text, &end, 10);
    if (len <= 0 || end == text || (*end != '\0' && strcmp(end, "\n") != 0) || errno != 0 ||
        v < 1 || v == INT64_MAX)
        return es__fail(ES_ERR_FORMAT, "%s does not hold a CRL number", path);
    *num = v;
    len = snprintf(text, sizeof(text), "%lld\n", v + 1);
    return es_file_write(path, text, (size_t)len, 0644);
}

/* One revoked entry from an index line; reasonCode is left out for unspecified (RFC 5280). */
static es_err add_entry(X509_CRL *crl, char *f[NFIELDS])
{
    es_err rc = ES_OK;
    BIGNUM *bn = NULL;
    ASN1_INTEGER *sn = NULL;
    ASN1_TIME *at = NULL;
    ASN1_ENUMERATED *why = NULL;
    X509_REVOKED *rv = X509_REVOKED_new();
    es_time when;
    char *end = NULL;
    long reason = strtol(f[F_REASON], &end, 10);

    if (BN_hex2bn(&bn, f[F_SERIAL]) != (int)strlen(f[F_SERIAL]) || end == f[F_REASON] ||
        *end != '\0' || es__crl_reason_name((int)reason) == NULL ||
        es_time_parse(f[F_REVTIME], &when) != ES_OK) {
        rc = es__fail(ES_ERR_FORMAT, "index.txt: bad revocation entry for %s", f[F_SERIAL]);
        goto end;
    }
    sn = BN_to_ASN1_INTEGER(bn, NULL);
    at = ASN1_TIME_set(NULL, (time_t)when);
    why = ASN1_ENUMERATED_new();
    if (rv == NULL || sn == NULL || at == NULL || why == NULL ||
        !X509_REVOKED_set_serialNumber(rv, sn) || !X509_REVOKED_set_revocationDate(rv, at) ||
        !ASN1_ENUMERATED_set(why, reason) ||
        (reason != 0 && !X509_REVOKED_add1_ext_i2d(rv, NID_crl_reason, why, 0, 0)) ||
        !X509_CRL_add0_revoked(crl, rv)) {
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot add %s to the CRL", f[F_SERIAL]);
        goto end;
    }
    rv = NULL; /* the CRL owns it now */
end:
    X509_REVOKED_free(rv);
    ASN1_ENUMERATED_free(why);
    ASN1_TIME_free(at);
    ASN1_INTEGER_free(sn);
    BN_free(bn);
    return rc;
}

/* Version 2, issuer, lastUpdate now, nextUpdate after days, crlNumber and AKI. */
static es_err crl_header(X509_CRL *crl, X509 *signer, int days, int64_t number)
{
    es_err rc = ES_OK;
    es_time now = es_time_now();
    ASN1_TIME *last = ASN1_TIME_set(NULL, (time_t)now);
    ASN1_TIME *next = ASN1_TIME_set(NULL, (time_t)(now + (int64_t)days * SECS_PER_DAY));
    ASN1_INTEGER *num = ASN1_INTEGER_new();
    X509_EXTENSION *aki = NULL;
    X509V3_CTX v3;

    X509V3_set_ctx(&v3, signer, NULL, NULL, crl, 0);
    aki = X509V3_EXT_conf_nid(NULL, &v3, NID_authority_key_identifier, "keyid:always");
    if (last == NULL || next == NULL || num == NULL || aki == NULL ||
        !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
        !X509_CRL_set_issuer_name(crl, X509_get_subject_name(signer)) ||
        !X509_CRL_set1_lastUpdate(crl, last) || !X509_CRL_set1_nextUpdate(crl, next) ||
        !ASN1_INTEGER_set_int64(num, number) ||
        !X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) || !X509_CRL_add_ext(crl, aki, -1))
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot fill in the CRL");
    X509_EXTENSION_free(aki);
    ASN1_INTEGER_free(num);
    ASN1_TIME_free(next);
    ASN1_TIME_free(last);
    return rc;
}

static es_err build_crl(es_ca *ca, const ca_index *ix, int days, int64_t number, X509_CRL **out)
{
    es_err rc = ES_OK;
    X509_CRL *crl = X509_CRL_new();
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    if (crl == NULL || md == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot allocate a CRL");
        goto end;
    }
    if ((rc = crl_header(crl, ES__CA_SIGNER(ca), days, number)) != ES_OK)
        goto end;
    for (size_t i = 0; i < ix->n; i++) {
        if (strcmp(ix->lines[i][F_STATUS], "R") == 0 &&
            (rc = add_entry(crl, ix->lines[i])) != ES_OK)
            goto end;
    }
    /* The SM2 ID is set as for certificates (GM/T 0009); see docs/pki.md on OpenSSL 3.0. */
    if ((rc = es__sm2_md_init(md, es_key_get0_pkey(ca->key), 1)) != ES_OK)
        goto end;
    if (!X509_CRL_sort(crl) || X509_CRL_sign_ctx(crl, md) <= 0) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "cannot sign the CRL");
        goto end;
    }
    *out = crl;
    crl = NULL;
end:
    EVP_MD_CTX_free(md);
    X509_CRL_free(crl);
    return rc;
}

es_err es_ca_crl(es_ca *ca, int days, X509_CRL **out)
{
    ca_index ix = {0};
    int64_t number = 0;
    int fd = -1;
    es_err rc;

    assert(ca != NULL && out != NULL);
    *out = NULL;
    days = days == 0 ? 7 : days;
    if (days < 0 || days > 3650)
        return es__fail(ES_ERR_ARG, "CRL validity of %d days (1 to 3650)", days);
    if ((rc = es__ca_lock(ca, &fd)) != ES_OK)
        return rc;
    if ((rc = index_read(ca, &ix)) == ES_OK && (rc = take_crl_number(ca, &number)) == ES_OK)
        rc = build_crl(ca, &ix, days, number, out);
    index_release(&ix);
    es__ca_unlock(fd);
    return rc;
}
