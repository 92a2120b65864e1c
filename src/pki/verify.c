/* Certificate chain verification with OpenSSL's X509_STORE, collecting every problem once. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "eseal_local.h"
#include "pki/pki_local.h"

/* A report never grows past this many problems (a chain has few certificates). */
#define MAX_PROBLEMS 64

struct es_cert_report {
    es_verdict verdict;
    es_cert_problem *problems;
    size_t nproblems;
    int revocation_checked;
    STACK_OF(X509) * chain;
};

/* What the verify callback needs: it sees only the X509_STORE_CTX. */
typedef struct verify_state {
    es_cert_report *r;
    const es_verify_opts *opts;
    es_err err;           /* first failure inside the callback (out of memory) */
    int crl_unusable;     /* a CRL was missing, stale or broken: revocation not checked */
    int chain_unanchored; /* no path to a trust anchor */
    X509_CRL *last_crl;   /* the CRL of the latest callback that named one */
} verify_state;

const char *es_verdict_name(es_verdict v)
{
    switch (v) {
    case ES_VALID:
        return "valid";
    case ES_INVALID:
        return "invalid";
    case ES_INDETERMINATE:
        return "indeterminate";
    }
    return "unknown";
}

es_verdict es_cert_report_verdict(const es_cert_report *r)
{
    assert(r != NULL);
    return r->verdict;
}

size_t es_cert_report_nproblems(const es_cert_report *r)
{
    assert(r != NULL);
    return r->nproblems;
}

const es_cert_problem *es_cert_report_problem(const es_cert_report *r, size_t i)
{
    assert(r != NULL);
    return i < r->nproblems ? &r->problems[i] : NULL;
}

int es_cert_report_revocation_checked(const es_cert_report *r)
{
    assert(r != NULL);
    return r->revocation_checked;
}

STACK_OF(X509) * es_cert_report_get0_chain(const es_cert_report *r)
{
    assert(r != NULL);
    return r->chain;
}

void es_cert_report_free(es_cert_report *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nproblems; i++) {
        free((char *)r->problems[i].subject);
        free((char *)r->problems[i].message);
    }
    free(r->problems);
    sk_X509_pop_free(r->chain, X509_free);
    free(r);
}

/* Errors that mean "could not be checked" rather than "a check failed" (docs/pki.md). */
static int is_indeterminate(int err)
{
    switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_HAS_EXPIRED:
        return 1;
    default:
        return 0;
    }
}

/* Errors about the CRL rather than the certificate: they leave revocation unchecked. */
static int is_crl_error(int err)
{
    switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
    case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
    case X509_V_ERR_DIFFERENT_CRL_SCOPE:
    case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
        return 1;
    default:
        return 0;
    }
}

static int is_trust_anchor(const verify_state *st, const X509 *x)
{
    for (int i = 0; x != NULL && i < sk_X509_num(st->opts->trust); i++) {
        if (X509_cmp(sk_X509_value(st->opts->trust, i), x) == 0)
            return 1;
    }
    return 0;
}

/*
 * OpenSSL 3.0 verifies CRL signatures with an empty SM2 ID; a CRL signed with the standard ID
 * (as eseal's CA does) fails there. Accept it when it verifies with the ID against the issuer
 * OpenSSL chose for it.
 */
static int crl_ok_with_sm2_id(const verify_state *st, X509_STORE_CTX *ctx)
{
    X509_CRL *crl = X509_STORE_CTX_get0_current_crl(ctx);
    X509 *issuer = X509_STORE_CTX_get0_current_issuer(ctx);
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    int depth = X509_STORE_CTX_get_error_depth(ctx);
    EVP_PKEY *key;

    /* After a stale CRL's time check OpenSSL clears current_crl; the callback saw it before. */
    if (crl == NULL)
        crl = st->last_crl;
    if (issuer == NULL && chain != NULL)
        issuer = sk_X509_value(chain, depth + 1 < sk_X509_num(chain) ? depth + 1 : depth);
    if (crl == NULL || issuer == NULL || (key = X509_get0_pubkey(issuer)) == NULL)
        return 0;
    return es__crl_verify_sm2(crl, key);
}

