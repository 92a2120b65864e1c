/* Seal pictures drawn to the physical size of the seal (同模同轨): generate and import. */
#ifndef ESEAL_IMAGE_H
#define ESEAL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Output encodings of a generated picture. */
typedef enum es_image_format {
    ES_IMAGE_PNG = 0, /* 8-bit palette when it fits (else RGBA), transparent, pHYs with the dpi */
    ES_IMAGE_SVG = 1  /* SVG 1.1, width/height in mm, text drawn as paths (no font needed) */
} es_image_format;

#define ES_IMAGE_DEFAULT_DPI 600
#define ES_IMAGE_MIN_DPI     72
#define ES_IMAGE_MAX_DPI     2400
/* Imported scans larger than this in either direction are refused (ES_ERR_LIMIT). */
#define ES_IMAGE_MAX_SIDE 10000

/* The seal red of generated and imported pictures (#E60012). */
#define ES_IMAGE_RED_R 0xE6
#define ES_IMAGE_RED_G 0x00
#define ES_IMAGE_RED_B 0x12

/*
 * A round organisation seal (公章, 合同专用章, 财务专用章, ...): outer ring, five-pointed star,
 * the name along the upper arc (clockwise, characters upright), an optional line of text under
 * the star and an optional seal code in small digits along the lower arc.
 */
typedef struct es_image_round_opts {
    const char *name;   /* UTF-8, required, 1-40 characters */
    const char *text;   /* horizontal text under the star (e.g. "合同专用章"), or NULL */
    const char *code;   /* seal code, digits and ASCII letters (e.g. "15010200000001"), or NULL */
    double diameter_mm; /* 0: 42; 38 and 40 are the other usual sizes; 20-60 accepted */
    unsigned dpi;       /* PNG resolution; 0: 600 */
    es_image_format format; /* PNG or SVG */
} es_image_round_opts;

/* An oval seal (e.g. 发票专用章): name on the upper arc, tax ID across the middle, text below. */
typedef struct es_image_oval_opts {
    const char *name;   /* UTF-8, required */
    const char *tax_id; /* required: 15-20 ASCII digits or capital letters */
    const char *text;   /* below the tax ID; NULL: "发票专用章" */
    double width_mm;    /* 0: 40 */
    double height_mm;   /* 0: 30 */
    unsigned dpi;       /* 0: 600 */
    es_image_format format;
} es_image_oval_opts;

/*
 * A square personal name seal (个人名章 / 法定代表人章): two to four characters in a frame, read in
 * columns from right to left; a two-character name gets 之印 and a three-character name 印.
 */
typedef struct es_image_square_opts {
    const char *name; /* UTF-8, required, 2-4 characters */
    double size_mm;   /* side; 0: 20 */
    unsigned dpi;     /* 0: 600 */
    es_image_format format;
} es_image_square_opts;

/*
 * Draw the seal and write the encoded picture to *out (caller frees; *out is overwritten).
 * Same options -> identical bytes. Errors: ES_ERR_ARG (missing name, size or dpi out of range,
 * text that cannot fit legibly: the detail says which and how much fits), ES_ERR_UNSUPPORTED
 * (the CJK font is not installed, or it lacks a character of the text), ES_ERR_NOMEM.
 */
es_err es_image_round(const es_image_round_opts *o, es_buf *out);
es_err es_image_oval(const es_image_oval_opts *o, es_buf *out);
es_err es_image_square(const es_image_square_opts *o, es_buf *out);

/*
 * Import a scan or photo of a stamped impression (PNG or JPEG bytes): find the red ink, remove
 * the paper to transparency, normalise the ink to seal red, crop to the seal and scale it so its
 * larger side is diameter_mm at dpi (0: 600). Writes a PNG with a pHYs chunk to *png (caller
 * frees) and, when sm3 is not NULL, the SM3 digest of the source bytes to sm3 (also recorded in
 * the PNG as the tEXt chunk "eseal:source-sm3"). Errors: ES_ERR_FORMAT (not a decodable PNG or
 * JPEG), ES_ERR_LIMIT (larger than ES_IMAGE_MAX_SIDE), ES_ERR_NOT_FOUND (no seal-like red
 * content), ES_ERR_ARG (diameter outside 10-100 mm, dpi out of range), ES_ERR_NOMEM.
 */
es_err es_image_import(const uint8_t *p, size_t n, double diameter_mm, unsigned dpi, es_buf *png,
                       uint8_t sm3[32]);

/*
 * The physical size of a picture in mm: from a PNG's pHYs chunk (unit metre) and IHDR, or from
 * the width and height attributes of an SVG's root element when they are in mm (or cm, in, pt).
 * Errors: ES_ERR_NOT_FOUND (a PNG without pHYs in metres, an SVG without absolute units),
 * ES_ERR_UNSUPPORTED (neither PNG nor SVG), ES_ERR_FORMAT (malformed header).
 */
es_err es_image_size_mm(const uint8_t *p, size_t n, double *w_mm, double *h_mm);

#ifdef __cplusplus
}
#endif
#endif
