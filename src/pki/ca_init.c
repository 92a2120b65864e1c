/* Creating a CA directory: keys, root and issuing CA certificates, ca.conf, empty records. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/x509.h>

#include "eseal_local.h"
#include "pki/pki_local.h"

#define URL_MAX 2048

/* ca.conf: "key=value" lines, read back by ca.c. */
static es_err write_conf(const es_ca *ca)
{
    char text[URL_MAX + 256];

    snprintf(text, sizeof(text), "# eseal CA (docs/pki.md)\nformat=%s\nroot_only=%d\ncrl_url=%s\n",
             ES__CA_FORMAT, ca->root_only, ca->crl_url != NULL ? ca->crl_url : "");
    return es__ca_write_text(ca, "ca.conf", text, 0644);
}

/* ---- Creating the directory ---- */

/* Create dir if missing; it must be empty. Then private/ (0700) and certs/. */
static es_err prepare_dir(const es_ca *ca)
{
    char path[ES__CA_PATH_MAX];
    DIR *d;
    struct dirent *e;
    int used = 0;
    es_err rc;

    if (mkdir(ca->dir, 0755) != 0 && errno != EEXIST)
        return es__fail(ES_ERR_IO, "cannot create %s: %s", ca->dir, strerror(errno));
    if ((d = opendir(ca->dir)) == NULL)
        return es__fail(ES_ERR_IO, "cannot open %s: %s", ca->dir, strerror(errno));
    while ((e = readdir(d)) != NULL)
        used |= strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    if (used)
        return es__fail(ES_ERR_EXISTS, "%s is not empty", ca->dir);
    if ((rc = es__ca_path(ca, "private", path, sizeof(path))) != ES_OK)
        return rc;
    if (mkdir(path, 0700) != 0)
        return es__fail(ES_ERR_IO, "cannot create %s: %s", path, strerror(errno));
    if ((rc = es__ca_path(ca, "certs", path, sizeof(path))) != ES_OK)
        return rc;
    if (mkdir(path, 0755) != 0)
        return es__fail(ES_ERR_IO, "cannot create %s: %s", path, strerror(errno));
    return ES_OK;
}

/* A CRL URL goes into an IA5String and OpenSSL's extension syntax: printable ASCII, no ','. */
static es_err check_url(const char *url)
{
    size_t n = strlen(url);

    for (size_t i = 0; i < n; i++) {
        if (url[i] <= ' ' || url[i] > '~' || url[i] == ',')
            return es__fail(ES_ERR_ARG, "CRL URL has a character not allowed at offset %zu", i);
    }
    if (n == 0 || n > URL_MAX)
        return es__fail(ES_ERR_ARG, "CRL URL must have 1 to %d characters", URL_MAX);
    return ES_OK;
}

/* Keys are encrypted PKCS#8 under pass, mode 0600, in private/ (0700). */
static es_err write_key(const es_ca *ca, const char *rel, const es_key *k, const char *pass)
{
    char path[ES__CA_PATH_MAX];
    es_buf b = {0};
    es_err rc;

    if ((rc = es__ca_path(ca, rel, path, sizeof(path))) == ES_OK &&
        (rc = es_key_write_private(k, ES_KEY_PKCS8_PEM, pass, &b)) == ES_OK)
        rc = es_file_write(path, b.data, b.len, 0600);
    es_buf_free(&b);
    return rc;
}

/* ---- Subjects and validity ---- */

/* Copy root's name, with " Issuing CA" appended to its (last) CN, or CN=Issuing CA added. */
static es_err derive_issuing_name(const X509_NAME *root, X509_NAME **out)
{
    es_err rc = ES_OK;
    X509_NAME *name = X509_NAME_new();
    int cn = -1, i, n = X509_NAME_entry_count(root), prev_set = -1;
    unsigned char *utf8 = NULL;
    char value[1024];

    while ((i = X509_NAME_get_index_by_NID(root, NID_commonName, cn)) >= 0)
        cn = i;
    for (i = 0; name != NULL && i < n; i++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(root, i);
        int set = X509_NAME_ENTRY_set(e), len, ok;
        /* -1 keeps a multi-valued RDN together, 0 starts a new RDN. */
        int where = set == prev_set ? -1 : 0;

        prev_set = set;
        if (i != cn) {
            ok = X509_NAME_add_entry(name, e, -1, where);
        } else {
            len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
            ok = len >= 0 &&
                 (size_t)snprintf(value, sizeof(value), "%.*s Issuing CA", len,
                                  (const char *)utf8) < sizeof(value) &&
                 X509_NAME_add_entry_by_NID(name, NID_commonName, V_ASN1_UTF8STRING,
                                            (const unsigned char *)value, -1, -1, where);
        }
        if (!ok) {
            rc = es__fail_ossl(ES_ERR_ARG, "cannot derive the issuing CA subject");
            goto end;
        }
    }
    if (name == NULL ||
        (cn < 0 && !X509_NAME_add_entry_by_NID(name, NID_commonName, V_ASN1_UTF8STRING,
                                               (const unsigned char *)"Issuing CA", -1, -1, 0))) {
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot derive the issuing CA subject");
        goto end;
    }
    *out = name;
    name = NULL;
end:
    OPENSSL_free(utf8);
    X509_NAME_free(name);
    return rc;
}

