/* libeseal: electronic seals (GB/T 38540) on OFD and PDF with SM2/SM3/SM4. Umbrella header. */
#ifndef ESEAL_ESEAL_H
#define ESEAL_ESEAL_H

#include "eseal/buf.h"
#include "eseal/crypto.h"
#include "eseal/error.h"
#include "eseal/key.h"
#include "eseal/pki.h"
#include "eseal/report.h"
#include "eseal/ses.h"
#include "eseal/time.h"

#define ESEAL_VERSION "0.1.0"

#endif
