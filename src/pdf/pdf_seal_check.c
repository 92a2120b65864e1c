/* The checks after the signature value: signer chain, and the SESeal a gm signature carries. */
#include <string.h>

#include <openssl/objects.h>

#include "eseal/crypto.h"
#include "pdf/pdf_verify_local.h"

es_err es__pdf_chain_check(es_report *r, const char *name, X509 *cert, STACK_OF(X509) * extra,
                           const es_verify_opts *vo)
{
    es_verify_opts v = *vo;
    es_cert_report *cr = NULL;
    es__sb t = ES__PDF_SB_INIT;
    es_verdict verdict;
    char *text = NULL;
    es_err rc = ES_OK;

    v.untrusted = sk_X509_new_null();
    for (int i = 0; v.untrusted && vo->untrusted && i < sk_X509_num(vo->untrusted); i++)
        sk_X509_push(v.untrusted, sk_X509_value(vo->untrusted, i));
    for (int i = 0; v.untrusted && extra && i < sk_X509_num(extra); i++) {
        es_cert_set_sm2_id(sk_X509_value(extra, i), NULL, 0);
        sk_X509_push(v.untrusted, sk_X509_value(extra, i));
    }
    if (v.untrusted == NULL || (rc = es_cert_verify(cert, &v, &cr)) != ES_OK)
        goto end;
    verdict = es_cert_report_verdict(cr);
    for (size_t i = 0; i < es_cert_report_nproblems(cr); i++) {
        const es_cert_problem *p = es_cert_report_problem(cr, i);
        es__sb_printf(&t, "%sdepth %d (%.300s): %.300s", i ? "; " : "", p->depth, p->subject,
                      p->message);
    }
    if ((text = es__sb_cstr(&t)) == NULL)
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
    else if (verdict == ES_VALID)
        rc = es_report_add(r, name, ES_CHECK_PASSED, "the chain to a trust anchor verifies");
    else if (verdict == ES_INDETERMINATE)
        rc = es_report_add_indeterminate(r, name, "%s", text);
    else
        rc = es_report_add(r, name, ES_CHECK_FAILED, "%s", text);
end:
    es__sb_free(&t);
    es_free(text);
    sk_X509_free(v.untrusted);
    es_cert_report_free(cr);
    return rc;
}

es_err es__pdf_report_merge(es_report *to, const es_report *from, const char *skip)
{
    es_err rc = ES_OK;
    const char *k, *v;

    for (size_t i = 0; i < es_report_ncheck(from) && rc == ES_OK; i++) {
        const es_check *c = es_report_check(from, i);
        if (skip != NULL && strcmp(c->name, skip) == 0)
            continue;
        rc = c->indeterminate ? es_report_add_indeterminate(to, c->name, "%s", c->detail)
                              : es_report_add(to, c->name, c->result, "%s", c->detail);
    }
    for (size_t i = 0; i < es_report_ninfo(from) && rc == ES_OK; i++)
        if ((rc = es_report_info(from, i, &k, &v)) == ES_OK && es_report_get_info(to, k) == NULL)
            rc = es_report_set_info(to, k, v);
    return rc;
}

/* The signer's certificate is one the seal lists (certListType 1 bytes, 2 SM3 digests). */
static int cert_in_seal(const es_seal *s, X509 *cert)
{
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der), in = 0;
    uint8_t h[ES_SM3_LEN];

    if (n <= 0 || es_sm3(der, (size_t)n, h) != ES_OK) {
        OPENSSL_free(der);
        return 0;
    }
    for (size_t i = 0; i < es_seal_ncert(s) && !in; i++) {
        const es_seal_cert *c = es_seal_cert_get0(s, i);
        in = (c->der && c->der_len == (size_t)n && memcmp(c->der, der, (size_t)n) == 0) ||
             (c->digest && c->digest_len == ES_SM3_LEN && memcmp(c->digest, h, ES_SM3_LEN) == 0);
    }
    OPENSSL_free(der);
    return in;
}

