/* The document report of src/ofd/: one report for the package and one per signature. */
#ifndef ESEAL_OFD_REPORT_LOCAL_H
#define ESEAL_OFD_REPORT_LOCAL_H

#include "eseal/report.h"

struct es_ofd_report {
    es_report *doc;   /* ofd.package, ofd.signatures, ofd.coverage */
    es_report **sigs; /* one per signature, in Signatures.xml order */
    size_t nsigs;
};

#endif
