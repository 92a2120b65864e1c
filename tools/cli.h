/* What the eseal subcommands share: the command table, option parsing, output helpers. */
#ifndef ESEAL_CLI_H
#define ESEAL_CLI_H

#include <stddef.h>

#include "eseal/eseal.h"
#include "eseal/ses.h"
#include "eseal/image.h"

/* Exit statuses of every subcommand. */
#define CLI_OK      0 /* success, or the object is valid */
#define CLI_INVALID 1 /* verification ran and the object is not valid */
#define CLI_USAGE   2 /* could not run: bad arguments, unreadable input */

/* One option of a subcommand: --name ARG (or a flag when arg is NULL). */
#define CLI_REQUIRED 1u /* must be given */
#define CLI_MULTI    2u /* may be given several times */
typedef struct cli_opt {
    const char *name; /* without the leading "--" */
    const char *arg;  /* placeholder shown in help ("FILE"), NULL for a flag */
    unsigned flags;
    const char *help;
} cli_opt;

/* A subcommand's interface, from which its usage and help text are generated. */
typedef struct cli_spec {
    const char *name;     /* "ca issue" */
    const char *operands; /* "CERT.pem" or NULL when it takes none */
    size_t min_operands, max_operands;
    const char *summary; /* one line */
    const char *details; /* paragraph(s) after the options, or NULL */
    const cli_opt *opts; /* terminated by {NULL} */
} cli_spec;

#define CLI_MAX_VALUES 64

/* Parsed arguments. Values point into argv. */
typedef struct cli_args {
    const cli_spec *spec;
    const char *name[CLI_MAX_VALUES];
    const char *value[CLI_MAX_VALUES]; /* "" for a flag */
    size_t nvalues;
    const char *operand[CLI_MAX_VALUES];
    size_t noperands;
} cli_args;

/*
 * Parse argv[1..argc) (argv[0] is the subcommand name) against spec. Returns CLI_OK, or -1 after
 * printing help for --help (the command then exits 0), or CLI_USAGE after printing what is wrong.
 */
int cli_parse(const cli_spec *spec, int argc, char **argv, cli_args *a);

/* The last value of --name, or NULL. */
const char *cli_get(const cli_args *a, const char *name);
/* 1 if --name was given. */
int cli_has(const cli_args *a, const char *name);
/* The i-th value of a repeatable option (NULL past the end). */
const char *cli_get_n(const cli_args *a, const char *name, size_t i);
/* Parse --name as an integer in [min, max]; *out keeps its default when absent. */
int cli_get_int(const cli_args *a, const char *name, long min, long max, long *out);

/* Print the usage and options of spec to stdout. */
void cli_print_help(const cli_spec *spec);

