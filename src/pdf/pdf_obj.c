/* qpdf object helpers: typed lookups, and serialising objects back to PDF syntax for updates. */
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_local.h"

double es__pdf_num(qpdf_data q, qpdf_oh dict, const char *key, double def)
{
    qpdf_oh v = qpdf_oh_get_key(q, dict, key);
    double r = qpdf_oh_is_number(q, v) ? qpdf_oh_get_numeric_value(q, v) : def;

    qpdf_oh_release(q, v);
    return r;
}

int es__pdf_name_is(qpdf_data q, qpdf_oh dict, const char *key, const char *name)
{
    qpdf_oh v = qpdf_oh_get_key(q, dict, key);
    int r = qpdf_oh_is_name(q, v) && strcmp(qpdf_oh_get_name(q, v) + 1, name) == 0;

    qpdf_oh_release(q, v);
    return r;
}

char *es__pdf_get_text(qpdf_data q, qpdf_oh dict, const char *key)
{
    qpdf_oh v = qpdf_oh_get_key(q, dict, key);
    const char *s = "";
    char *r;

    if (qpdf_oh_is_name(q, v))
        s = qpdf_oh_get_name(q, v) + 1;
    else if (qpdf_oh_is_string(q, v))
        s = qpdf_oh_get_utf8_value(q, v);
    r = strdup(s ? s : "");
    qpdf_oh_release(q, v);
    return r;
}

int es__pdf_box(qpdf_data q, qpdf_oh dict, const char *key, double box[4])
{
    qpdf_oh v = qpdf_oh_get_key(q, dict, key);
    int ok = es__pdf_box_of(q, v, box);

    qpdf_oh_release(q, v);
    return ok;
}

int es__pdf_box_of(qpdf_data q, qpdf_oh v, double box[4])
{
    int ok = qpdf_oh_is_array(q, v) && qpdf_oh_get_array_n_items(q, v) == 4;

    for (int i = 0; ok && i < 4; i++) {
        qpdf_oh e = qpdf_oh_get_array_item(q, v, i);
        ok = qpdf_oh_is_number(q, e);
        box[i] = ok ? qpdf_oh_get_numeric_value(q, e) : 0;
        qpdf_oh_release(q, e);
    }
    if (ok && box[0] > box[2]) {
        double t = box[0];
        box[0] = box[2];
        box[2] = t;
    }
    if (ok && box[1] > box[3]) {
        double t = box[1];
        box[1] = box[3];
        box[3] = t;
    }
    return ok;
}

/* A name as qpdf writes it (QPDF_Name::normalizeName): a name of regular characters is its own
 * text; any other goes through qpdf. */
static void put_name(qpdf_data q, const char *key, es__sb *b)
{
    const unsigned char *s = (const unsigned char *)key;
    int plain = s[0] == '/';

    for (size_t i = 1; plain && s[i] != 0; i++)
        plain = s[i] >= 33 && s[i] <= 126 && strchr("#()<>[]{}/%", s[i]) == NULL;
    if (plain) {
        es__sb_str(b, key);
    } else {
        qpdf_oh k = qpdf_oh_new_name(q, key);
        es__sb_str(b, qpdf_oh_unparse(q, k));
        qpdf_oh_release(q, k);
    }
}

static int overridden(const es__pdf_kv *ov, size_t nov, const char *key)
{
    for (size_t j = 0; j < nov; j++)
        if (strcmp(ov[j].key, key) == 0)
            return 1;
    return 0;
}

/*
 * The keys of a dictionary but those of ov, each "/Key value " as qpdf's own unparse writes them
 * (so a dictionary reads the same whichever way it was written). A value is one qpdf unparse:
 * a reference when indirect, else the whole direct object (a walk through handles cost a dozen
 * calls for each nested key). Nothing else uses the key iterator meanwhile.
 */
static void dict_keys_but(qpdf_data q, qpdf_oh oh, const es__pdf_kv *ov, size_t nov, es__sb *b)
{
    qpdf_oh_begin_dict_key_iter(q, oh);
    while (qpdf_oh_dict_more_keys(q)) {
        const char *key = qpdf_oh_dict_next_key(q);
        if (key == NULL || overridden(ov, nov, key))
            continue;
        qpdf_oh v = qpdf_oh_get_key(q, oh, key);
        put_name(q, key, b);
        es__sb_str(b, " ");
        es__sb_str(b, qpdf_oh_unparse(q, v));
        es__sb_str(b, " ");
        qpdf_oh_release(q, v);
    }
}

