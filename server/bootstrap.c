/* First start: master key, platform CA, seal-maker key and certificate, first platform admin. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eseal/eseal.h"
#include "seal_local.h"

#define MASTER_LEN 32
#define CA_SUBJECT "CN=eseal Platform Root CA,O=eseal platform,C=CN"
#define MAKER_SUBJ "CN=eseal Seal Maker,O=eseal platform,C=CN"
#define MAKER_AAD  "eseal maker key v1"

/* Hex (64 digits) or base64 (of 32 bytes) master key text; 0 on success. */
static int parse_master(const char *s, size_t n, uint8_t out[MASTER_LEN])
{
    uint8_t tmp[64];
    int len;

    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        n--;
    if (n == 2 * MASTER_LEN && strspn(s, "0123456789abcdefABCDEF") >= n) {
        for (size_t i = 0; i < MASTER_LEN; i++)
            sscanf(s + 2 * i, "%2hhx", &out[i]);
        return 0;
    }
    if (n != 44)
        return -1;
    len = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n);
    if (len != 33 || s[43] != '=' || s[42] == '=') /* 32 bytes decode to 33 with one '=' */
        return -1;
    memcpy(out, tmp, MASTER_LEN);
    es_cleanse(tmp, sizeof(tmp));
    return 0;
}

static int load_master(const char *dir, uint8_t key[MASTER_LEN], char *why, size_t n)
{
    const char *env = getenv("ESEAL_MASTER_KEY");
    char path[1100], hex[2 * MASTER_LEN + 2];
    struct stat st;
    es_buf b = {0};
    int rc = -1;

    if (env != NULL) {
        if (parse_master(env, strlen(env), key) != 0)
            snprintf(why, n, "ESEAL_MASTER_KEY must be 32 bytes in hex or base64");
        return parse_master(env, strlen(env), key);
    }
    snprintf(path, sizeof(path), "%s/master.key", dir);
    if (stat(path, &st) != 0) {
        if (es_random(key, MASTER_LEN) != ES_OK)
            goto end;
        srv_hex(key, MASTER_LEN, hex);
        strcat(hex, "\n");
        if (es_file_write(path, hex, strlen(hex), 0600) != ES_OK)
            snprintf(why, n, "cannot write %s: %s", path, es_errdetail());
        else
            rc = 0;
        goto end;
    }
    if ((st.st_mode & 077) != 0) {
        snprintf(why, n, "%s is readable by others: chmod 600 it", path);
        goto end;
    }
    if (es_file_read(path, 1024, &b) != ES_OK ||
        parse_master((const char *)b.data, b.len, key) != 0) {
        snprintf(why, n, "%s does not hold a 32-byte key in hex or base64", path);
        goto end;
    }
    rc = 0;
end:
    es_cleanse(hex, sizeof(hex));
    es_buf_free(&b);
    return rc;
}

/* A secret derived from the master key for one purpose (HMAC-SM3 with a label). */
static int derive(const uint8_t master[MASTER_LEN], const char *label, uint8_t out[32])
{
    return es_hmac_sm3(master, MASTER_LEN, label, strlen(label), out) == ES_OK ? 0 : -1;
}

/* The seal-maker key, generated once, wrapped under the master key; its certificate. */
static int make_maker(es_ca *ca, const char *dir, const uint8_t kek[32], char *why, size_t n)
{
    es_ca_issue_opts io = {0};
    es_key *key = NULL;
    X509 *cert = NULL;
    es_buf der = {0}, wrapped = {0}, pem = {0};
    char path[1100];
    int rc = -1;

    io.profile = ES_PROFILE_MAKER;
    io.subject = MAKER_SUBJ;
    if (es_key_generate_sm2(&key) != ES_OK ||
        es_key_write_private(key, ES_KEY_PKCS8_DER, NULL, &der))
        goto end;
    if (es_wrap(kek, MAKER_AAD, strlen(MAKER_AAD), der.data, der.len, &wrapped) != ES_OK)
        goto end;
    snprintf(path, sizeof(path), "%s/maker.key.wrapped", dir);
    if (es_file_write(path, wrapped.data, wrapped.len, 0600) != ES_OK)
        goto end;
    io.pubkey = key;
    if (es_ca_issue(ca, &io, &cert) != ES_OK || es_cert_write(cert, 1, &pem) != ES_OK)
        goto end;
    snprintf(path, sizeof(path), "%s/maker.pem", dir);
    if (es_file_write(path, pem.data, pem.len, 0644) != ES_OK)
        goto end;
    rc = 0;
end:
    if (rc != 0)
        snprintf(why, n, "cannot create the seal-maker key: %s", es_errdetail());
    es_key_free(key);
    X509_free(cert);
    es_buf_free(&der);
    es_buf_free(&wrapped);
    es_buf_free(&pem);
    return rc;
}

