/* Option parsing, help generation and error reporting shared by every subcommand. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cli_opt *find_opt(const cli_spec *spec, const char *name, size_t len)
{
    for (const cli_opt *o = spec->opts; o != NULL && o->name != NULL; o++)
        if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

static size_t count_values(const cli_args *a, const char *name)
{
    size_t n = 0;

    for (size_t i = 0; i < a->nvalues; i++)
        n += strcmp(a->name[i], name) == 0;
    return n;
}

/* Take one "--name[=value]" (and its value from the next argument); returns args consumed. */
static int take_option(const cli_spec *spec, int argc, char **argv, int i, cli_args *a)
{
    const char *arg = argv[i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const cli_opt *o = find_opt(spec, arg, len);
    const char *value;
    int used = 1;

    if (o == NULL)
        return -cli_usage_error(spec, "unknown option --%.*s (see eseal %s --help)", (int)len, arg,
                                spec->name);
    if (o->arg == NULL) {
        if (eq != NULL)
            return -cli_usage_error(spec, "--%s takes no value", o->name);
        value = "";
    } else if (eq != NULL) {
        value = eq + 1;
    } else if (i + 1 < argc) {
        value = argv[i + 1];
        used = 2;
    } else {
        return -cli_usage_error(spec, "--%s needs a value (%s)", o->name, o->arg);
    }
    if (!(o->flags & CLI_MULTI) && count_values(a, o->name) > 0)
        return -cli_usage_error(spec, "--%s given twice", o->name);
    if (a->nvalues == CLI_MAX_VALUES)
        return -cli_usage_error(spec, "too many options");
    a->name[a->nvalues] = o->name;
    a->value[a->nvalues++] = value;
    return used;
}

static int check_complete(const cli_spec *spec, const cli_args *a)
{
    for (const cli_opt *o = spec->opts; o != NULL && o->name != NULL; o++)
        if ((o->flags & CLI_REQUIRED) && count_values(a, o->name) == 0)
            return cli_usage_error(spec, "--%s %s is required", o->name, o->arg ? o->arg : "");
    if (a->noperands < spec->min_operands)
        return cli_usage_error(spec, "missing %s", spec->operands ? spec->operands : "operand");
    if (a->noperands > spec->max_operands)
        return cli_usage_error(spec, "unexpected argument \"%s\"", a->operand[spec->max_operands]);
    return CLI_OK;
}

int cli_parse(const cli_spec *spec, int argc, char **argv, cli_args *a)
{
    int only_operands = 0;

    memset(a, 0, sizeof(*a));
    a->spec = spec;
    for (int i = 1; i < argc;) {
        if (!only_operands && strcmp(argv[i], "--") == 0) {
            only_operands = 1;
            i++;
        } else if (!only_operands &&
                   (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
            cli_print_help(spec);
            return -1;
        } else if (!only_operands && strncmp(argv[i], "--", 2) == 0) {
            int used = take_option(spec, argc, argv, i, a);
            if (used < 0)
                return -used;
            i += used;
        } else {
            if (a->noperands == CLI_MAX_VALUES)
                return cli_usage_error(spec, "too many arguments");
            a->operand[a->noperands++] = argv[i++];
        }
    }
    return check_complete(spec, a);
}

const char *cli_get_n(const cli_args *a, const char *name, size_t n)
{
    for (size_t i = 0; i < a->nvalues; i++)
        if (strcmp(a->name[i], name) == 0 && n-- == 0)
            return a->value[i];
    return NULL;
}

const char *cli_get(const cli_args *a, const char *name)
{
    const char *v = NULL;

    for (size_t i = 0; i < a->nvalues; i++)
        if (strcmp(a->name[i], name) == 0)
            v = a->value[i];
    return v;
}

int cli_has(const cli_args *a, const char *name)
{
    return cli_get(a, name) != NULL;
}

int cli_get_int(const cli_args *a, const char *name, long min, long max, long *out)
{
    const char *v = cli_get(a, name);
    char *end;
    long n;

    if (v == NULL)
        return CLI_OK;
    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < min || n > max)
        return cli_usage_error(a->spec, "--%s must be a whole number from %ld to %ld, not \"%s\"",
                               name, min, max, v);
    *out = n;
    return CLI_OK;
}

void cli_print_help(const cli_spec *spec)
{
    printf("usage: eseal %s", spec->name);
    for (const cli_opt *o = spec->opts; o != NULL && o->name != NULL; o++) {
        const char *open = (o->flags & CLI_REQUIRED) ? "" : "[";
        const char *close = (o->flags & CLI_REQUIRED) ? "" : "]";
        printf(" %s--%s%s%s%s%s", open, o->name, o->arg ? " " : "", o->arg ? o->arg : "", close,
               (o->flags & CLI_MULTI) ? "..." : "");
    }
    printf("%s%s\n\n%s\n", spec->operands ? " " : "", spec->operands ? spec->operands : "",
           spec->summary);
    if (spec->opts != NULL && spec->opts[0].name != NULL)
        printf("\noptions:\n");
    for (const cli_opt *o = spec->opts; o != NULL && o->name != NULL; o++) {
        char left[64];
        snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        printf("  %-24s %s%s\n", left, o->help, (o->flags & CLI_REQUIRED) ? " (required)" : "");
    }
    if (spec->details != NULL)
        printf("\n%s\n", spec->details);
}

int cli_usage_error(const cli_spec *spec, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "eseal %s: ", spec->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_USAGE;
}

int cli_fail(const cli_spec *spec, es_err rc, const char *what)
{
    const char *detail = es_errdetail();

    fprintf(stderr, "eseal %s: %s: %s%s%s\n", spec->name, what, es_strerror(rc),
            detail[0] ? ": " : "", detail);
    return CLI_USAGE;
}

const char *cli_password(const cli_args *a, const char *option, const char *default_var)
{
    const char *var = cli_get(a, option);
    const char *v;

    if (var == NULL)
        var = default_var;
    if (var == NULL)
        return NULL;
    v = getenv(var);
    return (v != NULL && v[0] != '\0') ? v : NULL;
}

int cli_env_option(const cli_args *a, const char *option, const char **out)
{
    const char *var = cli_get(a, option);

    *out = NULL;
    if (var == NULL)
        return CLI_OK;
    if ((*out = getenv(var)) == NULL)
        return cli_usage_error(a->spec, "$%s is not set", var);
    return CLI_OK;
}

int cli_write_file(const cli_spec *spec, const char *path, const es_buf *b, unsigned mode)
{
    es_err rc = es_file_write(path, b->data, b->len, mode);

    if (rc != ES_OK)
        return cli_fail(spec, rc, "cannot write output");
    return CLI_OK;
}
