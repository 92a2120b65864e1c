/* Verifying seals and signatures in the GB/T 38540 order, each check recorded in a report. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/crypto.h"
#include "eseal_local.h"
#include "ses/ses_local.h"

/* `what` (the verification or signing time) inside [validStart, validEnd], bounds included. */
static es_err validity_check(es_report *r, const char *name, const es_seal *s, es_time t,
                             const char *what)
{
    char at[ES_TIME_STRLEN], from[ES_TIME_STRLEN], to[ES_TIME_STRLEN];

    es__time_text(t, at);
    es__time_text(s->start, from);
    es__time_text(s->end, to);
    if (s->start > s->end)
        return es_report_add(r, name, ES_CHECK_FAILED, "validStart %s is after validEnd %s", from,
                             to);
    if (t < s->start)
        return es_report_add(r, name, ES_CHECK_FAILED, "%s %s is before validStart %s", what, at,
                             from);
    if (t > s->end)
        return es_report_add(r, name, ES_CHECK_FAILED, "%s %s is after validEnd %s", what, at, to);
    return es_report_add(r, name, ES_CHECK_PASSED, "%s %s is within %s .. %s", what, at, from, to);
}

static es_err timestamp_check(es_report *r, const char *name, int has, size_t len)
{
    if (!has)
        return ES_OK;
    return es_report_add(r, name, ES_CHECK_SKIPPED,
                         "timestamp present (%zu bytes), verified in a later release", len);
}

static es_err seal_format(es_report *r, const es_seal *s, const char *what)
{
    if (strcmp(s->header_id, "ES") != 0)
        return es_report_add(r, "format", ES_CHECK_FAILED, "SES_Header.ID is \"%s\", not \"ES\"",
                             s->header_id);
    return es_report_add(r, "format", ES_CHECK_PASSED, "%s %s, %zu bytes%s (header version %ld)",
                         es__version_name(s->version), what, s->der.len,
                         s->trailing > 0 ? " and trailing bytes ignored" : "", s->header_version);
}

static es_err seal_info(es_report *r, const es_seal *s, const char *prefix)
{
    es_err rc;
    char maker[512], key[32];

    es__subject(s->maker, maker, sizeof(maker));
    snprintf(key, sizeof(key), "%sesID", prefix);
    if ((rc = es_report_set_info(r, key, s->esid)) != ES_OK)
        return rc;
    snprintf(key, sizeof(key), "%sname", prefix);
    if ((rc = es_report_set_info(r, key, s->name)) != ES_OK)
        return rc;
    snprintf(key, sizeof(key), "%smaker", prefix);
    return es_report_set_info(r, key, maker);
}

static es_err common_info(es_report *r, const char *object, es_ses_version v, es_time t)
{
    es_err rc;
    char at[ES_TIME_STRLEN];

    es__time_text(t, at);
    if ((rc = es_report_set_info(r, "object", object)) != ES_OK ||
        (rc = es_report_set_info(r, "version", es__version_name(v))) != ES_OK)
        return rc;
    return es_report_set_info(r, "verification_time", at);
}

es_err es_seal_verify(const es_seal *s, const es_ses_verify_opts *opts, es_report **out)
{
    es_err rc;
    es_report *r = NULL;
    const es_verify_opts *vo = &opts->chain;
    es_time at = vo->has_at ? vo->at : es_time_now();

    assert(s != NULL && opts != NULL && out != NULL);
    *out = NULL;
    if ((rc = es_report_new(&r)) != ES_OK)
        return rc;
    if ((rc = common_info(r, "seal", s->version, at)) != ES_OK ||
        (rc = seal_info(r, s, "")) != ES_OK || (rc = seal_format(r, s, "SESeal")) != ES_OK ||
        (rc = es__seal_checks(r, s, vo)) != ES_OK ||
        (rc = validity_check(r, "seal.validity", s, at, "verification time")) != ES_OK ||
        (rc = timestamp_check(r, "seal.timestamp", s->has_ts, s->ts.len)) != ES_OK ||
        (rc = es__ext_report(r, "seal.extensions", &s->ext)) != ES_OK)
        goto end;
    *out = r;
    r = NULL;
end:
    es_report_free(r);
    return rc;
}

