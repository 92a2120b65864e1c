/* The test PKI (testutil_pki.h): one CA, maker and signer setup instead of one per test file. */
#include <stdio.h>
#include <string.h>

#include "eseal/image.h"
#include "testutil.h"
#include "testutil_pki.h"

#define PASS "eseal-test-ca-pass"

X509 *tu_pki_issue(const tu_pki *p, es_cert_profile profile, const char *subject, const es_key *k)
{
    es_ca_issue_opts o = {.profile = profile, .subject = subject, .pubkey = k};
    X509 *x = NULL;

    if (es_ca_issue(p->ca, &o, &x) != ES_OK)
        print_error("issue %s: %s\n", subject, es_errdetail());
    return x;
}

int tu_pki_init(tu_pki *p, const char *label)
{
    char root[256], maker[128], signer[128], dir[4096];
    es_ca_init_opts o = {.subject = root};

    snprintf(root, sizeof(root), "CN=eseal %s Test Root,O=eseal,C=CN", label);
    snprintf(maker, sizeof(maker), "CN=%s Maker,C=CN", label);
    snprintf(signer, sizeof(signer), "CN=%s Signer,C=CN", label);
    snprintf(dir, sizeof(dir), "%s", tu_tmp("ca"));
    memset(p, 0, sizeof(*p));
    if (es_ca_init(dir, &o, PASS, &p->ca) != ES_OK || es_key_generate_sm2(&p->maker_key) != ES_OK ||
        es_key_generate_sm2(&p->signer_key) != ES_OK) {
        print_error("test CA: %s\n", es_errdetail());
        return -1;
    }
    p->maker = tu_pki_issue(p, ES_PROFILE_MAKER, maker, p->maker_key);
    p->signer = tu_pki_issue(p, ES_PROFILE_SIGNER, signer, p->signer_key);
    return p->maker != NULL && p->signer != NULL ? 0 : -1;
}

void tu_pki_free(tu_pki *p)
{
    es_ca_free(p->ca);
    es_key_free(p->maker_key);
    es_key_free(p->signer_key);
    X509_free(p->maker);
    X509_free(p->signer);
    memset(p, 0, sizeof(*p));
}

STACK_OF(X509) * tu_pki_trust(const tu_pki *p)
{
    STACK_OF(X509) *sk = sk_X509_new_null();
    X509 *root = es_ca_get0_root(p->ca);

    if (sk != NULL && X509_up_ref(root) && !sk_X509_push(sk, root))
        X509_free(root);
    return sk;
}

es_err tu_seal_make(const tu_pki *p, int type, const char *name, const es_buf *png, es_seal **out)
{
    es_image_round_opts ro = {.name = "易印测试有限公司", .text = "合同专用章", .dpi = 300};
    es_buf drawn = {0}, der = {0};
    STACK_OF(X509) *sk = sk_X509_new_null();
    es_seal_make_opts o = {.type = type,
                           .name = name,
                           .signers = sk,
                           .valid_start = es_time_now() - TU_DAY,
                           .valid_end = es_time_now() + 365 * TU_DAY};
    es_err rc = png != NULL ? ES_OK : es_image_round(&ro, &drawn);

    *out = NULL;
    if (png == NULL) {
        png = &drawn;
        o.width_mm = o.height_mm = 42;
    }
    o.picture = png->data;
    o.picture_len = png->len;
    if (sk == NULL || !sk_X509_push(sk, p->signer))
        rc = ES_ERR_NOMEM;
    if (rc == ES_OK && (rc = es_seal_make(&o, p->maker_key, p->maker, &der)) == ES_OK)
        rc = es_seal_parse(der.data, der.len, out);
    if (rc != ES_OK)
        print_error("seal %s: %s\n", name, es_errdetail());
    sk_X509_free(sk);
    es_buf_free(&der);
    es_buf_free(&drawn);
    return rc;
}
