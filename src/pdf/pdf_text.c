/* PDF text strings: ASCII as a literal string, anything else as UTF-16BE hex with a BOM. */
#include <stdio.h>

#include "pdf/pdf_local.h"

/* Decode one UTF-8 sequence at s; the code point, or -1 when malformed. */
static long utf8_next(const unsigned char **s)
{
    const unsigned char *p = *s;
    long c = p[0];
    int more = c < 0x80             ? 0
               : (c & 0xE0) == 0xC0 ? 1
               : (c & 0xF0) == 0xE0 ? 2
               : (c & 0xF8) == 0xF0 ? 3
                                    : -1;

    if (more < 0)
        return -1;
    c = more == 0 ? c : more == 1 ? (c & 0x1F) : more == 2 ? (c & 0x0F) : (c & 0x07);
    for (int i = 1; i <= more; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return -1;
        c = (c << 6) | (p[i] & 0x3F);
    }
    *s = p + more + 1;
    return c > 0x10FFFF ? -1 : c;
}

void es__pdf_sb_text(es__sb *b, const char *utf8)
{
    const unsigned char *s = (const unsigned char *)utf8;
    int ascii = 1;

    for (const char *t = utf8; *t; t++)
        ascii = ascii && (unsigned char)*t >= 0x20 && (unsigned char)*t < 0x7F;
    if (ascii) {
        es__sb_str(b, "(");
        for (const char *t = utf8; *t; t++) {
            if (*t == '(' || *t == ')' || *t == '\\')
                es__sb_str(b, "\\");
            es__sb_add(b, t, 1);
        }
        es__sb_str(b, ")");
        return;
    }
    /* text strings beyond ASCII: UTF-16BE with a byte order mark, written as hex */
    es__sb_str(b, "<FEFF");
    while (*s) {
        long c = utf8_next(&s);
        if (c < 0) {
            c = 0xFFFD;
            s++;
        }
        if (c >= 0x10000) {
            c -= 0x10000;
            es__sb_printf(b, "%04lX%04lX", 0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF));
        } else {
            es__sb_printf(b, "%04lX", c);
        }
    }
    es__sb_str(b, ">");
}