static es_err value_check(es_report *r, const es_signature *g)
{
    es_err rc;
    es_key *k = NULL;
    char who[512];

    if (!es__alg_is_sm2(g->sig_alg))
        return es_report_add(r, "signature.value", ES_CHECK_FAILED,
                             "signatureAlgID %s is not SM2 with SM3", g->sig_alg);
    es__subject(g->signer, who, sizeof(who));
    if ((rc = es_key_from_cert(g->signer, &k)) == ES_OK)
        rc = es_sm2_verify(k, NULL, 0, g->tbs.data, g->tbs.len, g->sig.data, g->sig.len);
    es_key_free(k);
    if (rc == ES_OK)
        return es_report_add(r, "signature.value", ES_CHECK_PASSED,
                             "SM2 signature over DER(TBS_Sign) (%zu bytes) verifies with the "
                             "signer certificate %s",
                             g->tbs.len, who);
    if (rc == ES_ERR_NOMEM)
        return rc;
    return es_report_add(r, "signature.value", ES_CHECK_FAILED, "%s", es_errdetail());
}

static es_err cert_in_seal_check(es_report *r, const es_signature *g)
{
    es_err rc;
    int found;
    char how[256];

    if ((rc = es__seal_lists_cert(g->seal, g->signer, &found, how, sizeof(how))) != ES_OK)
        return rc;
    return es_report_add(r, "signature.cert_in_seal", found ? ES_CHECK_PASSED : ES_CHECK_FAILED,
                         "signer certificate: %s", how);
}

/* The signer's chain, and its certificate's validity at the signing time (GB/T 38540). */
static es_err signer_check(es_report *r, const es_signature *g, const es_verify_opts *vo)
{
    char extra[160], t[ES_TIME_STRLEN], lim[ES_TIME_STRLEN];
    es_time nb = 0, na = 0;
    const char *why = NULL;

    if (g->has_time && es__time_get(X509_get0_notBefore(g->signer), "notBefore", &nb) == ES_OK &&
        es__time_get(X509_get0_notAfter(g->signer), "notAfter", &na) == ES_OK) {
        es__time_text(g->time, t);
        if (g->time < nb) {
            es__time_text(nb, lim);
            snprintf(extra, sizeof(extra), "signing time %s is before notBefore %s", t, lim);
            why = extra;
        } else if (g->time > na) {
            es__time_text(na, lim);
            snprintf(extra, sizeof(extra), "signing time %s is after notAfter %s", t, lim);
            why = extra;
        }
    }
    return es__chain_check(r, "signature.signer_cert", g->signer, vo, why);
}

static es_err time_check(es_report *r, const es_signature *g)
{
    if (!g->has_time)
        return es_report_add_indeterminate(r, "signature.time_in_seal_validity",
                                           "timeInfo \"%s\" cannot be read as a time",
                                           g->time_text);
    return validity_check(r, "signature.time_in_seal_validity", g->seal, g->time, "signing time");
}

static es_err data_check(es_report *r, const es_signature *g, const es_ses_verify_opts *o)
{
    es_err rc;
    uint8_t md[ES_SM3_LEN];
    char want[2 * ES_SM3_LEN + 1], got[2 * ES_SM3_LEN + 1];

    if (!o->has_data && o->data_hash == NULL)
        return es_report_add(r, "data.hash", ES_CHECK_SKIPPED,
                             "no data given: dataHash of %s "
                             "not checked",
                             g->property);
    if (o->data_hash != NULL)
        memcpy(md, o->data_hash, sizeof(md));
    else if ((rc = es_sm3(o->data, o->data_len, md)) != ES_OK)
        return rc;
    es__hex(md, sizeof(md), want, sizeof(want));
    es__hex(g->hash.data, g->hash.len, got, sizeof(got));
    if (g->hash.len != ES_SM3_LEN)
        return es_report_add(r, "data.hash", ES_CHECK_FAILED,
                             "dataHash has %zu bytes, an SM3 hash has %d", g->hash.len, ES_SM3_LEN);
    if (memcmp(md, g->hash.data, sizeof(md)) != 0)
        return es_report_add(r, "data.hash", ES_CHECK_FAILED,
                             "dataHash %s is not SM3 of the data (%s)", got, want);
    return es_report_add(r, "data.hash", ES_CHECK_PASSED, "dataHash is SM3 of the data (%s)", want);
}

