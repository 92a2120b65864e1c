/* The seal picture as a PDF image XObject: PNG colour + alpha (SMask), Flate-compressed; JPEG. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "eseal/image.h"
#include "eseal/ses.h"
#include "image/image_local.h"
#include "pdf/pdf_local.h"

/* PDF FlateDecode (ISO 32000 7.4.4): a zlib stream of the samples. */
static void flate(es__sb *b, const uint8_t *p, size_t n)
{
    uLongf len = compressBound((uLong)n);
    uint8_t *z = n < (64u << 20) ? malloc(len) : NULL;

    if (z == NULL || compress2(z, &len, p, (uLong)n, Z_BEST_COMPRESSION) != Z_OK) {
        if (b->err == ES_OK)
            b->err = es__fail(ES_ERR_NOMEM, "cannot compress the picture");
    } else {
        es__sb_add(b, z, len);
    }
    free(z);
}

static void write_image(es__pdf_writer *w, long id, int wd, int ht, const char *cs, long smask,
                        const uint8_t *p, size_t n)
{
    es__pdf_w_begin(w, id);
    es__sb_printf(&w->out,
                  "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s "
                  "/BitsPerComponent 8 /Filter /FlateDecode /Length %zu",
                  wd, ht, cs, n);
    if (smask > 0)
        es__sb_printf(&w->out, " /SMask %ld 0 R", smask);
    es__sb_str(&w->out, " >>\nstream\n");
    es__sb_add(&w->out, p, n);
    es__sb_str(&w->out, "\nendstream");
    es__pdf_w_end(w);
}

/*
 * Split straight RGBA into RGB and alpha planes and compress both (the alpha only when some
 * pixel is not opaque). Decoded straight by libpng, not through cairo's premultiplied pixels: a
 * seal drawn in one exact ink keeps it in every pixel, and its colour plane compresses to
 * almost nothing.
 */
static es_err encode_png(const es__pixels *px, es__sb *crgb, es__sb *ca, int *alpha)
{
    size_t n = (size_t)px->w * (size_t)px->h;
    uint8_t *rgb = malloc(n * 3), *a = malloc(n);
    uint8_t last[3] = {255, 255, 255};
    es_err rc = ES_OK;

    if (rgb == NULL || a == NULL) {
        rc = es__fail(ES_ERR_NOMEM, "out of memory");
        goto end;
    }
    *alpha = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *v = px->rgba + 4 * i;

        a[i] = v[3];
        *alpha |= v[3] != 255;
        if (v[3] > 0)
            memcpy(last, v, 3);
        /* a transparent pixel repeats its neighbour's colour: compresses better, same look */
        memcpy(rgb + i * 3, last, 3);
    }
    flate(crgb, rgb, n * 3);
    if (*alpha)
        flate(ca, a, n);
    rc = crgb->err ? crgb->err : ca->err;
end:
    free(rgb);
    free(a);
    return rc;
}

/*
 * The compressed planes of recently used PNG pictures, process-wide: a batch signs with one seal
 * many times, and Z_BEST_COMPRESSION of the picture would otherwise dominate each signature.
 * Keyed by the PNG bytes themselves (a copy, compared with memcmp: hashing the picture per
 * signature cost as much as the SM2 signature); a few entries, each bounded, LRU-replaced.
 */
#define IMG_CACHE_N   8
#define IMG_CACHE_MAX (1u << 20)

typedef struct img_entry {
    size_t n, nrgb, na;
    int wd, ht, alpha;
    uint8_t *z; /* n bytes of PNG (the key), nrgb of the colour plane, then na of the alpha */
    unsigned long used;
} img_entry;

static img_entry img_cache[IMG_CACHE_N];
static unsigned long img_tick;
static pthread_mutex_t img_lock = PTHREAD_MUTEX_INITIALIZER;

/* The colour image, and before it its alpha (SMask) when it has one. */
static void write_images(es__pdf_writer *w, long img, const int dim[3], const uint8_t *rgb,
                         size_t nrgb, const uint8_t *a, size_t na)
{
    if (dim[2])
        write_image(w, img + 1, dim[0], dim[1], "/DeviceGray", 0, a, na);
    write_image(w, img, dim[0], dim[1], "/DeviceRGB", dim[2] ? img + 1 : 0, rgb, nrgb);
}

