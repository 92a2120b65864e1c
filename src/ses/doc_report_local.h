/* What a document verifier (src/ofd, src/pdf) fills in: the document report's parts. */
#ifndef ESEAL_DOC_REPORT_LOCAL_H
#define ESEAL_DOC_REPORT_LOCAL_H

#include "eseal/report.h"

struct es_doc_report {
    es_report *doc;   /* the file: reading, the signature list, coverage */
    es_report **sigs; /* one per signature, in the document's order */
    size_t nsigs;
};

/* A report with its document report made (sigs empty); NULL on no memory (error set). */
es_doc_report *es__doc_report_new(void);

#endif
