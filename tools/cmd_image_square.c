/* eseal image square: draw a square personal name seal (个人名章). */
#include "cli.h"
#include "eseal/image.h"

static const cli_opt opts[] = {
    {"name", "NAME", CLI_REQUIRED, "2-4 characters; 张三 becomes 张三之印, 王小明 王小明印"},
    {"size-mm", "S", 0, "side in mm (default 20)"},
    {"dpi", "N", 0, "PNG resolution (default 600)"},
    {"out", "FILE.png|FILE.svg", CLI_REQUIRED, "where to write the picture"},
    {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "image square", NULL, 0, 0, "Draw a square personal name seal, read in columns right to left.",
    NULL,           opts};

int cmd_image_square(int argc, char **argv)
{
    es_image_square_opts o = {0};
    es_buf b = {0};
    long s = 20;
    es_err rc;
    cli_args a;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if ((st = cli_get_int(&a, "size-mm", 10, 60, &s)) != CLI_OK ||
        (st = cli_image_target(&a, &o.format, &o.dpi)) != CLI_OK)
        goto end;
    o.name = cli_get(&a, "name");
    o.size_mm = (double)s;
    if ((rc = es_image_square(&o, &b)) != ES_OK) {
        st = cli_fail(&spec, rc, "cannot draw the seal");
        goto end;
    }
    st = cli_image_write(&a, &b);
end:
    es_buf_free(&b);
    return st;
}
