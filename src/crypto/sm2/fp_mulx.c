/* The field product and square compiled for BMI2/ADX (MULX, flag-free carries); picked at run time.
 */
#include "crypto/sm2/fp_arith.h"
#include "crypto/sm2/sm2_local.h"

#if defined(__x86_64__)
#define ES__MULX __attribute__((target("bmi2,adx")))
#else
#define ES__MULX
#endif

ES__MULX void es__fp_mul_mulx(es__fp r, const es__fp a, const es__fp b)
{
    fp_mont_mul(r, a, b);
}

ES__MULX void es__fp_sqr_mulx(es__fp r, const es__fp a)
{
    fp_mont_sqr(r, a);
}