/* The entry holding png, or NULL (img_lock held). */
static img_entry *cache_find(const uint8_t *png, size_t n)
{
    for (int i = 0; i < IMG_CACHE_N; i++) {
        img_entry *e = &img_cache[i];

        if (e->z != NULL && e->n == n && memcmp(e->z, png, n) == 0) {
            e->used = ++img_tick;
            return e;
        }
    }
    return NULL;
}

/* On a hit, the images written straight from the entry (under the lock: copying the planes out
 * first cost two allocations and a copy of the whole picture per signature). */
static int cache_write(const uint8_t *png, size_t n, es__pdf_writer *w, long img)
{
    img_entry *e;

    pthread_mutex_lock(&img_lock);
    if ((e = cache_find(png, n)) != NULL) {
        const int dim[3] = {e->wd, e->ht, e->alpha};

        write_images(w, img, dim, e->z + n, e->nrgb, e->z + n + e->nrgb, e->na);
    }
    pthread_mutex_unlock(&img_lock);
    return e != NULL;
}

/* On a hit, copies of the planes in rgb and a (left empty when there is no alpha plane). */
static int cache_copy(const uint8_t *png, size_t n, es_buf *rgb, es_buf *a, es_err *rc)
{
    img_entry *e;

    pthread_mutex_lock(&img_lock);
    if ((e = cache_find(png, n)) != NULL) {
        *rc = es_buf_set(rgb, e->z + n, e->nrgb);
        if (*rc == ES_OK && e->na > 0)
            *rc = es_buf_set(a, e->z + n + e->nrgb, e->na);
    }
    pthread_mutex_unlock(&img_lock);
    return e != NULL;
}

static void cache_put(const uint8_t *png, size_t n, const int dim[3], const es__sb *crgb,
                      const es__sb *ca)
{
    size_t total = n + crgb->len + ca->len;
    uint8_t *z = total <= IMG_CACHE_MAX ? malloc(total + 1) : NULL;
    img_entry *e = &img_cache[0];

    if (z == NULL)
        return;
    memcpy(z, png, n);
    memcpy(z + n, crgb->p, crgb->len);
    if (ca->len > 0)
        memcpy(z + n + crgb->len, ca->p, ca->len);
    pthread_mutex_lock(&img_lock);
    for (int i = 1; i < IMG_CACHE_N && e->z != NULL; i++)
        if (img_cache[i].z == NULL || img_cache[i].used < e->used)
            e = &img_cache[i];
    free(e->z);
    e->n = n;
    e->nrgb = crgb->len;
    e->na = ca->len;
    e->wd = dim[0];
    e->ht = dim[1];
    e->alpha = dim[2];
    e->z = z;
    e->used = ++img_tick;
    pthread_mutex_unlock(&img_lock);
}

/* Decode the PNG and compress its planes into crgb and ca (dim: width, height, alpha), cached. */
static es_err encode_cached(const uint8_t *p, size_t n, int dim[3], es__sb *crgb, es__sb *ca)
{
    es__pixels px = {NULL, 0, 0};
    es_err rc;

    if ((rc = es__image_decode(p, n, &px)) == ES_OK &&
        (rc = encode_png(&px, crgb, ca, &dim[2])) == ES_OK) {
        dim[0] = px.w;
        dim[1] = px.h;
        cache_put(p, n, dim, crgb, ca);
    }
    free(px.rgba);
    return rc;
}

/* The PNG as an RGB image with an optional SMask: from the cache, or decoded and compressed. */
static es_err write_png(es__pdf_writer *w, const uint8_t *p, size_t n, long img)
{
    int dim[3] = {0, 0, 0};
    es__sb crgb = ES__PDF_SB_INIT, ca = ES__PDF_SB_INIT;
    es_err rc;

    if (cache_write(p, n, w, img))
        return w->out.err;
    if ((rc = encode_cached(p, n, dim, &crgb, &ca)) == ES_OK) {
        write_images(w, img, dim, (const uint8_t *)crgb.p, crgb.len, (const uint8_t *)ca.p, ca.len);
        rc = w->out.err;
    }
    es__sb_free(&crgb);
    es__sb_free(&ca);
    return rc;
}

