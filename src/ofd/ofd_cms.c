/* Type="Sign" OFD signatures: a GM/T 0010 SignedData over Signature.xml (src/cms), or a bare
 * SM2 signature checked against the certificates the caller gives. */
#include <string.h>

#include <openssl/x509.h>

#include "cms/cms_local.h"
#include "eseal/crypto.h"
#include "eseal_local.h"
#include "ofd/ofd_local.h"

es_err es__ofd_cms_sign(const es_key *key, X509 *cert, const void *data, size_t n, es_time t,
                        es_buf *out)
{
    uint8_t md[ES_SM3_LEN];
    es_err rc = es_sm3(data, n, md);

    return rc == ES_OK ? es__cms_sign_gm(key, cert, NULL, md, t, NULL, out) : rc;
}

static es_err sm2_check(const uint8_t *msg, size_t n, const uint8_t *sig, size_t sn, X509 *cert)
{
    es_key *k = NULL;
    es_err rc = es_key_from_cert(cert, &k);

    if (rc == ES_OK)
        rc = es_sm2_verify(k, NULL, 0, msg, n, sig, sn);
    es_key_free(k);
    return rc;
}

/* A bare SM2 signature (r||s or DER) carries no certificate: try the ones given. */
static es_err bare_check(es_report *r, const uint8_t *sv, size_t svn, const void *data, size_t n,
                         const es_ofd_verify_opts *o)
{
    es_err rc;
    int ncert = o->signer_certs ? sk_X509_num(o->signer_certs) : 0;
    char who[300] = "";

    if ((rc = es_report_add(r, "format", ES_CHECK_PASSED, "a bare SM2 signature (%zu bytes)",
                            svn)) != ES_OK)
        return rc;
    for (int i = 0; i < ncert; i++) {
        X509 *c = sk_X509_value(o->signer_certs, i);
        if (es_cert_set_sm2_id(c, NULL, 0) != ES_OK || sm2_check(data, n, sv, svn, c) != ES_OK)
            continue;
        X509_NAME_oneline(X509_get_subject_name(c), who, sizeof(who));
        if ((rc = es_report_add(r, "signature.value", ES_CHECK_PASSED,
                                "SM2 signature over Signature.xml verifies with %s", who)) !=
                ES_OK ||
            (rc = es__ofd_chain_check(r, "signature.signer_cert", c, &o->chain)) != ES_OK)
            return rc;
        return es_report_add(r, "data.hash", ES_CHECK_PASSED,
                             "the bare signature covers Signature.xml itself");
    }
    es__ossl_clear();
    if (ncert > 0)
        return es_report_add(r, "signature.value", ES_CHECK_FAILED,
                             "the bare SM2 signature verifies with none of the %d given signer "
                             "certificates",
                             ncert);
    return es_report_add_indeterminate(r, "signature.value",
                                       "a bare SM2 signature carries no certificate: give the "
                                       "signer's certificate to check it");
}

es_err es__ofd_cms_verify(es_report *r, const uint8_t *sv, size_t svn, const void *data, size_t n,
                          const es_ofd_verify_opts *o)
{
    es__cms_data d = {{data, NULL}, {n, 0}, "Signature.xml"};
    es__cms c;
    uint8_t raw[64];
    char oid[80];
    es_err rc;

    if (es__cms_parse(sv, svn, &c, oid)) {
        rc = es__cms_check(r, sv, &c, &d);
        if (rc == ES_OK && c.cert != NULL)
            rc = es__ofd_chain_check(r, "signature.signer_cert", c.cert, &o->chain);
    } else if (c.asn1 == NULL && es_sm2_sig_to_raw(sv, svn, raw) == ES_OK) {
        rc = bare_check(r, sv, svn, data, n, o);
    } else {
        rc = es_report_add(r, "format", ES_CHECK_FAILED,
                           "SignedValue.dat is neither a SignedData nor an SM2 signature%s%s",
                           oid[0] ? ": content type " : "", oid);
    }
    es__ossl_clear();
    es__cms_release(&c);
    return rc;
}

es_err es__ofd_chain_check(es_report *r, const char *name, X509 *cert, const es_verify_opts *vo)
{
    es_err rc;
    es_cert_report *cr = NULL;
    es__sb t = {0};
    es_verdict v;

    if ((rc = es_cert_verify(cert, vo, &cr)) != ES_OK)
        return rc;
    v = es_cert_report_verdict(cr);
    for (size_t i = 0; i < es_cert_report_nproblems(cr); i++) {
        const es_cert_problem *p = es_cert_report_problem(cr, i);
        es__sb_printf(&t, "%sdepth %d (%.300s): %.300s", i ? "; " : "", p->depth, p->subject,
                      p->message);
    }
    if (t.err != ES_OK)
        rc = t.err;
    else if (v == ES_VALID)
        rc = es_report_add(r, name, ES_CHECK_PASSED, "the chain to a trust anchor verifies");
    else if (v == ES_INDETERMINATE)
        rc = es_report_add_indeterminate(r, name, "%s", t.p ? t.p : "");
    else
        rc = es_report_add(r, name, ES_CHECK_FAILED, "%s", t.p ? t.p : "");
    es__sb_free(&t);
    es_cert_report_free(cr);
    return rc;
}
