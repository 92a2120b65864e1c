/* libFuzzer target for es_time_parse: no crash, and what parses formats and parses back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[128], out[ES_TIME_STRLEN];
    es_time t, back;

    /* es_time_parse takes a C string; longer inputs are refused by length alone. */
    if (size >= sizeof(in))
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    if (es_time_parse(in, &t) != ES_OK)
        return 0;
    /* Offsets can move a time just outside 0001-9999; those cannot be formatted. */
    if (es_time_format(t, out) != ES_OK)
        return 0;
    if (es_time_parse(out, &back) != ES_OK || back != t)
        abort();
    return 0;
}
