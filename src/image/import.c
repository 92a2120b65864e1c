/* Importing a scanned impression: red ink to seal red on transparency, cropped and scaled. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/crypto.h"
#include "image_local.h"
#include "util/hex.h"

/*
 * Redness d = R - max(G, B) of the pixel over white paper. Paper (white, cream, grey) stays
 * under INK_LO, stamp ink is well over INK_HI; between them the ink is partly transparent, which
 * keeps the antialiased look of stroke edges.
 */
#define INK_LO 40
#define INK_HI 110
/* At least this many ink pixels, and this share of the picture, make a seal. */
#define MIN_INK   400
#define MIN_SHARE 0.002

typedef struct ink_map {
    uint8_t *a; /* ink opacity 0-255 per pixel */
    int w, h;
    int x0, y0, x1, y1; /* bounding box of solid ink, inclusive */
    size_t count;
} ink_map;

static uint8_t ink_of(const uint8_t *px)
{
    int a = px[3], c[3], d;

    for (int k = 0; k < 3; k++)
        c[k] = 255 - a * (255 - px[k]) / 255;
    d = c[0] - (c[1] > c[2] ? c[1] : c[2]);
    if (d <= INK_LO)
        return 0;
    if (d >= INK_HI)
        return 255;
    return (uint8_t)((d - INK_LO) * 255 / (INK_HI - INK_LO));
}

/* Solid ink with at least three solid neighbours: a lone speck of noise does not count. */
static int solid(const ink_map *m, int x, int y)
{
    int nb = 0;

    if (m->a[(size_t)y * m->w + x] < 128)
        return 0;
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++) {
            int xx = x + dx, yy = y + dy;

            if ((dx || dy) && xx >= 0 && yy >= 0 && xx < m->w && yy < m->h)
                nb += m->a[(size_t)yy * m->w + xx] >= 128;
        }
    return nb >= 3;
}

static es_err find_ink(const es__pixels *px, ink_map *m)
{
    size_t n = (size_t)px->w * (size_t)px->h;

    m->w = px->w;
    m->h = px->h;
    if ((m->a = malloc(n)) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        m->a[i] = ink_of(px->rgba + i * 4);
    m->x0 = m->w;
    m->y0 = m->h;
    m->x1 = m->y1 = -1;
    for (int y = 0; y < m->h; y++)
        for (int x = 0; x < m->w; x++)
            if (solid(m, x, y)) {
                m->count++;
                m->x0 = x < m->x0 ? x : m->x0;
                m->x1 = x > m->x1 ? x : m->x1;
                m->y0 = y < m->y0 ? y : m->y0;
                m->y1 = y > m->y1 ? y : m->y1;
            }
    return ES_OK;
}

/* A seal is a sizeable, roughly compact figure of thin lines, not a speck nor a red block. */
static es_err check_seal(const ink_map *m)
{
    double bw = m->x1 - m->x0 + 1, bh = m->y1 - m->y0 + 1, fill;

    if (m->count < MIN_INK || (double)m->count < MIN_SHARE * m->w * m->h)
        return es__fail(ES_ERR_NOT_FOUND,
                        "no seal-like red content: %zu red ink pixels in a %dx%d picture", m->count,
                        m->w, m->h);
    fill = (double)m->count / (bw * bh);
    if (bw < 24 || bh < 24 || bw > 3 * bh || bh > 3 * bw || fill > 0.85)
        return es__fail(ES_ERR_NOT_FOUND,
                        "no seal-like red content: the red area is %.0fx%.0f pixels, %.0f%% filled",
                        bw, bh, fill * 100);
    return ES_OK;
}

/* Ink opacity at a point of the source: box average when shrinking, bilinear when growing. */
static double sample(const ink_map *m, double x0, double y0, double s)
{
    if (s > 1) {
        int xa = (int)floor(x0), ya = (int)floor(y0);
        int xb = (int)ceil(x0 + s), yb = (int)ceil(y0 + s);
        double sum = 0;
        int cnt = 0;

        for (int y = ya; y < yb; y++)
            for (int x = xa; x < xb; x++, cnt++)
                if (x >= m->x0 && x <= m->x1 && y >= m->y0 && y <= m->y1)
                    sum += m->a[(size_t)y * m->w + x];
        return cnt ? sum / cnt : 0;
    }
    double cx = x0 + s / 2 - 0.5, cy = y0 + s / 2 - 0.5;
    int x = (int)floor(cx), y = (int)floor(cy);
    double fx = cx - x, fy = cy - y, v = 0;

    for (int k = 0; k < 4; k++) {
        int xx = x + (k & 1), yy = y + (k >> 1);
        double wgt = ((k & 1) ? fx : 1 - fx) * ((k >> 1) ? fy : 1 - fy);

        if (xx >= m->x0 && xx <= m->x1 && yy >= m->y0 && yy <= m->y1)
            v += wgt * m->a[(size_t)yy * m->w + xx];
    }
    return v;
}

static es_err render(const ink_map *m, double diameter_mm, unsigned dpi, const char *hex,
                     es_buf *png)
{
    int bw = m->x1 - m->x0 + 1, bh = m->y1 - m->y0 + 1, big = bw > bh ? bw : bh;
    int side = (int)lround(diameter_mm * dpi / 25.4);
    double s = (double)big / side;
    int ow = (int)lround(bw / s), oh = (int)lround(bh / s);
    uint8_t *rgba = NULL;
    es_err rc;

    ow = ow < 1 ? 1 : ow;
    oh = oh < 1 ? 1 : oh;
    if ((rgba = malloc((size_t)ow * (size_t)oh * 4)) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++) {
            uint8_t *d = rgba + ((size_t)y * ow + x) * 4;
            double v = sample(m, m->x0 + x * s, m->y0 + y * s, s);

            d[0] = ES_IMAGE_RED_R;
            d[1] = ES_IMAGE_RED_G;
            d[2] = ES_IMAGE_RED_B;
            d[3] = (uint8_t)lround(v > 255 ? 255 : v);
        }
    rc = es__png_write(rgba, ow, oh, dpi, "eseal:source-sm3", hex, png);
    free(rgba);
    return rc;
}

es_err es_image_import(const uint8_t *p, size_t n, double diameter_mm, unsigned dpi, es_buf *png,
                       uint8_t sm3[32])
{
    es__pixels px = {0};
    ink_map m = {0};
    uint8_t digest[ES_SM3_LEN];
    char hex[2 * ES_SM3_LEN + 1];
    es_err rc;

    if (!(diameter_mm >= 10 && diameter_mm <= 100)) {
        rc = es__fail(ES_ERR_ARG, "diameter %.1f mm is outside 10-100 mm", diameter_mm);
        goto end;
    }
    if ((rc = es__dpi(dpi, &dpi)) != ES_OK || (rc = es_sm3(p, n, digest)) != ES_OK ||
        (rc = es__image_decode(p, n, &px)) != ES_OK || (rc = find_ink(&px, &m)) != ES_OK ||
        (rc = check_seal(&m)) != ES_OK)
        goto end;
    es__hex(digest, ES_SM3_LEN, hex, sizeof(hex));
    if ((rc = render(&m, diameter_mm, dpi, hex, png)) != ES_OK)
        goto end;
    if (sm3 != NULL)
        memcpy(sm3, digest, ES_SM3_LEN);
end:
    free(px.rgba);
    free(m.a);
    return rc;
}
