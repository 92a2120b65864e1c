/* PDF signatures over src/cms: the ByteRange as the signed data, the seal as a gm attribute. */
#include <openssl/evp.h>

#include "cms/cms_local.h"
#include "crypto/cert_der.h"
#include "pdf/pdf_local.h"
#include "pdf/pdf_verify_local.h"

/* The ByteRange's two spans as the signed data of a SignedData. */
static es__cms_data ranges_data(const es__pdf_ranges *rg)
{
    es__cms_data d = {{rg->p + rg->a0, rg->p + rg->b0},
                      {rg->a1 - rg->a0, rg->b1 - rg->b0},
                      "the ByteRange bytes"};

    return d;
}

es_err es__pdf_ranges_sm3(const es__pdf_ranges *rg, uint8_t md[32])
{
    es__cms_data d = ranges_data(rg);

    return es__cms_data_digest(&d, EVP_sm3(), md, NULL);
}

es_err es__pdf_ranges_sha256(const es__pdf_ranges *rg, uint8_t md[32])
{
    es__cms_data d = ranges_data(rg);

    return es__cms_data_digest(&d, EVP_sha256(), md, NULL);
}

size_t es__pdf_cms_certs_len(X509 *cert, STACK_OF(X509) * chain)
{
    size_t n = es__cert_der(cert, NULL);

    for (int i = 0; chain != NULL && i < sk_X509_num(chain); i++)
        n += es__cert_der(sk_X509_value(chain, i), NULL);
    return n;
}

es_err es__pdf_cms_sign_gm(const es_key *key, X509 *cert, STACK_OF(X509) * chain,
                           const es_seal *seal, const uint8_t md[32], es_time t, es_buf *out)
{
    es__cms_attr attr = {ES__PDF_OID_SEAL_ATTR, NULL, 0};

    if (seal != NULL)
        attr.der = es_seal_der(seal, &attr.n);
    return es__cms_sign_gm(key, cert, chain, md, t, seal != NULL ? &attr : NULL, out);
}

es_err es__pdf_cms_verify(es_report *r, const uint8_t *p, size_t n, const es__pdf_ranges *rg,
                          const es_pdf_verify_opts *o)
{
    es__cms_data d = ranges_data(rg);
    es__cms c;
    char oid[80];
    es_err rc;

    if (!es__cms_parse(p, n, &c, oid))
        rc = es_report_add(r, "format", ES_CHECK_FAILED, "/Contents is not a SignedData%s%s",
                           oid[0] ? ": content type " : "", oid);
    else if ((rc = es__cms_check(r, p, &c, &d)) == ES_OK && c.cert != NULL)
        rc = es__pdf_signer_checks(r, c.cert, c.asn1->sd->certs, c.si->auth, c.has_time, c.time, o);
    es__cms_release(&c);
    return rc;
}
