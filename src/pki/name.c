/* Distinguished names: parse "CN=张三,O=Example,C=CN" or "/CN=张三/O=Example", format as UTF-8. */
#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "eseal/pki.h"
#include "eseal_local.h"

/* Longest subject string accepted; real subjects are a few hundred bytes. */
#define NAME_MAX_INPUT 4096

/* Attribute names we accept, and the string type each is stored as (RFC 5280 / RFC 4519). */
static const struct attr_def {
    const char *name;
    int nid;
    unsigned long mask;
} attrs[] = {
    {"CN", NID_commonName, B_ASN1_UTF8STRING},
    {"O", NID_organizationName, B_ASN1_UTF8STRING},
    {"OU", NID_organizationalUnitName, B_ASN1_UTF8STRING},
    {"C", NID_countryName, B_ASN1_PRINTABLESTRING},
    {"ST", NID_stateOrProvinceName, B_ASN1_UTF8STRING},
    {"L", NID_localityName, B_ASN1_UTF8STRING},
    {"street", NID_streetAddress, B_ASN1_UTF8STRING},
    {"serialNumber", NID_serialNumber, B_ASN1_PRINTABLESTRING},
    {"emailAddress", NID_pkcs9_emailAddress, B_ASN1_IA5STRING},
    {"UID", NID_userId, B_ASN1_UTF8STRING},
    {"DC", NID_domainComponent, B_ASN1_IA5STRING},
    {"title", NID_title, B_ASN1_UTF8STRING},
    {"givenName", NID_givenName, B_ASN1_UTF8STRING},
    {"GN", NID_givenName, B_ASN1_UTF8STRING}, /* what es_name_format prints */
    {"surname", NID_surname, B_ASN1_UTF8STRING},
    {"SN", NID_surname, B_ASN1_UTF8STRING},
};

/* One attribute being parsed: its type and its unescaped value. */
typedef struct attr_tok {
    const struct attr_def *def;
    char type[32];
    unsigned char *val; /* scratch buffer as large as the input */
    size_t vlen;
    char term; /* what ended the value: '\0', a separator, or '+' */
} attr_tok;

static int ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char cb = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (ca != cb)
            return 0;
    }
    return *a == *b;
}

