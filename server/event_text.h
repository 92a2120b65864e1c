/*
 * Flat JSON objects of the signing path written straight into a fixed buffer (jtext): the
 * signing events' detail text and a batch's document results. The bytes are those that
 * json_dumps(json_pack(...), JSON_COMPACT) gave before (same key order, separators, escapes;
 * tests/server/event_text_test.c holds them to jansson), without a tree, an allocation or printf
 * per item. The rules are jansson's, not es__sb_json's (which escapes DEL and U+2028, writes
 * \u0008 for \b and \u001f in lower case, and keeps invalid UTF-8 as U+FFFD): the evidence
 * already stored was written by jansson.
 */
#ifndef ESEAL_SERVER_EVENT_TEXT_H
#define ESEAL_SERVER_EVENT_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* A compact JSON object being written into buf[cap]: begin, members, end. */
typedef struct jtext {
    char *p;
    size_t len, cap;
    int bad; /* did not fit, or a value jansson refuses (NULL, not UTF-8) */
} jtext;

/* Start the object in buf[cap]; cap >= 3, room for "{}". */
void jtext_begin(jtext *t, char *buf, size_t cap);
/* Add "key":v (a decimal integer). */
void jtext_int(jtext *t, const char *key, int64_t v);
/*
 * Add "key":"v": '"', '\\' and controls escaped as jansson does (\b \f \n \r \t, else \u00XX in
 * upper case), everything else as is. A NULL or invalid UTF-8 key or value spoils the object,
 * as it made json_pack fail.
 */
void jtext_str(jtext *t, const char *key, const char *v);
/*
 * Close the object, buf NUL-terminated. An object that would not fit in cap bytes with its NUL,
 * or one spoilt by a value, is "{}" instead, as before (a partial object would be no evidence);
 * returns 0 then, 1 when the object was written whole.
 */
int jtext_end(jtext *t);

/* The events of cloud signing, each into buf[cap] as above. */
int event_signing_started(char *buf, size_t cap, int64_t document_id, const char *ip);
int event_document_signed(char *buf, size_t cap, int64_t document_id, int64_t seal_id,
                          const char *seal_code, const char *serial, const char *sm3_before,
                          const char *sm3, const char *ip);
int event_document_completed(char *buf, size_t cap, int64_t document_id, const char *sm3);
int event_data_signed(char *buf, size_t cap, int64_t seal_id, const char *seal_code,
                      const char *sm3, const char *ip);

#endif
