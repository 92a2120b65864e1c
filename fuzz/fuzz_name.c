/* libFuzzer target for es_name_parse: no crash, and es_name_format output parses back equal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/pki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1), *text = NULL;
    X509_NAME *name = NULL, *back = NULL;
    es_err rc;

    if (in == NULL)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    if (es_name_parse(in, &name) != ES_OK)
        goto end;
    if (es_name_format(name, &text) != ES_OK)
        abort();
    /* Escapes make the text longer than the input; only the length limit may refuse it. */
    rc = es_name_parse(text, &back);
    if (rc == ES_ERR_LIMIT)
        goto end;
    if (rc != ES_OK || X509_NAME_cmp(name, back) != 0)
        abort();
end:
    X509_NAME_free(back);
    X509_NAME_free(name);
    es_free(text);
    free(in);
    return 0;
}