/* "<< ", the kept keys, the keys of ov that have text, ">>". */
static void ser_dict(qpdf_data q, qpdf_oh oh, const es__pdf_kv *ov, size_t nov, es__sb *b)
{
    int any = 0;

    for (size_t j = 0; j < nov && !any; j++)
        any = qpdf_oh_has_key(q, oh, ov[j].key);
    if (any) {
        es__sb_str(b, "<< ");
        dict_keys_but(q, oh, ov, nov, b);
    } else {
        /* nothing to leave out: qpdf's text of the whole dictionary, "<< ... >>", but its end */
        const char *s = qpdf_oh_unparse_resolved(q, oh);
        size_t n = strlen(s);
        es__sb_add(b, s, n >= 2 ? n - 2 : 0);
    }
    for (size_t j = 0; j < nov; j++)
        if (ov[j].text != NULL) {
            put_name(q, ov[j].key, b);
            es__sb_str(b, " ");
            es__sb_str(b, ov[j].text);
            es__sb_str(b, " ");
        }
    es__sb_str(b, ">>");
}

/* The object itself (even when indirect): qpdf's text, with ov applied to a dictionary and
 * append added at the end of an array. qpdf bounds how deep objects nest when it parses them. */
static es_err ser(qpdf_data q, qpdf_oh oh, const es__pdf_kv *ov, size_t nov, const char *append,
                  es__sb *b)
{
    es_err rc = ES_OK;

    if (qpdf_oh_is_dictionary(q, oh)) {
        ser_dict(q, oh, ov, nov, b);
    } else if (qpdf_oh_is_array(q, oh)) {
        /* "[ ... ]": the items, then append before the closing bracket */
        const char *s = qpdf_oh_unparse_resolved(q, oh);
        size_t n = strlen(s);
        es__sb_add(b, s, n >= 1 ? n - 1 : 0);
        if (append != NULL) {
            es__sb_str(b, append);
            es__sb_str(b, " ");
        }
        es__sb_str(b, "]");
    } else if (qpdf_oh_is_stream(q, oh)) {
        rc = es__fail(ES_ERR_INTERNAL, "a stream cannot be written as a direct object");
    } else {
        es__sb_str(b, qpdf_oh_unparse(q, oh));
    }
    if (rc == ES_OK && qpdf_has_error(q))
        rc = es__fail(ES_ERR_FORMAT, "cannot read an object: %s",
                      qpdf_get_error_full_text(q, qpdf_get_error(q)));
    return rc != ES_OK ? rc : b->err;
}

void es__pdf_qpdf_clear(qpdf_data q)
{
    while (qpdf_has_error(q))
        qpdf_get_error(q);
}

es_err es__pdf_ser(qpdf_data q, qpdf_oh oh, const es__pdf_kv *ov, size_t nov, const char *append,
                   es__sb *b)
{
    es__pdf_qpdf_clear(q);
    return ser(q, oh, ov, nov, append, b);
}

es_err es__pdf_ser_value(qpdf_data q, qpdf_oh oh, es__sb *b)
{
    es__pdf_qpdf_clear(q);
    es__sb_str(b, qpdf_oh_unparse(q, oh));
    if (qpdf_has_error(q))
        return es__fail(ES_ERR_FORMAT, "cannot read an object: %s",
                        qpdf_get_error_full_text(q, qpdf_get_error(q)));
    return b->err;
}

es_err es__pdf_stream_raw(qpdf_data q, qpdf_oh oh, unsigned char **p, size_t *n)
{
    QPDF_BOOL filtered = QPDF_FALSE;

    *p = NULL;
    *n = 0;
    es__pdf_qpdf_clear(q);
    if ((qpdf_oh_get_stream_data(q, oh, qpdf_dl_none, &filtered, p, n) & QPDF_ERRORS) ||
        qpdf_has_error(q)) {
        const char *why = qpdf_has_error(q) ? qpdf_get_error_full_text(q, qpdf_get_error(q)) : "";
        free(*p);
        *p = NULL;
        return es__fail(ES_ERR_FORMAT, "cannot read a stream: %s", why);
    }
    return ES_OK;
}
