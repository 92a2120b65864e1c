/*
 * libFuzzer target for the OFD package writer (src/ofd/ofd_zipw.c), which parses the central
 * directory of an uploaded package to copy its records: any package that opens is written with
 * a replaced entry, a new entry with a known-CRC span and a new deflated entry; when the writer
 * takes it, the output must reopen (libzip checks every CRC) with every old entry and the new
 * contents.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/ofd.h"
#include "ofd/ofd_local.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const es_ofd_limits lim = {
    .max_entries = 200, .max_entry_size = 1u << 20, .max_total = 4u << 20, .max_xml_depth = 32};

/* The output reopens with every entry of d, OFD.xml replaced and the new entry whole. */
static void check_output(const es_ofd *d, const es_buf *out, size_t nbig)
{
    es_ofd *back = calloc(1, sizeof(*back));
    const es__ofd_entry *e;
    size_t found = 0;

    if (back == NULL)
        return;
    back->lim = lim;
    if (es__ofd_read_zip(back, out->data, out->len, 0) != ES_OK)
        abort();
    for (size_t i = 0; i < d->ne; i++)
        found += es__ofd_find(back, d->e[i].name) != NULL;
    if (found != d->ne || (e = es__ofd_find(back, "Doc_0/y.xml")) == NULL || e->data.len != nbig ||
        (e = es__ofd_find(back, "OFD.xml")) == NULL || e->data.len != 4)
        abort();
    es_ofd_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t big[5000];
    es__ofd_put puts[3] = {
        {.name = "OFD.xml", .data = (const uint8_t *)"<a/>", .len = 4},
        {.name = "Doc_0/Signs/Sign_0/x.dat",
         .data = big,
         .len = sizeof(big),
         .span_off = 100,
         .span_len = 200,
         .span_crc = 0x7ecb6ba6u}, /* CRC-32 of 200 'x' */
        {.name = "Doc_0/y.xml", .data = big, .len = sizeof(big)},
    };
    es_ofd *d = NULL;
    es_buf out = {0};
    int handled = 0;

    memset(big, 'x', sizeof(big));
    if (es__ofd_open(data, size, &lim, 1, &d) != ES_OK)
        return 0;
    if (es__ofd_zip_copy(d, puts, 3, 1700000000, &out, &handled) == ES_OK && handled)
        check_output(d, &out, sizeof(big));
    es_buf_free_public(&out);
    es_ofd_free(d);
    return 0;
}
