/* Checks shared by verifying and signing: the maker signature, certList membership, chains. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "eseal_local.h"
#include "ses/ses_local.h"

es_err es__seal_check_maker_sig(const es_seal *s)
{
    es_err rc;
    es_key *k = NULL;
    char why[512];

    if (!es__alg_is_sm2(s->sig_alg))
        return es__fail(ES_ERR_UNSUPPORTED, "signAlgID %s is not SM2 with SM3", s->sig_alg);
    if ((rc = es_key_from_cert(s->maker, &k)) != ES_OK) {
        snprintf(why, sizeof(why), "%s", es_errdetail());
        return es__fail(rc, "the maker certificate's key cannot be used: %s", why);
    }
    rc = es_sm2_verify(k, NULL, 0, s->tbs.data, s->tbs.len, s->sig.data, s->sig.len);
    if (rc == ES_ERR_SIGNATURE || rc == ES_ERR_FORMAT) {
        snprintf(why, sizeof(why), "%s", es_errdetail());
        rc = es__fail(rc, "maker signature over %s (%zu bytes) does not verify: %s",
                      s->version == ES_SES_V1 ? "SEQUENCE{SES_SealInfo, cert, signatureAlgorithm}"
                                              : "DER(SES_SealInfo)",
                      s->tbs.len, why);
    }
    es_key_free(k);
    return rc;
}

/* The digest algorithm a CertDigestObj's type names; SM3 unless it says SHA-1 or SHA-256. */
static const EVP_MD *digest_md(const char *type)
{
    if (strcasecmp(type, "SHA1") == 0 || strcasecmp(type, "SHA-1") == 0)
        return EVP_sha1();
    if (strcasecmp(type, "SHA256") == 0 || strcasecmp(type, "SHA-256") == 0)
        return EVP_sha256();
    return EVP_sm3();
}

static es_err digest_match(const es_seal_cert *c, const uint8_t *der, size_t n, int *match)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    *match = 0;
    if (!EVP_Digest(der, n, md, &mdlen, digest_md(c->digest_type), NULL))
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot hash the certificate");
    *match = mdlen == c->digest_len && memcmp(md, c->digest, mdlen) == 0;
    return ES_OK;
}

es_err es__seal_lists_der(const es_seal *s, const uint8_t *der, size_t n, int *found, char *buf,
                          size_t buflen)
{
    es_err rc = ES_OK;
    int match = 0;
    size_t i;

    for (i = 0; rc == ES_OK && !match && i < s->ncert; i++) {
        const es_seal_cert *c = &s->certs[i];

        if (s->cert_list_type == ES_SES_CERTLIST_CERTS)
            match = c->der_len == n && memcmp(c->der, der, n) == 0;
        else
            rc = digest_match(c, der, n, &match);
        if (match && buf != NULL)
            snprintf(buf, buflen, "certList[%zu] %s", i,
                     s->cert_list_type == ES_SES_CERTLIST_CERTS ? "is the certificate"
                                                                : "is its digest");
    }
    if (rc == ES_OK && !match && buf != NULL)
        snprintf(buf, buflen, "none of the %zu certList %s matches", s->ncert,
                 s->cert_list_type == ES_SES_CERTLIST_CERTS ? "certificates" : "digests");
    *found = match;
    return rc;
}

es_err es__seal_lists_cert(const es_seal *s, X509 *cert, int *found, char *buf, size_t buflen)
{
    es_err rc;
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);

    *found = 0;
    if (n <= 0)
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot encode the certificate");
    rc = es__seal_lists_der(s, der, (size_t)n, found, buf, buflen);
    OPENSSL_free(der);
    return rc;
}

void es__subject(X509 *cert, char *buf, size_t n)
{
    char *name = NULL;

    if (cert != NULL && es_name_format(X509_get_subject_name(cert), &name) == ES_OK)
        snprintf(buf, n, "%s", name);
    else
        snprintf(buf, n, "(unreadable subject)");
    es_free(name);
}

void es__time_text(es_time t, char iso[ES_TIME_STRLEN])
{
    if (es_time_format(t, iso) != ES_OK)
        snprintf(iso, ES_TIME_STRLEN, "(out of range)");
}

/* The problems of a chain report, "; "-separated, each with its depth and subject. */
static void chain_problems(const es_cert_report *cr, es__sb *d)
{
    for (size_t i = 0; i < es_cert_report_nproblems(cr); i++) {
        const es_cert_problem *p = es_cert_report_problem(cr, i);

        es__sb_printf(d, "%sdepth %d (%s): %s", i > 0 ? "; " : "", p->depth, p->subject,
                      p->message);
    }
}

