/* eseal image round: draw a round organisation seal (公章, 专用章) as PNG or SVG. */
#include "cli.h"
#include "eseal/image.h"

static const cli_opt opts[] = {
    {"name", "NAME", CLI_REQUIRED, "organisation name along the upper arc (UTF-8)"},
    {"text", "TEXT", 0, "horizontal text under the star, e.g. 合同专用章"},
    {"code", "CODE", 0, "seal code in small digits along the lower arc"},
    {"diameter-mm", "D", 0, "diameter in mm: 42 (default), 40, 38; 20-60 accepted"},
    {"dpi", "N", 0, "PNG resolution (default 600)"},
    {"out", "FILE.png|FILE.svg", CLI_REQUIRED, "where to write the picture"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "image round",
    NULL,
    0,
    0,
    "Draw a round organisation seal to its physical size.",
    "The name reads clockwise over 220-270 degrees; long names get narrower characters, then\n"
    "less space, and a name that cannot fit legibly is refused.",
    opts};

int cmd_image_round(int argc, char **argv)
{
    es_image_round_opts o = {0};
    es_buf b = {0};
    long d = 42;
    es_err rc;
    cli_args a;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = cli_get_int(&a, "diameter-mm", 20, 60, &d)) != CLI_OK ||
        (st = cli_image_target(&a, &o.format, &o.dpi)) != CLI_OK)
        goto end;
    o.name = cli_get(&a, "name");
    o.text = cli_get(&a, "text");
    o.code = cli_get(&a, "code");
    o.diameter_mm = (double)d;
    if ((rc = es_image_round(&o, &b)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot draw the seal");
        goto end;
    }
    st = cli_image_write(&a, &b);
end:
    es_buf_free(&b);
    return st;
}
