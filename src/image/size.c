/* The physical size of a picture: PNG pHYs + IHDR, or the mm width/height of an SVG root. */
#include <stdio.h>
#include <string.h>

#include "image_local.h"

/* The root element of an SVG is near its start; its attributes fit in this much. */
#define SVG_HEAD 65536
#define SVG_TAG  4096

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static es_err png_size(const uint8_t *p, size_t n, double *w_mm, double *h_mm)
{
    uint32_t w, h;
    size_t off = 8;

    /* Signature, then IHDR: length 13, "IHDR", width, height. */
    if (n < 8 + 8 + 13 || be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4) != 0)
        return es__fail(ES_ERR_FORMAT, "PNG without an IHDR chunk");
    w = be32(p + 16);
    h = be32(p + 20);
    while (off + 8 <= n) {
        uint32_t len = be32(p + off);
        const uint8_t *type = p + off + 4;

        if (len > n - off - 8)
            return es__fail(ES_ERR_FORMAT, "PNG chunk at offset %zu runs past the end", off);
        if (memcmp(type, "IDAT", 4) == 0 || memcmp(type, "IEND", 4) == 0)
            break;
        if (memcmp(type, "pHYs", 4) == 0 && len == 9 && p[off + 16] == 1) {
            uint32_t px = be32(p + off + 8), py = be32(p + off + 12);

            if (px == 0 || py == 0 || w == 0 || h == 0)
                return es__fail(ES_ERR_FORMAT, "PNG with a zero size or resolution");
            *w_mm = (double)w / px * 1000;
            *h_mm = (double)h / py * 1000;
            return ES_OK;
        }
        off += 12 + (size_t)len;
    }
    return es__fail(ES_ERR_NOT_FOUND, "the PNG states no physical size (no pHYs in metres)");
}

/* A length attribute " name=\"12.5mm\"" of the tag in mm; 0 when absent or not absolute. */
static double svg_len(const char *tag, const char *name)
{
    static const struct {
        const char *u;
        double mm;
    } units[] = {{"mm", 1}, {"cm", 10}, {"in", 25.4}, {"pt", 25.4 / 72}, {"pc", 25.4 / 6}};
    char key[16];
    const char *p = tag;
    double v = 0, scale = 1;
    int digits = 0;

    snprintf(key, sizeof(key), "%s=", name);
    while ((p = strstr(p, key)) != NULL && p > tag && p[-1] != ' ' && p[-1] != '\n' &&
           p[-1] != '\t' && p[-1] != '\r')
        p++;
    if (p == NULL || (p[strlen(key)] != '"' && p[strlen(key)] != '\''))
        return 0;
    /* A plain decimal parser: strtod would follow the process locale. */
    for (p += strlen(key) + 1; (*p >= '0' && *p <= '9') || *p == '.'; p++) {
        if (*p == '.') {
            if (scale < 1)
                return 0;
            scale = 0.1;
        } else if (scale < 1) {
            v += (*p - '0') * scale;
            scale /= 10;
        } else {
            v = v * 10 + (*p - '0');
        }
        digits++;
    }
    if (digits == 0 || digits > 12)
        return 0;
    for (size_t i = 0; i < ES__ARRAY_LEN(units); i++)
        if (strncmp(p, units[i].u, 2) == 0 && (p[2] == '"' || p[2] == '\''))
            return v * units[i].mm;
    return 0;
}

static es_err svg_size(const uint8_t *p, size_t n, double *w_mm, double *h_mm)
{
    size_t m = n < SVG_HEAD ? n : SVG_HEAD, i, k;
    char tag[SVG_TAG + 1];
    double w, h;

    for (i = 0; i + 5 <= m; i++)
        if (memcmp(p + i, "<svg", 4) == 0 &&
            (p[i + 4] == ' ' || p[i + 4] == '\n' || p[i + 4] == '\t' || p[i + 4] == '\r'))
            break;
    if (i + 5 > m)
        return es__fail(ES_ERR_UNSUPPORTED, "the picture is neither PNG nor SVG");
    for (k = 0; i + k < n && k < SVG_TAG && p[i + k] != '>' && p[i + k] != '\0'; k++)
        tag[k] = (char)p[i + k];
    tag[k] = '\0';
    w = svg_len(tag, "width");
    h = svg_len(tag, "height");
    if (!(w > 0 && h > 0))
        return es__fail(ES_ERR_NOT_FOUND, "the SVG states no width and height in mm, cm, in or pt");
    *w_mm = w;
    *h_mm = h;
    return ES_OK;
}

es_err es_image_size_mm(const uint8_t *p, size_t n, double *w_mm, double *h_mm)
{
    if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return png_size(p, n, w_mm, h_mm);
    return svg_size(p, n, w_mm, h_mm);
}