/* An end-entity key that may not make signatures (keyUsage without both bits) fails. */
static int leaf_usage_ok(X509 *cert)
{
    if (!(X509_get_extension_flags(cert) & EXFLAG_KUSAGE))
        return 1;
    return (X509_get_key_usage(cert) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
}

/* Record the chain verdict of cert as check `name`; extra is a further problem of the leaf. */
static es_err chain_to_report(es_report *r, const char *name, X509 *cert, const es_cert_report *cr,
                              const char *when, const char *extra)
{
    es__sb d = {0};
    es_verdict v = es_cert_report_verdict(cr);
    STACK_OF(X509) *chain = es_cert_report_get0_chain(cr);
    char anchor[512];
    es_err rc;

    if (!leaf_usage_ok(cert)) {
        v = ES_INVALID;
        es__sb_str(&d, "depth 0: keyUsage allows neither digitalSignature nor nonRepudiation");
        es__sb_str(&d, es_cert_report_nproblems(cr) > 0 || extra != NULL ? "; " : "");
    }
    if (extra != NULL) {
        v = ES_INVALID;
        es__sb_printf(&d, "depth 0: %s", extra);
        es__sb_str(&d, es_cert_report_nproblems(cr) > 0 ? "; " : "");
    }
    chain_problems(cr, &d);
    if (v == ES_VALID) {
        es__subject(sk_X509_value(chain, sk_X509_num(chain) - 1), anchor, sizeof(anchor));
        es__sb_printf(&d, "chain of %d to %s verified at %s; revocation %s", sk_X509_num(chain),
                      anchor, when,
                      es_cert_report_revocation_checked(cr) ? "checked" : "not checked (no CRL)");
    } else {
        es__sb_printf(&d, " (verified at %s)", when);
    }
    if (d.err != ES_OK)
        rc = d.err;
    else if (v == ES_INDETERMINATE)
        rc = es_report_add_indeterminate(r, name, "%s", d.p);
    else
        rc = es_report_add(r, name, v == ES_VALID ? ES_CHECK_PASSED : ES_CHECK_FAILED, "%s", d.p);
    free(d.p);
    return rc;
}

es_err es__chain_check(es_report *r, const char *name, X509 *cert, const es_verify_opts *vo,
                       const char *extra)
{
    es_err rc;
    es_cert_report *cr = NULL;
    char when[ES_TIME_STRLEN];

    es__time_text(vo->has_at ? vo->at : es_time_now(), when);
    if ((rc = es_cert_verify(cert, vo, &cr)) != ES_OK)
        return rc;
    rc = chain_to_report(r, name, cert, cr, when, extra);
    es_cert_report_free(cr);
    return rc;
}

es_err es__ext_report(es_report *r, const char *name, const es__ext *e)
{
    es__sb d = {0};
    size_t ncrit = 0;
    es_err rc;

    if (e->n == 0)
        return ES_OK;
    for (size_t i = 0; i < e->n; i++) {
        if (!e->v[i].critical)
            continue;
        es__sb_str(&d, ncrit++ > 0 ? ", " : "");
        es__sb_str(&d, e->v[i].oid);
    }
    if (d.err != ES_OK)
        rc = d.err;
    else if (ncrit > 0)
        rc = es_report_add(r, name, ES_CHECK_SKIPPED,
                           "%zu extDatas; critical and not understood (reported, not enforced): %s",
                           e->n, d.p);
    else
        rc = es_report_add(r, name, ES_CHECK_PASSED, "%zu extDatas, none critical", e->n);
    free(d.p);
    return rc;
}

es_err es__seal_checks(es_report *r, const es_seal *s, const es_verify_opts *vo)
{
    es_err rc = es__seal_check_maker_sig(s);
    char maker[512];

    es__subject(s->maker, maker, sizeof(maker));
    if (rc == ES_OK)
        rc = es_report_add(
            r, "seal.maker_signature", ES_CHECK_PASSED,
            "SM2 signature over %s (%zu bytes) verifies with the maker certificate %s",
            s->version == ES_SES_V1 ? "SEQUENCE{SES_SealInfo, cert, alg}" : "DER(SES_SealInfo)",
            s->tbs.len, maker);
    else if (rc != ES_ERR_NOMEM)
        rc = es_report_add(r, "seal.maker_signature", ES_CHECK_FAILED, "%s", es_errdetail());
    if (rc != ES_OK)
        return rc;
    return es__chain_check(r, "seal.maker_cert", s->maker, vo, NULL);
}

const char *es__version_name(es_ses_version v)
{
    switch (v) {
    case ES_SES_V1:
        return "v1 (GM/T 0031-2014)";
    case ES_SES_V4:
        return "v4 (GB/T 38540-2020)";
    case ES_SES_V5:
        return "v5 (header version 5)";
    }
    return "unknown version";
}