static es_err sig_info(es_report *r, const es_signature *g)
{
    es_err rc;
    char who[512];

    es__subject(g->signer, who, sizeof(who));
    if ((rc = es_report_set_info(r, "signing_time", g->time_text)) != ES_OK ||
        (rc = es_report_set_info(r, "property", g->property)) != ES_OK ||
        (rc = es_report_set_info(r, "signer", who)) != ES_OK)
        return rc;
    return seal_info(r, g->seal, "seal.");
}

static es_err sig_format(es_report *r, const es_signature *g)
{
    return es_report_add(
        r, "format", ES_CHECK_PASSED, "%s SES_Signature, %zu bytes%s, with a %s seal",
        es__version_name(g->version), g->der.len,
        g->trailing > 0 ? " and trailing bytes ignored" : "", es__version_name(g->seal->version));
}

es_err es_signature_verify(const es_signature *g, const es_ses_verify_opts *opts, es_report **out)
{
    es_err rc;
    es_report *r = NULL;
    const es_verify_opts *vo = &opts->chain;

    assert(g != NULL && opts != NULL && out != NULL);
    *out = NULL;
    if ((rc = es_report_new(&r)) != ES_OK)
        return rc;
    if ((rc = common_info(r, "signature", g->version, vo->has_at ? vo->at : es_time_now())) !=
            ES_OK ||
        (rc = sig_info(r, g)) != ES_OK || (rc = sig_format(r, g)) != ES_OK ||
        (rc = value_check(r, g)) != ES_OK || (rc = cert_in_seal_check(r, g)) != ES_OK ||
        (rc = signer_check(r, g, vo)) != ES_OK || (rc = es__seal_checks(r, g->seal, vo)) != ES_OK ||
        (rc = time_check(r, g)) != ES_OK ||
        (rc = timestamp_check(r, "signature.timestamp", g->has_ts, g->ts.len)) != ES_OK ||
        (rc = data_check(r, g, opts)) != ES_OK ||
        (rc = es__ext_report(r, "seal.extensions", &g->seal->ext)) != ES_OK ||
        (rc = es__ext_report(r, "signature.extensions", &g->ext)) != ES_OK)
        goto end;
    *out = r;
    r = NULL;
end:
    es_report_free(r);
    return rc;
}

/* A report for input that could not be parsed: one failed "format" check. */
static es_err format_failed(const char *object, const char *why, es_report **out)
{
    es_err rc;
    es_report *r = NULL;

    if ((rc = es_report_new(&r)) == ES_OK &&
        (rc = es_report_set_info(r, "object", object)) == ES_OK)
        rc = es_report_add(r, "format", ES_CHECK_FAILED, "%s", why);
    if (rc == ES_OK)
        *out = r;
    else
        es_report_free(r);
    return rc;
}

es_err es_ses_verify(const uint8_t *p, size_t n, const es_ses_verify_opts *opts, es_report **out)
{
    es_err rc;
    int kind = 0;
    es_seal *s = NULL;
    es_signature *g = NULL;
    char why[1024];

    assert((p != NULL || n == 0) && opts != NULL && out != NULL);
    *out = NULL;
    rc = es_ses_detect(p, n, &kind);
    if (rc == ES_OK && kind == ES_SES_OBJ_SEAL)
        rc = es_seal_parse(p, n, &s);
    else if (rc == ES_OK)
        rc = es_signature_parse(p, n, &g);
    if (rc == ES_ERR_FORMAT || rc == ES_ERR_LIMIT || rc == ES_ERR_UNSUPPORTED) {
        snprintf(why, sizeof(why), "%s", es_errdetail());
        rc = format_failed(kind == ES_SES_OBJ_SEAL        ? "seal"
                           : kind == ES_SES_OBJ_SIGNATURE ? "signature"
                                                          : "unknown",
                           why, out);
    } else if (rc == ES_OK) {
        rc = s != NULL ? es_seal_verify(s, opts, out) : es_signature_verify(g, opts, out);
    }
    es_seal_free(s);
    es_signature_free(g);
    return rc;
}
