/* PDF signing and verification for the server, through the PDF library (include/eseal/pdf.h). */
#include "eseal/pdf.h"
#include "seal_local.h"

srv_code svc_pdf_sign(const es_buf *in, const svc_place *pl, const srv_signer *sg, es_buf *out,
                      srv_error *err)
{
    es_pdf_sign_opts o = {0};
    es_err rc;

    o.format = ES_PDF_GM;
    o.seal = sg->ses;
    o.key = sg->key;
    o.cert = sg->cert;
    o.page = pl->keyword ? 0 : pl->page;
    o.x_mm = pl->x_mm;
    o.y_mm = pl->y_mm;
    o.keyword = pl->keyword;
    o.cross_page = pl->cross_page;
    rc = es_pdf_sign(in->data, in->len, &o, out);
    if (rc == ES_ERR_ARG || rc == ES_ERR_FORMAT || rc == ES_ERR_UNSUPPORTED)
        return srv_fail(err, SRV_INVALID, "cannot sign: %s", es_errdetail());
    return srv_from_es(err, rc, "sign");
}

srv_code svc_pdf_verify(const es_buf *in, const es_verify_opts *vo, char **json, int *valid,
                        srv_error *err)
{
    es_pdf_verify_opts o = {0};
    es_doc_report *r = NULL;
    es_err rc;

    o.chain = *vo;
    if ((rc = es_pdf_verify(in->data, in->len, &o, &r)) == ES_OK) {
        *valid = es_doc_report_status(r) == ES_VALID;
        rc = es_doc_report_to_json(r, 0, json);
    }
    es_doc_report_free(r);
    return srv_from_es(err, rc, "verify");
}
