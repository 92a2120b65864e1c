/* eseal image oval: draw an oval seal (发票专用章) with name, tax ID and purpose. */
#include "cli.h"
#include "eseal/image.h"

static const cli_opt opts[] = {
    {"name", "NAME", CLI_REQUIRED, "organisation name along the upper arc (UTF-8)"},
    {"tax-id", "ID", CLI_REQUIRED, "taxpayer ID across the middle (15-20 digits/capitals)"},
    {"text", "TEXT", 0, "purpose below the tax ID (default 发票专用章)"},
    {"width-mm", "W", 0, "width in mm (default 40)"},
    {"height-mm", "H", 0, "height in mm (default 30)"},
    {"dpi", "N", 0, "PNG resolution (default 600)"},
    {"out", "FILE.png|FILE.svg", CLI_REQUIRED, "where to write the picture"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "image oval", NULL, 0, 0, "Draw an oval seal (e.g. an invoice seal) to its physical size.",
    NULL,         opts};

int cmd_image_oval(int argc, char **argv)
{
    es_image_oval_opts o = {0};
    es_buf b = {0};
    long w = 40, h = 30;
    es_err rc;
    cli_args a;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = cli_get_int(&a, "width-mm", 15, 120, &w)) != CLI_OK ||
        (st = cli_get_int(&a, "height-mm", 15, 60, &h)) != CLI_OK ||
        (st = cli_image_target(&a, &o.format, &o.dpi)) != CLI_OK)
        goto end;
    o.name = cli_get(&a, "name");
    o.tax_id = cli_get(&a, "tax-id");
    o.text = cli_get(&a, "text");
    o.width_mm = (double)w;
    o.height_mm = (double)h;
    if ((rc = es_image_oval(&o, &b)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot draw the seal");
        goto end;
    }
    st = cli_image_write(&a, &b);
end:
    es_buf_free(&b);
    return st;
}
