/* qpdf object helpers: typed lookups, and serialising objects back to PDF syntax for updates. */
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_local.h"

/* Objects nest at most this deep in what eseal writes back (qpdf limits parsing similarly). */
#define SER_MAX_DEPTH 100

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
    int ok = qpdf_oh_is_array(q, v) && qpdf_oh_get_array_n_items(q, v) == 4;

    for (int i = 0; ok && i < 4; i++) {
        qpdf_oh e = qpdf_oh_get_array_item(q, v, i);
        ok = qpdf_oh_is_number(q, e);
        box[i] = ok ? qpdf_oh_get_numeric_value(q, e) : 0;
        qpdf_oh_release(q, e);
    }
    qpdf_oh_release(q, v);
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

static es_err ser(qpdf_data q, qpdf_oh oh, int top, const es__pdf_kv *ov, size_t nov,
                  const char *append, es__sb *b, int depth);

static es_err ser_key(qpdf_data q, const char *key, es__sb *b)
{
    qpdf_oh k = qpdf_oh_new_name(q, key);

    es__sb_str(b, qpdf_oh_unparse(q, k));
    qpdf_oh_release(q, k);
    return b->err;
}

/* The keys of a dictionary, copied (qpdf's key iterator is shared by the whole qpdf_data). */
static es_err dict_keys(qpdf_data q, qpdf_oh oh, char ***keys, size_t *n)
{
    size_t cap = 0;
    char **k = NULL, **nk;

    *n = 0;
    qpdf_oh_begin_dict_key_iter(q, oh);
    while (qpdf_oh_dict_more_keys(q)) {
        const char *key = qpdf_oh_dict_next_key(q);
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            if ((nk = realloc(k, cap * sizeof(*k))) == NULL)
                break;
            k = nk;
        }
        if ((k[*n] = strdup(key ? key : "")) == NULL)
            break;
        (*n)++;
    }
    *keys = k;
    if (qpdf_oh_dict_more_keys(q))
        return es__fail(ES_ERR_NOMEM, "out of memory");
    return ES_OK;
}

static void free_keys(char **k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(k[i]);
    free(k);
}

static es_err ser_dict(qpdf_data q, qpdf_oh oh, const es__pdf_kv *ov, size_t nov, es__sb *b,
                       int depth)
{
    char **keys = NULL;
    size_t nkeys = 0, j;
    es_err rc = dict_keys(q, oh, &keys, &nkeys);

    es__sb_str(b, "<<");
    for (size_t i = 0; i < nkeys && rc == ES_OK; i++) {
        for (j = 0; j < nov && strcmp(ov[j].key, keys[i]) != 0; j++)
            ;
        if (j < nov)
            continue; /* replaced below */
        qpdf_oh v = qpdf_oh_get_key(q, oh, keys[i]);
        if ((rc = ser_key(q, keys[i], b)) == ES_OK) {
            es__sb_str(b, " ");
            rc = ser(q, v, 0, NULL, 0, NULL, b, depth + 1);
            es__sb_str(b, " ");
        }
        qpdf_oh_release(q, v);
    }
    for (j = 0; rc == ES_OK && j < nov; j++)
        if (ov[j].text != NULL && (rc = ser_key(q, ov[j].key, b)) == ES_OK)
            es__sb_printf(b, " %s ", ov[j].text);
    es__sb_str(b, ">>");
    free_keys(keys, nkeys);
    return rc != ES_OK ? rc : b->err;
}

static es_err ser(qpdf_data q, qpdf_oh oh, int top, const es__pdf_kv *ov, size_t nov,
                  const char *append, es__sb *b, int depth)
{
    es_err rc = ES_OK;

    if (depth > SER_MAX_DEPTH)
        return es__fail(ES_ERR_LIMIT, "objects nested deeper than %d", SER_MAX_DEPTH);
    if (!top && qpdf_oh_is_indirect(q, oh)) {
        es__sb_printf(b, "%d %d R", qpdf_oh_get_object_id(q, oh), qpdf_oh_get_generation(q, oh));
    } else if (qpdf_oh_is_dictionary(q, oh)) {
        rc = ser_dict(q, oh, ov, nov, b, depth);
    } else if (qpdf_oh_is_array(q, oh)) {
        int n = qpdf_oh_get_array_n_items(q, oh);
        es__sb_str(b, "[");
        for (int i = 0; i < n && rc == ES_OK; i++) {
            qpdf_oh e = qpdf_oh_get_array_item(q, oh, i);
            es__sb_str(b, i ? " " : "");
            rc = ser(q, e, 0, NULL, 0, NULL, b, depth + 1);
            qpdf_oh_release(q, e);
        }
        if (append != NULL)
            es__sb_printf(b, " %s", append);
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
    return ser(q, oh, 1, ov, nov, append, b, 0);
}

es_err es__pdf_ser_value(qpdf_data q, qpdf_oh oh, es__sb *b)
{
    es__pdf_qpdf_clear(q);
    return ser(q, oh, 0, NULL, 0, NULL, b, 0);
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
