/* eseal command line: main and the one table of subcommands, from which help is generated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct cli_cmd {
    const char *name; /* one or two words */
    int (*fn)(int argc, char **argv);
    const char *summary;
} cli_cmd;

/* Sorted by name; `eseal help` lists them in this order. */
static const cli_cmd commands[] = {
    {"ca crl", cmd_ca_crl, "write a fresh CRL of the CA"},
    {"ca init", cmd_ca_init, "create a root and issuing CA in a directory"},
    {"ca issue", cmd_ca_issue, "issue a maker, signer, tsa or log certificate"},
    {"ca revoke", cmd_ca_revoke, "revoke a certificate the CA issued"},
    {"cert verify", cmd_cert_verify, "verify a certificate chain at a given time"},
    {"dgst", cmd_dgst, "SM3 digest of files (like openssl dgst -sm3 -r)"},
    {"image import", cmd_image_import, "turn a scanned impression into a seal picture"},
    {"image oval", cmd_image_oval, "draw an oval seal (invoice seal) as PNG or SVG"},
    {"image round", cmd_image_round, "draw a round organisation seal as PNG or SVG"},
    {"image square", cmd_image_square, "draw a square personal name seal as PNG or SVG"},
    {"key gen", cmd_key_gen, "generate an SM2 key pair"},
    {"key pub", cmd_key_pub, "write the public key of a private key"},
    {"ofd show", cmd_ofd_show, "show the pages, signatures and stamps of an OFD"},
    {"ofd sign", cmd_ofd_sign, "stamp or sign an OFD document"},
    {"ofd verify", cmd_ofd_verify, "verify every signature of an OFD document"},
    {"pdf show", cmd_pdf_show, "show the pages, revisions and signatures of a PDF"},
    {"pdf sign", cmd_pdf_sign, "seal and sign a PDF by incremental update"},
    {"pdf verify", cmd_pdf_verify, "verify every signature of a PDF and what changed after it"},
    {"seal make", cmd_seal_make, "make a GB/T 38540 seal signed by a seal maker"},
    {"seal show", cmd_seal_show, "show every field of a seal or signature"},
    {"serve", cmd_serve, "run the platform server (HTTP API, SQLite or PostgreSQL)"},
    {"sign", cmd_sign, "apply a seal to data (SES_Signature)"},
    {"verify", cmd_verify, "verify a seal or signature, check by check"},
};

static void print_commands(const char *prefix)
{
    size_t plen = prefix ? strlen(prefix) : 0;

    printf("usage: eseal <command> [options]   (eseal <command> --help for its options)\n\n"
           "commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (prefix == NULL || strncmp(commands[i].name, prefix, plen) == 0)
            printf("  %-14s %s\n", commands[i].name, commands[i].summary);
    printf("\nexit status: 0 success or valid, 1 not valid, 2 could not run\n");
}

/* Find the command named by argv[0] or argv[0] argv[1]; *words gets how many it took. */
static const cli_cmd *find_command(int argc, char **argv, int *words)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        const char *name = commands[i].name;
        const char *space = strchr(name, ' ');
        size_t first = space ? (size_t)(space - name) : strlen(name);

        if (strlen(argv[0]) != first || strncmp(argv[0], name, first) != 0)
            continue;
        if (space == NULL) {
            *words = 1;
            return &commands[i];
        }
        if (argc > 1 && strcmp(argv[1], space + 1) == 0) {
            *words = 2;
            return &commands[i];
        }
    }
    return NULL;
}

static int is_group(const char *word)
{
    size_t len = strlen(word);

    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strncmp(commands[i].name, word, len) == 0 && commands[i].name[len] == ' ')
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    const cli_cmd *cmd;
    int words = 0;

    /*
     * The local time zone read once: with TZ unset glibc stats /etc/localtime on every
     * mktime/localtime, and libzip calls mktime for each entry of each OFD package it opens
     * (15 µs of a 0.3 ms signature). ":/etc/localtime" is the zone glibc uses anyway.
     */
    if (getenv("TZ") == NULL)
        setenv("TZ", ":/etc/localtime", 0);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        (strcmp(argv[1], "help") == 0 && argc == 2)) {
        print_commands(NULL);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("eseal %s\n", ESEAL_VERSION);
        return CLI_OK;
    }
    if (strcmp(argv[1], "help") == 0) {
        cmd = find_command(argc - 2, argv + 2, &words);
        if (cmd != NULL) {
            char *help_argv[] = {argv[2], "--help", NULL};
            return cmd->fn(2, help_argv) == CLI_USAGE ? CLI_USAGE : CLI_OK;
        }
        argv[1] = argv[2];
    } else {
        cmd = find_command(argc - 1, argv + 1, &words);
        if (cmd != NULL)
            return cmd->fn(argc - words, argv + words);
    }
    if (is_group(argv[1])) {
        print_commands(argv[1]);
        return CLI_USAGE;
    }
    fprintf(stderr, "eseal: unknown command \"%s\" (see eseal help)\n", argv[1]);
    return CLI_USAGE;
}