/*
 * Problems the callback drops: the anchor's own revocation, a CA certificate whose issuer's CRL
 * was not given, and SM2 CRLs that OpenSSL misjudges.
 */
static int ignored(const verify_state *st, X509_STORE_CTX *ctx, int err)
{
    /* A trust anchor is trusted as configured; RFC 5280 checks revocation below it only. */
    if (is_crl_error(err) && is_trust_anchor(st, X509_STORE_CTX_get_current_cert(ctx)))
        return 1;
    /*
     * The leaf's issuer must have a CRL in the list; CA certificates are checked when their
     * issuer's CRL is there (a root's CRL is rarely at hand, and es_ca_crl makes the issuing
     * CA's only). docs/pki.md.
     */
    if (err == X509_V_ERR_UNABLE_TO_GET_CRL && X509_STORE_CTX_get_error_depth(ctx) > 0)
        return 1;
    return err == X509_V_ERR_CRL_SIGNATURE_FAILURE && crl_ok_with_sm2_id(st, ctx);
}

/* A certificate or CRL time as "2022-04-21T14:39:08Z" in iso (or a note if unreadable). */
static const char *time_str(const ASN1_TIME *t, char iso[ES_TIME_STRLEN])
{
    es_time et;

    if (t != NULL && es__time_from_asn1(t, &et) == ES_OK && es_time_format(et, iso) == ES_OK)
        return iso;
    return "an unreadable time";
}

/* Why OpenSSL's check_ca() refused x as a CA (X509_V_ERR_INVALID_CA says only "invalid"). */
static const char *why_not_ca(X509 *x)
{
    uint32_t fl = X509_get_extension_flags(x);

    if ((fl & EXFLAG_KUSAGE) && !(X509_get_key_usage(x) & KU_KEY_CERT_SIGN))
        return "keyUsage lacks keyCertSign";
    if (!(fl & EXFLAG_BCONS))
        return "basicConstraints missing: not a CA certificate";
    if (!(fl & EXFLAG_CA))
        return "basicConstraints is CA:FALSE: not a CA certificate";
    return "not a valid CA certificate";
}

/* "revoked at <time> (reason keyCompromise)", from the entry in the CRL that said so. */
static void revoked_message(X509_STORE_CTX *ctx, X509 *x, char *buf, size_t n)
{
    X509_CRL *crl = X509_STORE_CTX_get0_current_crl(ctx);
    X509_REVOKED *rev = NULL;
    ASN1_ENUMERATED *reason = NULL;
    const char *name = "unspecified";
    char iso[ES_TIME_STRLEN];

    if (crl == NULL || x == NULL || X509_CRL_get0_by_cert(crl, &rev, x) != 1 || rev == NULL) {
        snprintf(buf, n, "revoked");
        return;
    }
    /* RFC 5280: an entry without reasonCode means unspecified. */
    reason = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, NULL, NULL);
    if (reason != NULL) {
        name = es__crl_reason_name((int)ASN1_ENUMERATED_get(reason));
        name = name != NULL ? name : "unknown";
    }
    snprintf(buf, n, "revoked at %s (reason %s)",
             time_str(X509_REVOKED_get0_revocationDate(rev), iso), name);
    ASN1_ENUMERATED_free(reason);
}

/* Name the critical extensions OpenSSL does not understand. */
static void critical_exts(X509 *x, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "unsupported critical extension");

    for (int i = 0; x != NULL && i < X509_get_ext_count(x); i++) {
        X509_EXTENSION *ext = X509_get_ext(x, i);
        char oid[80];

        if (!X509_EXTENSION_get_critical(ext) || X509_supported_extension(ext))
            continue;
        OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(ext), 0);
        if (used + strlen(oid) + 2 < n)
            used += (size_t)snprintf(buf + used, n - used, " %s", oid);
    }
}

static void issuer_message(X509 *x, char *buf, size_t n)
{
    char *issuer = NULL;

    if (x != NULL && es_name_format(X509_get_issuer_name(x), &issuer) == ES_OK)
        snprintf(buf, n, "issuer not found: %s", issuer);
    else
        snprintf(buf, n, "issuer not found");
    es_free(issuer);
}

