/* The field product and square in MULX/ADCX/ADOX assembly (fp_asm.h), callable; picked at run
 * time. Elsewhere than x86-64 they are the portable C product. */
#include "crypto/sm2/fp_asm.h"
#include "crypto/sm2/sm2_local.h"

void es__fp_mul_mulx(es__fp r, const es__fp a, const es__fp b)
{
#if ES__FP_HAVE_ASM
    fp_mont_mul_asm(r, a, b);
#else
    fp_mont_mul(r, a, b);
#endif
}

void es__fp_sqr_mulx(es__fp r, const es__fp a)
{
#if ES__FP_HAVE_ASM
    fp_mont_sqr_asm(r, a);
#else
    fp_mont_sqr(r, a);
#endif
}
