/* What the eseal image commands share: output format and resolution options, writing the file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "eseal/image.h"

/*
 * Drawing loads fontconfig, whose process-wide caches LeakSanitizer would report when a sanitizer
 * build exits (tests/lsan.supp); only fontconfig's own allocations are muted.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int cli_image_target(const cli_args *a, es_image_format *fmt, unsigned *dpi)
{
    const char *out = cli_get(a, "out");
    long d = ES_IMAGE_DEFAULT_DPI;
    int st;

    if ((st = cli_get_int(a, "dpi", ES_IMAGE_MIN_DPI, ES_IMAGE_MAX_DPI, &d)) != CLI_OK)
        return st;
    *dpi = (unsigned)d;
    if (ends_with(out, ".png") || ends_with(out, ".PNG"))
        *fmt = ES_IMAGE_PNG;
    else if (ends_with(out, ".svg") || ends_with(out, ".SVG"))
        *fmt = ES_IMAGE_SVG;
    else
        return cli_usage_error(a->spec, "--out must end in .png or .svg, not \"%s\"", out);
    return CLI_OK;
}

int cli_image_write(const cli_args *a, const es_buf *b)
{
    double w = 0, h = 0;
    int st = cli_write_file(a->spec, cli_get(a, "out"), b, 0644);

    if (st == CLI_OK && es_image_size_mm(b->data, b->len, &w, &h) == ES_OK)
        printf("image: %s (%.1f x %.1f mm, %zu bytes)\n", cli_get(a, "out"), w, h, b->len);
    return st;
}