/* Messages for errors that need no look-up. */
static const struct {
    int err;
    const char *msg;
} simple_messages[] = {
    {X509_V_ERR_CERT_SIGNATURE_FAILURE, "signature does not verify with the issuer's public key"},
    {X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE, "signature cannot be read"},
    {X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, "the issuer's public key cannot be decoded"},
    {X509_V_ERR_CRL_SIGNATURE_FAILURE, "its issuer's CRL has a signature that does not verify"},
    {X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE, "its issuer's CRL signature cannot be read"},
    {X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, "malformed notBefore"},
    {X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD, "malformed notAfter"},
    {X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD, "its issuer's CRL has a malformed lastUpdate"},
    {X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD, "its issuer's CRL has a malformed nextUpdate"},
    {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "self-signed and not a trust anchor"},
    {X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, "self-signed root that is not a trust anchor"},
    {X509_V_ERR_UNABLE_TO_GET_CRL, "no CRL from its issuer: revocation not checked"},
    {X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER, "the issuer of its CRL cannot be found"},
    {X509_V_ERR_KEYUSAGE_NO_CERTSIGN, "keyUsage lacks keyCertSign"},
    {X509_V_ERR_KEYUSAGE_NO_CRL_SIGN, "its CRL's issuer has keyUsage without cRLSign"},
    {X509_V_ERR_PATH_LENGTH_EXCEEDED, "basicConstraints path length exceeded"},
    {X509_V_ERR_CERT_CHAIN_TOO_LONG, "chain too long"},
    {X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION,
     "its issuer's CRL has an unsupported critical extension"},
    {X509_V_ERR_DIFFERENT_CRL_SCOPE, "its issuer's CRL does not cover it (different scope)"},
    {X509_V_ERR_INVALID_NON_CA, "a CA certificate used as an end entity"},
};

/* A precise, human message for error err on certificate x. */
static void describe(X509_STORE_CTX *ctx, int err, X509 *x, char *buf, size_t n)
{
    X509_CRL *crl = X509_STORE_CTX_get0_current_crl(ctx);
    char iso[ES_TIME_STRLEN];

    for (size_t i = 0; i < ES__ARRAY_LEN(simple_messages); i++) {
        if (simple_messages[i].err == err) {
            snprintf(buf, n, "%s", simple_messages[i].msg);
            return;
        }
    }
    if (err == X509_V_ERR_CERT_HAS_EXPIRED)
        snprintf(buf, n, "expired at %s", time_str(x ? X509_get0_notAfter(x) : NULL, iso));
    else if (err == X509_V_ERR_CERT_NOT_YET_VALID)
        snprintf(buf, n, "not yet valid (valid from %s)",
                 time_str(x ? X509_get0_notBefore(x) : NULL, iso));
    else if (err == X509_V_ERR_CRL_HAS_EXPIRED)
        snprintf(buf, n, "its issuer's CRL is out of date (nextUpdate %s)",
                 time_str(crl ? X509_CRL_get0_nextUpdate(crl) : NULL, iso));
    else if (err == X509_V_ERR_CRL_NOT_YET_VALID)
        snprintf(buf, n, "its issuer's CRL is not yet valid (lastUpdate %s)",
                 time_str(crl ? X509_CRL_get0_lastUpdate(crl) : NULL, iso));
    else if (err == X509_V_ERR_CERT_REVOKED)
        revoked_message(ctx, x, buf, n);
    else if (err == X509_V_ERR_INVALID_CA)
        snprintf(buf, n, "%s", x ? why_not_ca(x) : "not a valid CA certificate");
    else if (err == X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION)
        critical_exts(x, buf, n);
    else if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
             err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
             err == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE)
        issuer_message(x, buf, n);
    else
        snprintf(buf, n, "%s", X509_verify_cert_error_string(err));
}