static es_err seal_checks(es_report *r, const ASN1_STRING *v, X509 *cert, int has_t, es_time t,
                          const es_ses_verify_opts *so)
{
    es_seal *s = NULL;
    es_report *sr = NULL;
    const es_check *f;
    es_err rc = es_seal_parse(v->data, (size_t)v->length, &s);

    if (rc != ES_OK) {
        rc = rc == ES_ERR_NOMEM
                 ? rc
                 : es_report_add(r, "seal.format", ES_CHECK_FAILED,
                                 "the seal attribute is not a SESeal: %s", es_errdetail());
        goto end;
    }
    if ((rc = es_seal_verify(s, so, &sr)) != ES_OK)
        goto end;
    if ((f = es_report_find(sr, "format")) != NULL &&
        (rc = es_report_add(r, "seal.format", f->result, "%s", f->detail)) != ES_OK)
        goto end;
    if ((rc = es__pdf_report_merge(r, sr, "format")) != ES_OK)
        goto end;
    rc =
        es_report_add(r, "signature.cert_in_seal",
                      cert_in_seal(s, cert) ? ES_CHECK_PASSED : ES_CHECK_FAILED, "%s",
                      cert_in_seal(s, cert) ? "the signer's certificate is in the seal's list"
                                            : "the signer's certificate is not in the seal's list");
    if (rc == ES_OK && !has_t)
        rc = es_report_add_indeterminate(r, "signature.time_in_seal_validity",
                                         "the signature has no signingTime attribute");
    else if (rc == ES_OK)
        rc = es_report_add(
            r, "signature.time_in_seal_validity",
            t >= es_seal_valid_start(s) && t <= es_seal_valid_end(s) ? ES_CHECK_PASSED
                                                                     : ES_CHECK_FAILED,
            "signed %s the seal's validity period",
            t >= es_seal_valid_start(s) && t <= es_seal_valid_end(s) ? "within" : "outside");
    if (rc == ES_OK)
        rc = es_report_set_info(r, "esID", es_seal_esid(s));
end:
    es_report_free(sr);
    es_seal_free(s);
    return rc;
}

es_err es__pdf_signer_checks(es_report *r, X509 *cert, STACK_OF(X509) * certs,
                             STACK_OF(X509_ATTRIBUTE) * auth, int has_t, es_time t,
                             const es_pdf_verify_opts *o)
{
    es_ses_verify_opts so = {0};
    ASN1_OBJECT *oid = OBJ_txt2obj(ES__PDF_OID_SEAL_ATTR, 1);
    int i = oid ? X509at_get_attr_by_OBJ(auth, oid, -1) : -1;
    ASN1_TYPE *v = i >= 0 ? X509_ATTRIBUTE_get0_type(X509at_get_attr(auth, i), 0) : NULL;
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    es_err rc;

    so.chain = o->chain;
    /* the SignedData's certificates are intermediates for the seal maker's chain too */
    for (int k = 0; untrusted && o->chain.untrusted && k < sk_X509_num(o->chain.untrusted); k++)
        sk_X509_push(untrusted, sk_X509_value(o->chain.untrusted, k));
    for (int k = 0; untrusted && certs && k < sk_X509_num(certs); k++)
        sk_X509_push(untrusted, sk_X509_value(certs, k));
    if (untrusted == NULL) {
        ASN1_OBJECT_free(oid);
        return es__fail(ES_ERR_NOMEM, "out of memory");
    }
    so.chain.untrusted = untrusted;
    /* the chain at the signing time, unless the caller fixed a verification time */
    if (!so.chain.has_at && has_t) {
        so.chain.at = t;
        so.chain.has_at = 1;
    }
    rc = es__pdf_chain_check(r, "signature.signer_cert", cert, certs, &so.chain);
    if (rc == ES_OK && v != NULL && v->type == V_ASN1_SEQUENCE)
        rc = seal_checks(r, v->value.sequence, cert, has_t, t, &so);
    else if (rc == ES_OK && v != NULL)
        rc = es_report_add(r, "seal.format", ES_CHECK_FAILED,
                           "the seal attribute is not a SEQUENCE");
    ASN1_OBJECT_free(oid);
    sk_X509_free(untrusted);
    return rc;
}