/* Print "eseal <cmd>: what: <es_strerror>: <detail>" to stderr and return CLI_USAGE. */
int cli_fail(const cli_spec *spec, es_err rc, const char *what);
/* Print "eseal <cmd>: message" to stderr and return CLI_USAGE. */
int cli_usage_error(const cli_spec *spec, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A password from the environment variable named by the option (e.g. "pass-env"), or by
 * default_var when the option is absent and default_var is not NULL. NULL when none is set.
 */
const char *cli_password(const cli_args *a, const char *option, const char *default_var);

/*
 * The value of the environment variable named by --option, which must be set (an empty value
 * counts: a PDF's user password may be empty). *out is NULL when the option is absent; a usage
 * error when the variable is not set.
 */
int cli_env_option(const cli_args *a, const char *option, const char **out);

/* Write a buffer to a file (mode as es_file_write), reporting errors; CLI_OK or CLI_USAGE. */
int cli_write_file(const cli_spec *spec, const char *path, const es_buf *b, unsigned mode);
/* Image commands (cmd_image_common.c): PNG/SVG from --out's suffix and --dpi; write and report. */
int cli_image_target(const cli_args *a, es_image_format *fmt, unsigned *dpi);
int cli_image_write(const cli_args *a, const es_buf *b);

/* The options of verifying commands, declared in each command's option table. */
#define CLI_VERIFY_OPTS                                                                            \
    {"trust", "ROOT.pem", CLI_REQUIRED | CLI_MULTI, "trust anchors (PEM bundle or DER)"},          \
        {"untrusted", "CHAIN.pem", CLI_MULTI, "intermediate certificates"},                        \
        {"crl", "CRL.pem", CLI_MULTI, "CRLs; without any, revocation is not checked"},             \
    {                                                                                              \
        "at", "TIME", 0, "verification time, e.g. 2021-06-01 or 2021-06-01T08:00:00+08:00"         \
    }

/* Load --trust, --untrusted, --crl and --at into o; free with cli_free_verify_opts. */
int cli_load_verify_opts(const cli_args *a, es_verify_opts *o);
void cli_free_verify_opts(es_verify_opts *o);
/* Print a document report (JSON with --json, else text); CLI_OK when valid, else CLI_INVALID. */
int cli_print_doc_report(const cli_args *a, const es_doc_report *r);

/* The options the document signing commands share (cli_sign.c), in each one's option table. */
#define CLI_SIGN_OPTS                                                                              \
    {"seal", "SEAL.esl", 0, "the seal to apply"},                                                  \
        {"cert", "S.pem", CLI_REQUIRED, "signer certificate (in the seal's certList)"},            \
        {"key", "S.key", CLI_REQUIRED, "signer private key"},                                      \
        {"page", "N", 0, "page of the seal, from 1 (default 1)"},                                  \
        {"x", "MM", 0, "left edge of the seal, mm from the page's left"},                          \
        {"y", "MM", 0, "top edge of the seal, mm from the page's top"},                            \
        {"cross-page", NULL, 0, "a cross-page seal (骑缝章) at the right edge of the pages"},      \
        {"pages", "A-B", 0, "with --cross-page: the pages to cover (default all)"},                \
        {"time", "TIME", 0, "signing time (default now)"},                                         \
    {                                                                                              \
        "pass-env", "VAR", 0, "password of an encrypted --key in $VAR"                             \
    }

/* What --seal (optional), --cert, --key and --time give. */
typedef struct cli_signer {
    es_seal *seal; /* NULL without --seal */
    es_key *key;
    X509 *cert;
    es_time time; /* 0 without --time: now */
} cli_signer;

/* Load the signer; free with cli_free_signer (also after a failure). */
int cli_load_signer(const cli_args *a, cli_signer *s);
void cli_free_signer(cli_signer *s);
/* --name as a length in mm in [0, 10000]; a usage error when absent or malformed. */
int cli_get_mm(const cli_args *a, const char *name, double *out);
/* --pages A-B into first/last (kept when absent). */
int cli_get_pages(const cli_args *a, long *first, long *last);

/* The subcommands, each in tools/cmd_<name>.c. */
int cmd_ca_crl(int argc, char **argv);
int cmd_ca_init(int argc, char **argv);
int cmd_ca_issue(int argc, char **argv);
int cmd_ca_revoke(int argc, char **argv);
int cmd_cert_verify(int argc, char **argv);
int cmd_dgst(int argc, char **argv);
int cmd_image_import(int argc, char **argv);
int cmd_image_oval(int argc, char **argv);
int cmd_image_round(int argc, char **argv);
int cmd_image_square(int argc, char **argv);
int cmd_key_gen(int argc, char **argv);
int cmd_key_pub(int argc, char **argv);
int cmd_ofd_show(int argc, char **argv);
int cmd_ofd_sign(int argc, char **argv);
int cmd_ofd_verify(int argc, char **argv);
int cmd_pdf_show(int argc, char **argv);
int cmd_pdf_sign(int argc, char **argv);
int cmd_pdf_verify(int argc, char **argv);
int cmd_seal_make(int argc, char **argv);
int cmd_seal_show(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);

#endif
