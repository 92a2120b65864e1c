/* eseal image import: turn a scan of a stamped impression into a seal picture of known size. */
#include <stdio.h>

#include "cli.h"
#include "eseal/image.h"

/* A scan of a page at 600 dpi is tens of MB at most. */
#define SCAN_MAX (64u << 20)

static const cli_opt opts[] = {
    {"diameter-mm", "D", 0, "physical diameter (larger side) of the seal in mm (default 42)"},
    {"dpi", "N", 0, "resolution of the result (default 600)"},
    {"out", "FILE.png", CLI_REQUIRED, "where to write the picture (PNG)"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "image import",
    "SCAN.png|SCAN.jpg",
    1,
    1,
    "Import a scanned impression: red ink to seal red on transparency, cropped and scaled.",
    "The SM3 digest of the scan is printed and kept in the PNG (tEXt eseal:source-sm3), so the\n"
    "picture can be traced to its impression. A scan without seal-like red content is refused.",
    opts};

int cmd_image_import(int argc, char **argv)
{
    es_buf scan = {0}, b = {0};
    uint8_t sm3[ES_SM3_LEN];
    long d = 42;
    es_image_format fmt;
    unsigned dpi;
    es_err rc;
    cli_args a;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = cli_get_int(&a, "diameter-mm", 10, 100, &d)) != CLI_OK ||
        (st = cli_image_target(&a, &fmt, &dpi)) != CLI_OK)
        goto end;
    if (fmt != ES_IMAGE_PNG) {
        st = cli_usage_error(&spec, "an imported impression is written as PNG only");
        goto end;
    }
    if ((rc = es_file_read(a.operand[0], SCAN_MAX, &scan)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot read the scan");
        goto end;
    }
    if ((rc = es_image_import(scan.data, scan.len, (double)d, dpi, &b, sm3)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot import the impression");
        goto end;
    }
    if ((st = cli_image_write(&a, &b)) == CLI_OK) {
        printf("source-sm3: ");
        for (size_t i = 0; i < sizeof(sm3); i++)
            printf("%02x", sm3[i]);
        printf("\n");
    }
end:
    es_buf_free(&scan);
    es_buf_free(&b);
    return st;
}
