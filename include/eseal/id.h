/* Format checks of Chinese identifiers: resident ID numbers, unified social credit codes, mobiles.
 */
#ifndef ESEAL_ID_H
#define ESEAL_ID_H

#include <stddef.h>

#include "eseal/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ES_ID_RESIDENT_LEN 18 /* GB 11643-1999 citizen identity number */
#define ES_ID_CREDIT_LEN   18 /* GB 32100-2015 unified social credit code */
#define ES_ID_MOBILE_LEN   11 /* mainland mobile number without +86 */

/*
 * The check character of the first 17 digits of a resident ID number (GB 11643: ISO 7064
 * MOD 11-2, '0'..'9' or 'X'). ES_ERR_FORMAT when p holds a non-digit.
 */
es_err es_id_resident_check_char(const char p[17], char *out);

/*
 * Check an 18-character resident ID number p[0..n): a known province code in the first two
 * digits, digits 7..14 a real birth date (YYYYMMDD, 1900-01-01 .. today), the check character
 * ('x' is accepted as 'X'). ES_ERR_FORMAT otherwise; es_errdetail() names what is wrong in one
 * sentence fit to show a user ("check character is 3, expected X").
 */
es_err es_id_resident_check(const char *p, size_t n);

/*
 * The check character of the first 17 characters of a unified social credit code (GB 32100:
 * ISO 7064 MOD 31-3 over "0123456789ABCDEFGHJKLMNPQRTUWXY"). ES_ERR_FORMAT for a character
 * outside that alphabet.
 */
es_err es_id_credit_check_char(const char p[17], char *out);

/*
 * Check an 18-character unified social credit code p[0..n) (upper case): alphabet, the
 * registration authority and category codes of the first two characters, the check character.
 * ES_ERR_FORMAT with the reason in es_errdetail() otherwise.
 */
es_err es_id_credit_check(const char *p, size_t n);

/* Check an 11-digit mainland mobile number ("1" then 3..9 then nine digits). ES_ERR_FORMAT. */
es_err es_id_mobile_check(const char *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