/* t plus whole calendar years (29 February becomes 28 February). */
static es_err add_years(es_time t, int years, es_time *out)
{
    char iso[ES_TIME_STRLEN], y[16];
    int year;

    if (es_time_format(t, iso) != ES_OK)
        return ES_ERR_ARG;
    year = atoi(iso) + years;
    if (year > 9999)
        return es__fail(ES_ERR_ARG, "validity ends after the year 9999");
    snprintf(y, sizeof(y), "%04d", year);
    memcpy(iso, y, 4);
    if (memcmp(iso + 5, "02-29", 5) == 0 && es_time_parse(iso, out) != ES_OK)
        memcpy(iso + 5, "02-28", 5);
    return es_time_parse(iso, out);
}

/* ---- es_ca_init ---- */

/* The two CA keys and names while a CA is being made. */
typedef struct ca_parts {
    es_key *root_key, *issuing_key;
    X509_NAME *root_name, *issuing_name;
} ca_parts;

static void parts_release(ca_parts *p)
{
    es_key_free(p->root_key);
    es_key_free(p->issuing_key);
    X509_NAME_free(p->root_name);
    X509_NAME_free(p->issuing_name);
}

static es_err make_names(const es_ca_init_opts *o, ca_parts *p)
{
    es_err rc = es_name_parse(o->subject, &p->root_name);

    if (rc != ES_OK || o->root_only)
        return rc;
    rc = o->issuing_subject != NULL ? es_name_parse(o->issuing_subject, &p->issuing_name)
                                    : derive_issuing_name(p->root_name, &p->issuing_name);
    if (rc == ES_OK && X509_NAME_cmp(p->root_name, p->issuing_name) == 0)
        rc = es__fail(ES_ERR_ARG, "the issuing CA subject must differ from the root's");
    return rc;
}

/* Root (self-signed) and, unless root-only, the issuing CA, both valid from now for years. */
static es_err make_certs(es_ca *ca, const es_ca_init_opts *o, ca_parts *p)
{
    es__cert_req req = {.kind = ES__CERT_ROOT};
    ASN1_INTEGER *serial = NULL;
    es_err rc;

    req.not_before = es_time_now();
    if ((rc = add_years(req.not_before, o->years != 0 ? o->years : 20, &req.not_after)) ||
        (rc = es_key_generate_sm2(&p->root_key)) || (rc = es__ca_new_serial(&serial)))
        goto end;
    req.subject = p->root_name;
    req.pubkey = req.signkey = es_key_get0_pkey(p->root_key);
    req.serial = serial;
    if ((rc = es__ca_make_cert(&req, &ca->root)) != ES_OK || ca->root_only)
        goto end;
    ASN1_INTEGER_free(serial);
    serial = NULL;
    if ((rc = es_key_generate_sm2(&p->issuing_key)) || (rc = es__ca_new_serial(&serial)))
        goto end;
    req.kind = ES__CERT_SUBCA;
    req.subject = p->issuing_name;
    req.pubkey = es_key_get0_pkey(p->issuing_key);
    req.issuer = ca->root;
    req.serial = serial;
    rc = es__ca_make_cert(&req, &ca->issuing);
end:
    ASN1_INTEGER_free(serial);
    return rc;
}

static es_err write_all(es_ca *ca, const ca_parts *p, const char *pass)
{
    es_err rc;

    if ((rc = write_key(ca, "private/root.key", p->root_key, pass)) ||
        (rc = es__ca_write_cert(ca, "root.pem", ca->root)))
        return rc;
    if (!ca->root_only && ((rc = write_key(ca, "private/issuing.key", p->issuing_key, pass)) ||
                           (rc = es__ca_write_cert(ca, "issuing.pem", ca->issuing))))
        return rc;
    if ((rc = es__ca_write_text(ca, "index.txt", "", 0644)) ||
        (rc = es__ca_write_text(ca, "crlnumber", "1\n", 0644)))
        return rc;
    /* ca.conf last: es_ca_open refuses a directory whose creation did not finish. */
    return write_conf(ca);
}

static es_err check_init_args(const es_ca_init_opts *o, const char *pass)
{
    if (o->subject == NULL)
        return es__fail(ES_ERR_ARG, "the root subject is required");
    if (pass == NULL || pass[0] == '\0')
        return es__fail(ES_ERR_ARG, "a non-empty password is required for the CA keys");
    if (o->years < 0 || o->years > 100)
        return es__fail(ES_ERR_ARG, "CA validity of %d years (1 to 100)", o->years);
    return o->crl_url != NULL ? check_url(o->crl_url) : ES_OK;
}

es_err es_ca_init(const char *dir, const es_ca_init_opts *opts, const char *pass, es_ca **out)
{
    es_err rc;
    es_ca *ca = NULL;
    ca_parts p = {0};

    assert(dir != NULL && opts != NULL && out != NULL);
    *out = NULL;
    if ((rc = check_init_args(opts, pass)) || (rc = es__ca_new(dir, &ca)))
        goto end;
    ca->root_only = opts->root_only != 0;
    if (opts->crl_url != NULL && (ca->crl_url = strdup(opts->crl_url)) == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot allocate a CA");
        goto end;
    }
    if ((rc = make_names(opts, &p)) || (rc = prepare_dir(ca)) || (rc = make_certs(ca, opts, &p)) ||
        (rc = write_all(ca, &p, pass)))
        goto end;
    /* Keep only the key that signs; the root key stays encrypted on disk unless it signs. */
    ca->key = ca->root_only ? p.root_key : p.issuing_key;
    if (ca->root_only)
        p.root_key = NULL;
    else
        p.issuing_key = NULL;
    *out = ca;
    ca = NULL;
end:
    parts_release(&p);
    es_ca_free(ca);
    return rc;
}