/* Width, height and components from a JPEG's start-of-frame marker. */
static int jpeg_info(const uint8_t *p, size_t n, int *wd, int *ht, int *comps)
{
    size_t i = 2;

    if (n < 4 || p[0] != 0xFF || p[1] != 0xD8)
        return 0;
    while (i + 9 < n) {
        if (p[i] != 0xFF)
            return 0;
        uint8_t m = p[i + 1];
        size_t len = ((size_t)p[i + 2] << 8) | p[i + 3];
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            *ht = (p[i + 5] << 8) | p[i + 6];
            *wd = (p[i + 7] << 8) | p[i + 8];
            *comps = p[i + 9];
            return *wd > 0 && *ht > 0 && (*comps == 1 || *comps == 3 || *comps == 4);
        }
        i += 2 + len;
    }
    return 0;
}

static es_err write_jpeg(es__pdf_writer *w, const uint8_t *p, size_t n, long img)
{
    int wd, ht, comps;

    if (!jpeg_info(p, n, &wd, &ht, &comps))
        return es__fail(ES_ERR_FORMAT, "the JPEG picture has no readable frame header");
    es__pdf_w_begin(w, img);
    es__sb_printf(&w->out,
                  "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s "
                  "/BitsPerComponent 8 /Filter /DCTDecode /Length %zu >>\nstream\n",
                  wd, ht,
                  comps == 1   ? "/DeviceGray"
                  : comps == 3 ? "/DeviceRGB"
                               : "/DeviceCMYK",
                  n);
    es__sb_add(&w->out, p, n);
    es__sb_str(&w->out, "\nendstream");
    es__pdf_w_end(w);
    /* the number reserved for a soft mask stays a real (null) object: no gap in the update */
    es__pdf_w_begin(w, img + 1);
    es__sb_str(&w->out, "null");
    es__pdf_w_end(w);
    return w->out.err;
}

/* 'J' for a JPEG, 'P' for a PNG, 0 (an error set) for any other picture. */
static int picture_kind(const uint8_t *p, size_t n)
{
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return 'J';
    if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return 'P';
    es__fail(ES_ERR_UNSUPPORTED, "the seal picture is neither PNG nor JPEG (SVG, GIF, BMP and OFD "
                                 "pictures are not supported in PDF yet)");
    return 0;
}

es_err es__pdf_image_write(es__pdf_writer *w, const uint8_t *p, size_t n, long img)
{
    switch (picture_kind(p, n)) {
    case 'J':
        return write_jpeg(w, p, n, img);
    case 'P':
        return write_png(w, p, n, img);
    default:
        return ES_ERR_UNSUPPORTED;
    }
}

/* The PNG's planes as write_png writes them: the same cache, or the same encoder. */
static es_err png_streams(const uint8_t *p, size_t n, es_buf *image, es_buf *smask)
{
    int dim[3] = {0, 0, 0};
    es__sb crgb = ES__PDF_SB_INIT, ca = ES__PDF_SB_INIT;
    es_err rc = ES_OK;

    if (cache_copy(p, n, image, smask, &rc))
        return rc;
    if ((rc = encode_cached(p, n, dim, &crgb, &ca)) == ES_OK &&
        (rc = es_buf_set(image, crgb.p, crgb.len)) == ES_OK && ca.len > 0)
        rc = es_buf_set(smask, ca.p, ca.len);
    es__sb_free(&crgb);
    es__sb_free(&ca);
    return rc;
}

es_err es_pdf_picture_streams(const es_seal *seal, es_buf *image, es_buf *smask)
{
    const uint8_t *p;
    size_t n = 0;
    int wd, ht, comps;
    es_err rc;

    if (image == NULL || smask == NULL)
        return es__fail(ES_ERR_ARG, "es_pdf_picture_streams: no output buffers given");
    *image = (es_buf){NULL, 0};
    *smask = (es_buf){NULL, 0};
    if (seal == NULL)
        return es__fail(ES_ERR_ARG, "es_pdf_picture_streams: no seal given");
    if ((p = es_seal_picture(seal, &n)) == NULL || n == 0)
        return es__fail(ES_ERR_FORMAT, "the seal has no picture");
    switch (picture_kind(p, n)) {
    case 'J':
        if (!jpeg_info(p, n, &wd, &ht, &comps))
            return es__fail(ES_ERR_FORMAT, "the JPEG picture has no readable frame header");
        return es_buf_set(image, p, n);
    case 'P':
        if ((rc = png_streams(p, n, image, smask)) != ES_OK) {
            es_buf_free_public(image);
            es_buf_free_public(smask);
        }
        return rc;
    default:
        return ES_ERR_UNSUPPORTED;
    }
}