/* On a restart: the wrapped maker key must open with this master key. */
static int check_maker(const char *dir, const uint8_t kek[32], char *why, size_t n)
{
    char path[1100];
    es_buf w = {0}, der = {0};
    int rc = -1;

    snprintf(path, sizeof(path), "%s/maker.key.wrapped", dir);
    if (es_file_read(path, 1 << 16, &w) != ES_OK ||
        es_unwrap(kek, MAKER_AAD, strlen(MAKER_AAD), w.data, w.len, &der) != ES_OK)
        snprintf(why, n, "cannot unwrap %s: wrong master key or damaged file", path);
    else
        rc = 0;
    es_buf_free(&w);
    es_buf_free(&der);
    return rc;
}

static int setup_ca(const char *dir, const uint8_t master[MASTER_LEN], char *why, size_t n)
{
    uint8_t pw[32], kek[32];
    char pass[65], cadir[1100], path[1100];
    es_ca_init_opts o = {0};
    es_ca *ca = NULL;
    struct stat st;
    int rc = -1;

    if (derive(master, "eseal ca password v1", pw) != 0 || derive(master, "eseal key wrap v1", kek))
        goto end;
    srv_hex(pw, sizeof(pw), pass);
    snprintf(cadir, sizeof(cadir), "%s/ca", dir);
    snprintf(path, sizeof(path), "%s/maker.pem", dir);
    if (stat(cadir, &st) == 0) {
        es_err e = es_ca_open(cadir, pass, &ca);

        if (e != ES_OK) {
            snprintf(why, n, "cannot open the CA in %s: %s", cadir,
                     e == ES_ERR_PASSWORD ? "wrong master key (the CA password derives from it)"
                                          : es_errdetail());
            goto end;
        }
        rc =
            stat(path, &st) == 0 ? check_maker(dir, kek, why, n) : make_maker(ca, dir, kek, why, n);
        goto end;
    }
    o.subject = CA_SUBJECT;
    if (es_ca_init(cadir, &o, pass, &ca) != ES_OK) {
        snprintf(why, n, "cannot create the CA in %s: %s", cadir, es_errdetail());
        goto end;
    }
    printf("eseal serve: created the platform root and issuing CA in %s\n", cadir);
    rc = make_maker(ca, dir, kek, why, n);
end:
    es_ca_free(ca);
    es_cleanse(pw, sizeof(pw));
    es_cleanse(kek, sizeof(kek));
    es_cleanse(pass, sizeof(pass));
    return rc;
}

static int setup_admin(srv_app *app, char *why, size_t n)
{
    const char *env = getenv("ESEAL_ADMIN_PASSWORD");
    char pw[33];
    uint8_t raw[16];
    st_account who = {0}, out;
    srv_error err = {0};
    int64_t count = 0;

    if (st_account_count_role(app->store, "admin", &count) != ES_OK || count > 0)
        return count > 0 ? 0 : (snprintf(why, n, "cannot read accounts: %s", es_errdetail()), -1);
    if (env == NULL) {
        if (es_random(raw, sizeof(raw)) != ES_OK)
            return -1;
        srv_hex(raw, sizeof(raw), pw);
    }
    strcpy(who.role, "admin"); /* the bootstrap acts as an admin to create the first one */
    if (svc_staff_create(app, &who, "admin", "Platform administrator", env ? env : pw, "admin",
                         &out, &err) != SRV_OK &&
        err.code != SRV_CONFLICT) {
        snprintf(why, n, "cannot create the first admin: %s", err.message);
        srv_error_release(&err);
        return -1;
    }
    if (err.code == SRV_OK)
        printf("eseal serve: created platform admin \"admin\" with %s%s%s\n",
               env ? "the password from ESEAL_ADMIN_PASSWORD" : "password ", env ? "" : pw,
               env ? "" : " (shown once: keep it)");
    es_cleanse(pw, sizeof(pw));
    srv_error_release(&err);
    return 0;
}

int srv_bootstrap(srv_app *app, char *why, size_t n)
{
    uint8_t master[MASTER_LEN];
    int rc = -1;

    if (mkdir(app->data_dir, 0700) != 0 && errno != EEXIST) {
        snprintf(why, n, "cannot create %s: %s", app->data_dir, strerror(errno));
        return -1;
    }
    if (load_master(app->data_dir, master, why, n) == 0 &&
        setup_ca(app->data_dir, master, why, n) == 0 && setup_admin(app, why, n) == 0 &&
        srv_platform_open(app, master, why, n) == 0)
        rc = 0;
    es_cleanse(master, sizeof(master));
    fflush(stdout);
    return rc;
}