static const struct attr_def *find_attr(const char *type)
{
    for (size_t i = 0; i < ES__ARRAY_LEN(attrs); i++) {
        if (ascii_ieq(attrs[i].name, type))
            return &attrs[i];
    }
    return NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Read the attribute type up to '=' (spaces around it are allowed). */
static es_err parse_type(const char **pp, attr_tok *t)
{
    const char *p = *pp;
    size_t n = 0;

    while (*p == ' ')
        p++;
    while (*p && *p != '=' && *p != ' ') {
        if (n + 1 >= sizeof(t->type))
            return es__fail(ES_ERR_FORMAT, "attribute name too long at \"%.20s\"", *pp);
        t->type[n++] = *p++;
    }
    t->type[n] = '\0';
    while (*p == ' ')
        p++;
    if (n == 0 || *p != '=')
        return es__fail(ES_ERR_FORMAT, "expected NAME=value at \"%.20s\"", *pp);
    t->def = find_attr(t->type);
    if (t->def == NULL)
        return es__fail(ES_ERR_FORMAT, "unknown attribute \"%s\"", t->type);
    *pp = p + 1;
    return ES_OK;
}

/* One escape after '\': a special character or two hex digits. Returns bytes consumed or 0. */
static size_t unescape(const char *p, unsigned char *out)
{
    static const char specials[] = ",+\\= \"#;<>/";
    int hi = hexval(p[0]), lo = hi >= 0 ? hexval(p[1]) : -1;

    if (hi >= 0 && lo >= 0) {
        *out = (unsigned char)(hi << 4 | lo);
        return 2;
    }
    if (p[0] != '\0' && strchr(specials, p[0]) != NULL) {
        *out = (unsigned char)p[0];
        return 1;
    }
    return 0;
}

/* Read the value up to an unescaped separator; drop unescaped spaces at either end. */
static es_err parse_value(const char **pp, char sep, attr_tok *t)
{
    const char *p = *pp;
    size_t keep = 0; /* length without trailing unescaped spaces */

    t->vlen = 0;
    while (*p == ' ')
        p++;
    /*
     * A hexstring has hex digits after '#'. A '#' without them is read literally: OpenSSL's
     * RFC 2253 printer (es_name_format) leaves a one-character value "#" unescaped.
     */
    if (*p == '#' && isxdigit((unsigned char)p[1]))
        return es__fail(ES_ERR_FORMAT, "%s: hex-encoded values (#...) are not supported", t->type);
    while (*p && *p != sep && *p != '+') {
        if (*p == '\\') {
            size_t used = unescape(p + 1, &t->val[t->vlen]);
            if (used == 0)
                return es__fail(ES_ERR_FORMAT, "%s: malformed escape at \"%.8s\"", t->type, p);
            p += 1 + used;
            keep = ++t->vlen;
            continue;
        }
        t->val[t->vlen++] = (unsigned char)*p;
        if (*p++ != ' ')
            keep = t->vlen;
    }
    t->vlen = keep;
    t->term = *p;
    if (t->vlen == 0)
        return es__fail(ES_ERR_FORMAT, "%s: empty value", t->type);
    *pp = *p ? p + 1 : p;
    return ES_OK;
}

/* countryName is two letters (ISO 3166); PrintableString alone would allow more. */
static int country_ok(const attr_tok *t)
{
    for (size_t i = 0; i < t->vlen; i++) {
        unsigned char c = t->val[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return 0;
    }
    return t->vlen == 2;
}

/* Convert the UTF-8 value to the attribute's string type and append it to name. */
static es_err add_attr(X509_NAME *name, const attr_tok *t, int set)
{
    es_err rc = ES_OK;
    ASN1_STRING *str = NULL;
    ASN1_STRING_TABLE *tbl = ASN1_STRING_TABLE_get(t->def->nid);
    long minsize = 1, maxsize = 0;

    if (t->def->nid == NID_countryName && !country_ok(t)) {
        rc = es__fail(ES_ERR_FORMAT, "C: \"%.*s\" is not a two-letter country code", (int)t->vlen,
                      (const char *)t->val);
        goto end;
    }
    if (tbl != NULL) {
        minsize = tbl->minsize;
        maxsize = tbl->maxsize > 0 ? tbl->maxsize : 0;
    }
    if (ASN1_mbstring_ncopy(&str, t->val, (int)t->vlen, MBSTRING_UTF8, t->def->mask, minsize,
                            maxsize) < 0) {
        rc = es__fail_ossl(ES_ERR_FORMAT, "%s: value not valid for this attribute", t->type);
        goto end;
    }
    if (!X509_NAME_add_entry_by_NID(name, t->def->nid, ASN1_STRING_type(str),
                                    ASN1_STRING_get0_data(str), ASN1_STRING_length(str), -1, set)) {
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot add %s to the name", t->type);
        goto end;
    }
end:
    ASN1_STRING_free(str);
    return rc;
}

es_err es_name_parse(const char *s, X509_NAME **out)
{
    es_err rc = ES_OK;
    X509_NAME *name = NULL;
    attr_tok t = {0};
    size_t n;
    char sep = ',';
    int set = 0;

    assert(s != NULL && out != NULL);
    *out = NULL;
    n = strnlen(s, NAME_MAX_INPUT + 1);
    if (n > NAME_MAX_INPUT)
        return es__fail(ES_ERR_LIMIT, "subject longer than %d bytes", NAME_MAX_INPUT);
    if (s[0] == '/') {
        sep = '/';
        s++;
    }
    t.val = malloc(n + 1);
    name = X509_NAME_new();
    if (t.val == NULL || name == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot allocate a name");
        goto end;
    }
    do {
        if ((rc = parse_type(&s, &t)) != ES_OK || (rc = parse_value(&s, sep, &t)) != ES_OK ||
            (rc = add_attr(name, &t, set)) != ES_OK)
            goto end;
        /* '+' joins the next attribute to this RDN (set -1: append to the previous RDN). */
        set = t.term == '+' ? -1 : 0;
    } while (t.term != '\0');
    *out = name;
    name = NULL;
end:
    X509_NAME_free(name);
    free(t.val);
    return rc;
}

es_err es_name_format(const X509_NAME *name, char **out)
{
    es_err rc = ES_OK;
    BIO *bio = NULL;
    char *data = NULL, *s = NULL;
    long len;
    /* RFC 2253 escaping, but UTF-8 printed as is, in DER order, separated by ", ". */
    const unsigned long flags = (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) |
                                XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | XN_FLAG_DUMP_UNKNOWN_FIELDS;

    assert(name != NULL && out != NULL);
    *out = NULL;
    bio = BIO_new(BIO_s_mem());
    if (bio == NULL || X509_NAME_print_ex(bio, name, 0, flags) < 0) {
        rc = es__fail_ossl(ES_ERR_NOMEM, "cannot format a name");
        goto end;
    }
    len = BIO_get_mem_data(bio, &data);
    s = malloc((size_t)len + 1);
    if (s == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "cannot allocate %ld bytes", len + 1);
        goto end;
    }
    if (len > 0)
        memcpy(s, data, (size_t)len);
    s[len] = '\0';
    *out = s;
end:
    BIO_free(bio);
    return rc;
}