/* Append a problem unless the same certificate already has the same message. */
static es_err add_problem(es_cert_report *r, int depth, int err, X509 *x, const char *msg)
{
    es_err rc = ES_OK;
    es_cert_problem *grown, *p;
    char *subject = NULL;

    for (size_t i = 0; i < r->nproblems; i++) {
        if (r->problems[i].depth == depth && strcmp(r->problems[i].message, msg) == 0)
            return ES_OK;
    }
    if (r->nproblems == MAX_PROBLEMS)
        return ES_OK;
    if (x != NULL && (rc = es_name_format(X509_get_subject_name(x), &subject)) != ES_OK)
        goto end;
    grown = realloc(r->problems, (r->nproblems + 1) * sizeof(*grown));
    if (grown == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot record a problem");
        goto end;
    }
    r->problems = grown;
    p = &r->problems[r->nproblems++];
    p->depth = depth;
    p->x509_error = err;
    p->subject = subject != NULL ? subject : strdup("");
    subject = NULL; /* the report owns it */
    p->message = strdup(msg);
    p->indeterminate = is_indeterminate(err);
    if (p->subject == NULL || p->message == NULL)
        rc = es__fail(ES_ERR_NOMEM, "cannot record a problem");
end:
    es_free(subject);
    return rc;
}

/* Record every error and return 1, so that OpenSSL goes on and finds the next one. */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
    verify_state *st = X509_STORE_CTX_get_app_data(ctx);
    int err = X509_STORE_CTX_get_error(ctx);
    X509 *x = X509_STORE_CTX_get_current_cert(ctx);
    char msg[512];
    es_err rc;

    if (X509_STORE_CTX_get0_current_crl(ctx) != NULL)
        st->last_crl = X509_STORE_CTX_get0_current_crl(ctx);
    if (ok || st->err != ES_OK || ignored(st, ctx, err))
        return 1;
    if (err == X509_V_ERR_OUT_OF_MEM) {
        st->err = es__fail(ES_ERR_NOMEM, "out of memory while verifying");
        return 0;
    }
    if (is_crl_error(err))
        st->crl_unusable = 1;
    if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
        err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
        err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
        err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
        err == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE)
        st->chain_unanchored = 1;
    describe(ctx, err, x, msg, sizeof(msg));
    rc = add_problem(st->r, X509_STORE_CTX_get_error_depth(ctx), err, x, msg);
    if (rc != ES_OK)
        st->err = rc;
    return 1;
}

/*
 * Give a certificate the default SM2 ID unless it has one (es_cert_parse sets it already):
 * leaving set IDs alone keeps certificates shared between verifying threads unmodified.
 */
static es_err ensure_id(X509 *x)
{
    if (X509_get0_distinguishing_id(x) != NULL)
        return ES_OK;
    return es_cert_set_sm2_id(x, NULL, 0);
}

/* Every certificate involved needs the SM2 ID, or SM2 signatures on them fail to verify. */
static es_err set_ids(X509 *leaf, const es_verify_opts *opts)
{
    es_err rc = ensure_id(leaf);

    for (int i = 0; rc == ES_OK && i < sk_X509_num(opts->trust); i++)
        rc = ensure_id(sk_X509_value(opts->trust, i));
    for (int i = 0; rc == ES_OK && i < sk_X509_num(opts->untrusted); i++)
        rc = ensure_id(sk_X509_value(opts->untrusted, i));
    return rc;
}

/* The store holds the anchors; the context the leaf, intermediates, CRLs, time and flags. */
static es_err make_ctx(X509 *leaf, const es_verify_opts *opts, verify_state *st,
                       X509_STORE **pstore, X509_STORE_CTX **pctx)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();

    *pstore = store;
    *pctx = ctx;
    if (store == NULL || ctx == NULL)
        return es__fail_ossl(ES_ERR_NOMEM, "cannot create a verification context");
    for (int i = 0; i < sk_X509_num(opts->trust); i++) {
        if (!X509_STORE_add_cert(store, sk_X509_value(opts->trust, i)))
            return es__fail_ossl(ES_ERR_NOMEM, "cannot add a trust anchor");
    }
    if (!X509_STORE_CTX_init(ctx, store, leaf, opts->untrusted))
        return es__fail_ossl(ES_ERR_NOMEM, "cannot start the verification");
    X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
    X509_STORE_CTX_set_app_data(ctx, st);
    if (opts->has_at)
        X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)opts->at);
    if (sk_X509_CRL_num(opts->crls) > 0) {
        X509_STORE_CTX_set0_crls(ctx, opts->crls); /* borrowed: the context does not free it */
        X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    }
    return ES_OK;
}

