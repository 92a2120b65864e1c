/* Applying a seal: the refusals, then a strict DER v4 SES_Signature over the caller's data. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/cert_der.h"
#include "crypto/sm2_digest.h"
#include "eseal/crypto.h"
#include "eseal_local.h"
#include "ses/ses_local.h"

/* ES_OK if cert is in the seal's certList, else ES_ERR_ARG saying so. */
static es_err signer_listed(const es_seal *s, X509 *cert)
{
    es_err rc;
    int found = 0;
    unsigned char *der = NULL;
    size_t n;
    char who[512], how[256];

    /* the DER from the writers' cache (they embed it next): encoding it here cost 3.8 us */
    if ((n = es__cert_der(cert, &der)) == 0)
        return es__fail_ossl(ES_ERR_CRYPTO, "cannot encode the signer certificate");
    /* which entry matched is only worth formatting when none did */
    if ((rc = es__seal_lists_der(s, der, n, &found, NULL, 0)) == ES_OK && !found &&
        (rc = es__seal_lists_der(s, der, n, &found, how, sizeof(how))) == ES_OK) {
        es__subject(cert, who, sizeof(who));
        rc = es__fail(ES_ERR_ARG, "the signer certificate (%s) is not in the seal's certList: %s",
                      who, how);
    }
    OPENSSL_free(der);
    return rc;
}

/* Everything that must hold before a signature is made, each with its own error. */
es_err es__seal_check_signer(const es_seal *s, const es_key *k, X509 *cert, es_time t)
{
    es_err rc;
    char who[512], why[512], at[ES_TIME_STRLEN], a[ES_TIME_STRLEN], b[ES_TIME_STRLEN];

    if (s->version != ES_SES_V4)
        return es__fail(ES_ERR_UNSUPPORTED, "eseal signs with v4 seals only; this seal is %s",
                        es__version_name(s->version));
    if (!atomic_load_explicit(&s->maker_ok, memory_order_acquire)) {
        if ((rc = es__seal_check_maker_sig(s)) != ES_OK) {
            snprintf(why, sizeof(why), "%s", es_errdetail());
            return rc == ES_ERR_NOMEM ? rc
                                      : es__fail(ES_ERR_SIGNATURE, "the seal is broken: %s", why);
        }
        /* the seal is not const where it was allocated; only this flag is ever written */
        atomic_store_explicit((atomic_int *)&s->maker_ok, 1, memory_order_release);
    }
    if (!es_key_has_private(k))
        return es__fail(ES_ERR_ARG,
                        "the signer key is a public key: signing needs the private key");
    /* the subject only for the message: formatting it cost a tenth of a data item's signing */
    if (es_key_match_cert(k, cert) != ES_OK) {
        es__subject(cert, who, sizeof(who));
        return es__fail(ES_ERR_KEY_MISMATCH,
                        "the signer key does not belong to the signer certificate (%s)", who);
    }
    if ((rc = signer_listed(s, cert)) != ES_OK)
        return rc;
    if (t < s->start || t > s->end) {
        es__time_text(t, at);
        es__time_text(s->start, a);
        es__time_text(s->end, b);
        return es__fail(ES_ERR_STATE, "signing time %s is outside the seal's validity %s .. %s", at,
                        a, b);
    }
    return ES_OK;
}

/*
 * Read back what was written: its skeleton must be a v4 SES_Signature (TLV walk only, no
 * certificate parsing) and its signature value must verify over the TBS_Sign bytes it holds.
 * e is SM3(Z || those bytes) when w says where they were hashed and they still lie there; the
 * check then costs no second pass over the 140 KB seal inside, and still catches a faulty
 * signature (what it is for) before it is released.
 */
static es_err self_check(const es_buf *der, const es_key *k, const es__sigw *w, const uint8_t e[32])
{
    es_err rc;
    es__sig_layout l;
    const uint8_t *sig;
    uint8_t e2[ES_SM3_LEN];
    char why[512];

    if ((rc = es__sig_layout_read(der->data, der->len, &l)) == ES_OK) {
        sig = der->data + ES__TLV_CONTENT(l.sig);
        if (l.v1 || ES__TLV_END(l.all) != der->len || l.sig.tag != 0x03 || l.sig.len < 1 ||
            sig[0] != 0)
            rc = es__fail(ES_ERR_FORMAT, "not a strict v4 SES_Signature");
        else if (!w->moved && l.tbs.off == w->tbs_off && ES__TLV_SIZE(l.tbs) == w->tbs_len)
            rc = es__sm2_verify_digest(k, e, sig + 1, l.sig.len - 1);
        else if ((rc = es__sm2_e(k, NULL, 0, der->data + l.tbs.off, ES__TLV_SIZE(l.tbs), e2)) ==
                 ES_OK)
            rc = es__sm2_verify_digest(k, e2, sig + 1, l.sig.len - 1);
    }
    if (rc != ES_OK) {
        snprintf(why, sizeof(why), "%s", es_errdetail());
        rc = es__fail(ES_ERR_INTERNAL, "the signature just made does not verify: %s", why);
    }
    return rc;
}

/*
 * The TBS_Sign is written once into the output (es__sigw, sig_der.c), hashed there once into
 * e = SM3(Z || TBS_Sign), signed over e, and the self-check verifies over the same e.
 */
es_err es_seal_sign_hash(const es_seal *seal, const es_key *signer_key, X509 *signer_cert,
                         const uint8_t hash[32], const char *property, es_time signing_time,
                         es_buf *der)
{
    es_err rc;
    es__sigw w;
    es_buf sig = {0};
    uint8_t e[ES_SM3_LEN];
    es_time when = signing_time != 0 ? signing_time : es_time_now();

    assert(seal != NULL && signer_key != NULL && signer_cert != NULL && hash != NULL);
    assert(der != NULL);
    der->data = NULL;
    der->len = 0;
    if ((rc = es__seal_check_signer(seal, signer_key, signer_cert, when)) != ES_OK)
        return rc;
    /* The seal goes in as the bytes it was parsed from: re-encoding could change what the maker
     * signed, and Seal.esl beside an OFD signature must stay byte-equal to it. */
    if ((rc = es__sigw_begin(&w, seal->der.data, seal->der.len, signer_cert, hash, property,
                             when)) != ES_OK ||
        (rc = es__sm2_e(signer_key, NULL, 0, w.buf + w.tbs_off, w.tbs_len, e)) != ES_OK ||
        (rc = es__sm2_sign_digest(signer_key, e, &sig)) != ES_OK ||
        (rc = es__sigw_finish(&w, sig.data, sig.len, der)) != ES_OK)
        goto end;
    if ((rc = self_check(der, signer_key, &w, e)) != ES_OK)
        es_buf_free(der);
end:
    es__sigw_free(&w);
    es_buf_free(&sig);
    return rc;
}

es_err es_seal_sign_data(const es_seal *seal, const es_key *signer_key, X509 *signer_cert,
                         const void *data, size_t n, const char *property, es_time signing_time,
                         es_buf *der)
{
    es_err rc;
    uint8_t md[ES_SM3_LEN];

    assert(data != NULL || n == 0);
    if ((rc = es_sm3(data != NULL ? data : "", n, md)) != ES_OK)
        return rc;
    return es_seal_sign_hash(seal, signer_key, signer_cert, md, property, signing_time, der);
}
