/* What the signer shares with the update writer: the numbers of the new objects. */
#ifndef ESEAL_PDF_UPDATE_LOCAL_H
#define ESEAL_PDF_UPDATE_LOCAL_H

#include "pdf/pdf_local.h"

typedef struct es__pdf_update {
    const char *name; /* the new field's name */
    es__pdf_widget *widgets;
    size_t nwidgets;
    long img;         /* image XObject (its soft mask is img + 1) */
    long sig;         /* signature dictionary */
    long field;       /* the field (also the widget when there is one) */
    long *ap_ids;     /* one appearance per widget */
    long *widget_ids; /* kids, when there are several widgets */
    int certify;      /* DocMDP P, 0 for an approval signature */
} es__pdf_update;

/* Up to two catalog keys to replace. */
typedef struct es_kv_list {
    es__pdf_kv kv[2];
    size_t n;
} es_kv_list;

/* The appearance streams, the field and its widgets. */
es_err es__pdf_write_widgets(es__pdf_writer *w, const es__pdf_update *u);
/* The pages' /Annots, the form's /Fields and /SigFlags, the catalog's /AcroForm and /Perms. */
es_err es__pdf_write_changes(es__pdf_writer *w, const es__pdf_update *u);

#endif