/* A problem for each certificate of the chain built so far (at least the leaf) whose public key
 * OpenSSL cannot decode: such a certificate cannot be verified, and nothing is wrong with the
 * verification itself. */
static es_err undecodable_keys(es_cert_report *r, X509_STORE_CTX *ctx, X509 *leaf)
{
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    int n = chain != NULL ? sk_X509_num(chain) : 0;
    es_err rc = ES_OK;

    for (int i = 0; i < (n > 0 ? n : 1) && rc == ES_OK; i++) {
        X509 *x = n > 0 ? sk_X509_value(chain, i) : leaf;

        if (X509_get0_pubkey(x) == NULL)
            rc = add_problem(r, i, X509_V_ERR_UNSPECIFIED, x, "its public key cannot be decoded");
    }
    es__ossl_clear();
    return rc;
}

/* Keep the chain that was built (at least the leaf), and decide the verdict. */
static es_err finish(es_cert_report *r, const verify_state *st, X509_STORE_CTX *ctx, X509 *leaf)
{
    r->chain = X509_STORE_CTX_get1_chain(ctx);
    if (r->chain == NULL) {
        r->chain = sk_X509_new_null();
        if (r->chain == NULL || !sk_X509_push(r->chain, leaf))
            return es__fail(ES_ERR_NOMEM, "cannot keep the chain");
        X509_up_ref(leaf);
    }
    r->verdict = ES_VALID;
    for (size_t i = 0; i < r->nproblems; i++) {
        if (!r->problems[i].indeterminate)
            r->verdict = ES_INVALID;
        else if (r->verdict == ES_VALID)
            r->verdict = ES_INDETERMINATE;
    }
    r->revocation_checked =
        sk_X509_CRL_num(st->opts->crls) > 0 && !st->crl_unusable && !st->chain_unanchored;
    return ES_OK;
}

es_err es_cert_verify(X509 *leaf, const es_verify_opts *opts, es_cert_report **out)
{
    es_err rc = ES_OK;
    es_cert_report *r = NULL;
    X509_STORE *store = NULL;
    X509_STORE_CTX *ctx = NULL;
    verify_state st = {0};
    int ret;

    assert(leaf != NULL && opts != NULL && out != NULL);
    *out = NULL;
    if (sk_X509_num(opts->trust) <= 0)
        return es__fail(ES_ERR_ARG, "no trust anchor given");
    r = calloc(1, sizeof(*r));
    if (r == NULL)
        return es__fail(ES_ERR_NOMEM, "cannot allocate a report");
    st.r = r;
    st.opts = opts;
    if ((rc = set_ids(leaf, opts)) != ES_OK ||
        (rc = make_ctx(leaf, opts, &st, &store, &ctx)) != ES_OK)
        goto end;
    ret = X509_verify_cert(ctx);
    if (st.err != ES_OK) {
        rc = st.err;
        goto end;
    }
    /* The callback accepts everything, so a failure without a problem is OpenSSL's own, except
     * a certificate whose key cannot be decoded: OpenSSL stops on it without a callback. */
    if (ret <= 0 && r->nproblems == 0 && (rc = undecodable_keys(r, ctx, leaf)) != ES_OK)
        goto end;
    if (ret <= 0 && r->nproblems == 0) {
        rc = es__fail_ossl(ES_ERR_CRYPTO, "verification could not run: %s",
                           X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
        goto end;
    }
    if ((rc = finish(r, &st, ctx, leaf)) != ES_OK)
        goto end;
    *out = r;
    r = NULL;
end:
    es__ossl_clear();
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    es_cert_report_free(r);
    return rc;
}
