/* Making a GB/T 38540 v4 seal: checks of the maker and the options, strict DER, the signature. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eseal/crypto.h"
#include "eseal_local.h"
#include "ses/ses_local.h"

#define DEFAULT_VID     "eseal"
#define DEFAULT_SIZE_MM 40

/* Picture types of the standard, and the first bytes each must start with (NULL: checked apart). */
static const struct {
    const char *type;
    const char *magic;
    size_t len;
} pictures[] = {
    {"PNG", "\x89PNG\r\n\x1a\n", 8},
    {"JPG", "\xff\xd8\xff", 3},
    {"GIF", "GIF8", 4},
    {"BMP", "BM", 2},
    {"OFD", "PK\x03\x04", 4},
    {"SVG", NULL, 0},
};

/* An SVG is XML text with an <svg element near its start. */
static int looks_svg(const uint8_t *p, size_t n)
{
    size_t m = n < 4096 ? n : 4096;

    for (size_t i = 0; i + 4 <= m; i++)
        if (memcmp(p + i, "<svg", 4) == 0)
            return 1;
    return 0;
}

static int picture_is(size_t i, const uint8_t *p, size_t n)
{
    if (pictures[i].magic == NULL)
        return looks_svg(p, n);
    return n >= pictures[i].len && memcmp(p, pictures[i].magic, pictures[i].len) == 0;
}

/* The picture type: the one given (which the bytes must match) or the one the bytes show. */
static es_err picture_type(const es_seal_make_opts *o, const char **type)
{
    for (size_t i = 0; i < ES__ARRAY_LEN(pictures); i++) {
        if (o->picture_type != NULL && strcasecmp(o->picture_type, pictures[i].type) != 0)
            continue;
        if (picture_is(i, o->picture, o->picture_len)) {
            *type = pictures[i].type;
            return ES_OK;
        }
        if (o->picture_type != NULL)
            return es__fail(ES_ERR_ARG, "the picture is not a %s file", pictures[i].type);
    }
    if (o->picture_type != NULL)
        return es__fail(ES_ERR_ARG, "picture type \"%s\" is not PNG, JPG, GIF, BMP, SVG or OFD",
                        o->picture_type);
    return es__fail(ES_ERR_ARG, "the picture is not a PNG, JPG, GIF, BMP, SVG or OFD file");
}

static es_err check_maker(const es_key *k, X509 *cert)
{
    es_err rc;
    es_cert_profile p;
    char who[512];

    es__subject(cert, who, sizeof(who));
    rc = es_cert_get_profile(cert, &p);
    if (rc == ES_ERR_NOT_FOUND || (rc == ES_OK && p != ES_PROFILE_MAKER))
        return es__fail(ES_ERR_ARG,
                        "the maker certificate (%s) does not carry the eseal maker profile (%s): "
                        "issue it with the maker profile",
                        who, rc == ES_OK ? es_cert_profile_name(p) : "no eseal profile");
    if (rc != ES_OK)
        return rc;
    if (!es_key_has_private(k))
        return es__fail(ES_ERR_ARG, "the maker key is a public key: making a seal needs the "
                                    "private key");
    if (es_key_match_cert(k, cert) != ES_OK)
        return es__fail(ES_ERR_KEY_MISMATCH,
                        "the maker key does not belong to the maker "
                        "certificate (%s)",
                        who);
    return ES_OK;
}

static es_err check_opts(const es_seal_make_opts *o)
{
    if (o->name == NULL || o->name[0] == '\0')
        return es__fail(ES_ERR_ARG, "the seal needs a name");
    if (!es__utf8_valid(o->name, strlen(o->name)))
        return es__fail(ES_ERR_ARG, "the seal name is not valid UTF-8");
    if (sk_X509_num(o->signers) <= 0)
        return es__fail(ES_ERR_ARG, "the seal needs at least one signer certificate");
    if (o->valid_start >= o->valid_end)
        return es__fail(ES_ERR_ARG, "the validity must start before it ends");
    if (o->picture == NULL || o->picture_len == 0)
        return es__fail(ES_ERR_ARG, "the seal needs a picture");
    if (o->picture_len > ES_SES_MAX_INPUT / 2)
        return es__fail(ES_ERR_LIMIT, "a picture of %zu bytes is larger than %u bytes",
                        o->picture_len, ES_SES_MAX_INPUT / 2);
    if (o->width_mm < 0 || o->height_mm < 0 || o->width_mm > 1000 || o->height_mm > 1000)
        return es__fail(ES_ERR_ARG, "picture size %ldx%ld mm is not in 1..1000 mm", o->width_mm,
                        o->height_mm);
    if (o->esid != NULL && o->esid[0] == '\0')
        return es__fail(ES_ERR_ARG, "esID must not be empty");
    return ES_OK;
}

