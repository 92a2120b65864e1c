/* Locations inside an OFD package: absolute and relative paths, and "x y w h" boxes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eseal_local.h"
#include "ofd/ofd_local.h"

/* Append the segment seg[0..n) to out (applying "." and ".."); 0 when ".." leaves the root. */
static int push_segment(char *out, size_t *len, const char *seg, size_t n)
{
    if (n == 0 || (n == 1 && seg[0] == '.'))
        return 1;
    if (n == 2 && seg[0] == '.' && seg[1] == '.') {
        if (*len == 0)
            return 0;
        while (*len > 0 && out[*len - 1] != '/')
            (*len)--;
        if (*len > 0)
            (*len)--; /* the slash before the removed segment */
        out[*len] = '\0';
        return 1;
    }
    if (*len > 0)
        out[(*len)++] = '/';
    memcpy(out + *len, seg, n);
    *len += n;
    out[*len] = '\0';
    return 1;
}

es_err es__ofd_resolve(const char *base, const char *loc, char *out, size_t n)
{
    char joined[4096];
    size_t len = 0, dir = 0;
    const char *s;

    if (loc == NULL || loc[0] == '\0')
        return es__fail(ES_ERR_FORMAT, "empty location");
    if (loc[0] != '/' && base != NULL) {
        const char *slash = strrchr(base, '/');
        dir = slash ? (size_t)(slash - base) + 1 : 0;
    }
    if (dir + strlen(loc) + 1 > sizeof(joined) || n < 2)
        return es__fail(ES_ERR_FORMAT, "location too long: %.100s", loc);
    memcpy(joined, base != NULL ? base : "", dir);
    memcpy(joined + dir, loc, strlen(loc) + 1);
    for (char *c = joined; *c; c++)
        if (*c == '\\')
            *c = '/'; /* some writers use Windows separators */
    out[0] = '\0';
    for (s = joined; *s;) {
        const char *e = strchr(s, '/');
        size_t sn = e ? (size_t)(e - s) : strlen(s);
        if (len + sn + 2 > n)
            return es__fail(ES_ERR_FORMAT, "location too long: %.100s", loc);
        if (!push_segment(out, &len, s, sn))
            return es__fail(ES_ERR_FORMAT, "location %.200s leaves the package root", loc);
        s += sn + (e != NULL);
    }
    if (len == 0)
        return es__fail(ES_ERR_FORMAT, "location \"%.200s\" names no file", loc);
    return ES_OK;
}

es_err es__ofd_locate(const es_ofd *d, const char *base, const char *loc, char **out)
{
    es_err rc;
    char p[4096];

    *out = NULL;
    if ((rc = es__ofd_resolve(base, loc, p, sizeof(p))) != ES_OK)
        return rc;
    if (es__ofd_find(d, p) == NULL && loc[0] != '/' && base != NULL &&
        es__ofd_resolve(NULL, loc, p, sizeof(p)) != ES_OK)
        return es__fail(ES_ERR_FORMAT, "bad location %.200s", loc);
    if (es__ofd_find(d, p) == NULL && loc[0] != '/' && base != NULL)
        es__ofd_resolve(base, loc, p, sizeof(p)); /* neither exists: report the relative one */
    if ((*out = strdup(p)) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    return ES_OK;
}

int es__ofd_box(const char *s, double box[4])
{
    char *end;

    if (s == NULL)
        return 0;
    for (int i = 0; i < 4; i++) {
        box[i] = strtod(s, &end);
        if (end == s || !isfinite(box[i]))
            return 0;
        s = end;
    }
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return *s == '\0';
}
