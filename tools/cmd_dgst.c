/* eseal dgst: SM3 digests of files, printed like `openssl dgst -sm3 -r`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {{"sm3", NULL, 0, "use SM3 (the default and only digest)"},
                               {NULL, NULL, 0, NULL}};

static const cli_spec spec = {
    "dgst",
    "[FILE...]",
    0,
    CLI_MAX_VALUES,
    "Print the SM3 digest of each FILE (or of stdin).",
    "Output is \"<hex> *<name>\", one line per file, as `openssl dgst -sm3 -r` prints it.",
    opts};

/* Stream one file through SM3: files of any size, constant memory. */
static int digest_stream(es_sm3_ctx *ctx, FILE *f, const char *name, uint8_t md[ES_SM3_LEN])
{
    uint8_t chunk[65536];
    size_t got;
    es_err rc;

    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if ((rc = es_sm3_update(ctx, chunk, got)) != ES_OK)
            return cli_fail(&spec, rc, "SM3 failed");
    if (ferror(f))
        return cli_usage_error(&spec, "cannot read %s: %s", name, strerror(errno));
    if ((rc = es_sm3_final(ctx, md)) != ES_OK)
        return cli_fail(&spec, rc, "SM3 failed");
    return CLI_OK;
}

/* A fresh context per file, so a failed file cannot spill into the next digest. */
static int digest_one(const char *path)
{
    uint8_t md[ES_SM3_LEN];
    es_sm3_ctx *ctx = NULL;
    FILE *f = path ? fopen(path, "rb") : stdin;
    es_err rc;
    int st;

    if (f == NULL)
        return cli_usage_error(&spec, "cannot open %s: %s", path, strerror(errno));
    if ((rc = es_sm3_new(&ctx)) != ES_OK)
        st = cli_fail(&spec, rc, "SM3 unavailable");
    else
        st = digest_stream(ctx, f, path ? path : "stdin", md);
    es_sm3_free(ctx);
    if (path != NULL)
        fclose(f);
    if (st != CLI_OK)
        return st;
    for (size_t i = 0; i < sizeof(md); i++)
        printf("%02x", md[i]);
    printf(" *%s\n", path ? path : "stdin");
    return CLI_OK;
}

int cmd_dgst(int argc, char **argv)
{
    cli_args a;
    int st = cli_parse(&spec, argc, argv, &a);

    if (st != CLI_OK)
        return st < 0 ? CLI_OK : st;
    if (a.noperands == 0)
        st = digest_one(NULL);
    for (size_t i = 0; i < a.noperands; i++) {
        int one = digest_one(a.operand[i]);
        if (one != CLI_OK)
            st = one;
    }
    return st;
}
