/* Fuzz the scan importer (PNG and JPEG decoding, ink detection) and the size reader. */
#include <stddef.h>
#include <stdint.h>

#include "eseal/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
    es_buf out = {0};
    uint8_t sm3[32];
    double w, h;

    (void)es_image_size_mm(p, n, &w, &h);
    /* A low resolution keeps each run fast; the decoding path is the same. */
    if (es_image_import(p, n, 20, 72, &out, sm3) == ES_OK)
        (void)es_image_size_mm(out.data, out.len, &w, &h);
    es_buf_free(&out);
    return 0;
}
