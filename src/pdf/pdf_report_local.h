/* The document report of es_pdf_verify (shared by the verifier and the report writer). */
#ifndef ESEAL_PDF_REPORT_LOCAL_H
#define ESEAL_PDF_REPORT_LOCAL_H

#include "eseal/pdf.h"

struct es_pdf_report {
    es_report *doc;
    es_report **sigs;
    size_t nsigs;
};

#endif
