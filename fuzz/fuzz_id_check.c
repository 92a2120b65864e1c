/* Fuzz the ID number, credit code and mobile checks: no crash, no read past n, stable verdicts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "eseal/id.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    char c;

    /* A valid ID or code must carry exactly the check character the generator computes. */
    if (es_id_resident_check(p, size) == ES_OK &&
        (es_id_resident_check_char(p, &c) != ES_OK || (c != p[17] && !(c == 'X' && p[17] == 'x'))))
        abort();
    if (es_id_credit_check(p, size) == ES_OK &&
        (es_id_credit_check_char(p, &c) != ES_OK || c != p[17]))
        abort();
    (void)es_id_mobile_check(p, size);
    return 0;
}