/* A new esID: a random (version 4) UUID as 32 hex digits, the form ofdrw and others use. */
static es_err new_esid(char out[33])
{
    es_err rc;
    uint8_t u[16];

    if ((rc = es_random(u, sizeof(u))) != ES_OK)
        return rc;
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
    es__hex(u, sizeof(u), out, 33);
    return ES_OK;
}

/* CertDigestObj { "SM3", SM3(der) }, encoded into s. */
static es_err digest_obj(const unsigned char *der, int n, ASN1_STRING *s)
{
    es_err rc;
    uint8_t md[ES_SM3_LEN];
    ES_SES_CERTDIGEST *d = NULL;
    unsigned char *obj = NULL;
    int m = 0;

    if ((rc = es_sm3(der, (size_t)n, md)) != ES_OK)
        return rc;
    if ((d = ES_SES_CERTDIGEST_new()) == NULL)
        return es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a CertDigestObj");
    /* ASN1_PRINTABLE is a CHOICE of string types: which one is the writer's to say. */
    d->type->type = V_ASN1_PRINTABLESTRING;
    if (!ASN1_STRING_set(d->type, "SM3", 3) || !ASN1_OCTET_STRING_set(d->value, md, sizeof(md)) ||
        (m = i2d_ES_SES_CERTDIGEST(d, &obj)) <= 0 || !ASN1_STRING_set(s, obj, m))
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot encode a certificate digest");
    OPENSSL_free(obj);
    ES_SES_CERTDIGEST_free(d);
    return rc;
}

/* One certList entry: the certificate (type 1) or its CertDigestObj (type 2). */
static es_err cert_entry(X509 *x, int digests, STACK_OF(ASN1_TYPE) * list)
{
    es_err rc = ES_OK;
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    ASN1_STRING *s = ASN1_STRING_new();
    ASN1_TYPE *t = ASN1_TYPE_new();

    if (n <= 0 || s == NULL || t == NULL)
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot encode a signer certificate");
    else if (digests)
        rc = digest_obj(der, n, s);
    else if (!ASN1_STRING_set(s, der, n))
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot copy a signer certificate");
    if (rc == ES_OK) {
        ASN1_TYPE_set(t, digests ? V_ASN1_SEQUENCE : V_ASN1_OCTET_STRING, s);
        s = NULL;
        if (!sk_ASN1_TYPE_push(list, t))
            rc = es__fail_ossl(ES_ERR_NOMEM, "cannot grow the certList");
        else
            t = NULL;
    }
    OPENSSL_free(der);
    ASN1_STRING_free(s);
    ASN1_TYPE_free(t);
    return rc;
}

static es_err property(ES_SES_PROPERTY *p, const es_seal_make_opts *o)
{
    es_err rc = ES_OK;

    if (!ASN1_INTEGER_set_int64(p->type, o->type) ||
        !ASN1_STRING_set(p->name, o->name, (int)strlen(o->name)) ||
        (p->cert_list_type = ASN1_INTEGER_new()) == NULL ||
        !ASN1_INTEGER_set_int64(p->cert_list_type, o->cert_digests ? 2 : 1))
        return es__fail_ossl(ES_ERR_NOMEM, "cannot set the seal properties");
    for (int i = 0; rc == ES_OK && i < sk_X509_num(o->signers); i++)
        rc = cert_entry(sk_X509_value(o->signers, i), o->cert_digests, p->cert_list);
    if (rc == ES_OK)
        rc = es__time_set(o->create_date != 0 ? o->create_date : es_time_now(), &p->create);
    if (rc == ES_OK)
        rc = es__time_set(o->valid_start, &p->start);
    if (rc == ES_OK)
        rc = es__time_set(o->valid_end, &p->end);
    return rc;
}

static es_err seal_info(ES_SES_SEALINFO *in, const es_seal_make_opts *o, const char *pictype)
{
    es_err rc;
    char esid[33];
    ES_SES_PICTURE *pic = in->picture;

    if (o->esid == NULL && (rc = new_esid(esid)) != ES_OK)
        return rc;
    if ((rc = es__ia5_set("ES", "SES_Header.ID", &in->header->id)) != ES_OK ||
        (rc = es__ia5_set(o->vid ? o->vid : DEFAULT_VID, "vid", &in->header->vid)) != ES_OK ||
        (rc = es__ia5_set(o->esid ? o->esid : esid, "esID", &in->esid)) != ES_OK ||
        (rc = property(in->property, o)) != ES_OK ||
        (rc = es__ia5_set(pictype, "picture type", &pic->type)) != ES_OK ||
        (rc = es__ext_put(o->ext, o->next, &in->ext)) != ES_OK)
        return rc;
    if (!ASN1_INTEGER_set_int64(in->header->version, 4) ||
        !ASN1_OCTET_STRING_set(pic->data, o->picture, (int)o->picture_len) ||
        !ASN1_INTEGER_set_int64(pic->width, o->width_mm ? o->width_mm : DEFAULT_SIZE_MM) ||
        !ASN1_INTEGER_set_int64(pic->height, o->height_mm ? o->height_mm : DEFAULT_SIZE_MM))
        return es__fail_ossl(ES_ERR_NOMEM, "cannot set the seal information");
    return ES_OK;
}

/* Sign DER(SES_SealInfo) and complete the SESeal with the maker's part. */
static es_err sign_seal(ES_SESEAL_V4 *seal, const es_key *k, X509 *cert)
{
    es_err rc;
    unsigned char *info = NULL, *cder = NULL;
    int n = i2d_ES_SES_SEALINFO(seal->info, &info), cn = i2d_X509(cert, &cder);
    es_buf sig = {0};

    if (n <= 0 || cn <= 0) {
        rc = es__fail_ossl(ES_ERR_ARG, "cannot encode the seal information");
        goto end;
    }
    if ((rc = es_sm2_sign(k, NULL, 0, info, (size_t)n, &sig)) != ES_OK ||
        (rc = es__bits_set(&seal->sig, sig.data, sig.len)) != ES_OK)
        goto end;
    ASN1_OBJECT_free(seal->alg);
    if ((seal->alg = es__oid_sm2_sm3()) == NULL || !ASN1_OCTET_STRING_set(seal->cert, cder, cn))
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot set the maker's part");
end:
    OPENSSL_free(info);
    OPENSSL_free(cder);
    es_buf_free(&sig);
    return rc;
}

/* Read back what was written: a bug that breaks the signature must not leave the library. */
static es_err self_check(const es_buf *der)
{
    es_err rc;
    es_seal *s = NULL;
    char why[512];

    if ((rc = es_seal_parse(der->data, der->len, &s)) == ES_OK)
        rc = es__seal_check_maker_sig(s);
    es_seal_free(s);
    if (rc != ES_OK) {
        snprintf(why, sizeof(why), "%s", es_errdetail());
        rc = es__fail(ES_ERR_INTERNAL, "the seal just made does not verify: %s", why);
    }
    return rc;
}

es_err es_seal_make(const es_seal_make_opts *opts, const es_key *maker_key, X509 *maker_cert,
                    es_buf *der)
{
    es_err rc;
    ES_SESEAL_V4 *seal = NULL;
    const char *pictype = NULL;
    unsigned char *out = NULL;
    int n;

    assert(opts != NULL && maker_key != NULL && maker_cert != NULL && der != NULL);
    der->data = NULL;
    der->len = 0;
    if ((rc = check_maker(maker_key, maker_cert)) != ES_OK || (rc = check_opts(opts)) != ES_OK ||
        (rc = picture_type(opts, &pictype)) != ES_OK)
        return rc;
    if ((seal = ES_SESEAL_V4_new()) == NULL)
        return es__fail_ossl(ES_ERR_NOMEM, "cannot allocate a seal");
    if ((rc = seal_info(seal->info, opts, pictype)) != ES_OK ||
        (rc = sign_seal(seal, maker_key, maker_cert)) != ES_OK)
        goto end;
    if ((n = i2d_ES_SESEAL_V4(seal, &out)) <= 0) {
        rc = es__fail_ossl(ES_ERR_INTERNAL, "cannot encode the seal");
        goto end;
    }
    if ((rc = es_buf_set(der, out, (size_t)n)) == ES_OK && (rc = self_check(der)) != ES_OK)
        es_buf_free(der);
end:
    OPENSSL_free(out);
    ES_SESEAL_V4_free(seal);
    return rc;
}
