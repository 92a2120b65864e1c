/* Safe XML reading for OFD entries: no network, no DTD, no entities, bounded depth; by local name.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "eseal_local.h"
#include "ofd/ofd_local.h"

/* Any DOCTYPE is refused before parsing: OFD never needs one, and entity tricks need one. */
static int has_doctype(const uint8_t *p, size_t n)
{
    static const char tag[] = "<!DOCTYPE";

    for (size_t i = 0; i + sizeof(tag) - 1 <= n; i++)
        if (p[i] == '<' && memcmp(p + i, tag, sizeof(tag) - 1) == 0)
            return 1;
    return 0;
}

/* Depth of the element tree (iterative, so a deep tree cannot exhaust the stack). */
static int tree_depth(const xmlNode *root)
{
    const xmlNode *n = root;
    int depth = 1, max = 1;

    while (n != NULL) {
        if (n->children != NULL) {
            n = n->children;
            if (++depth > max)
                max = depth;
            continue;
        }
        while (n != NULL && n->next == NULL && n != root) {
            n = n->parent;
            depth--;
        }
        if (n == NULL || n == root)
            break;
        n = n->next;
    }
    return max;
}

/* COMPACT keeps short text inside its node (fewer allocations): eseal never edits a tree */
#define OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT)

/*
 * The entry as one chunk to a push parser, after the 4 bytes that tell its encoding. libxml2's
 * reader over memory (xmlCtxtReadMemory) asks its input for more at every step near the end of
 * the buffer, which is a quarter of the time of a small file; pushing builds the same tree.
 */
static xmlDoc *push_parse(xmlParserCtxt *ctx, const es_buf *b)
{
    const char *p = b->len > 0 ? (const char *)b->data : "";
    int k = b->len < 4 ? (int)b->len : 4;
    xmlDoc *doc;

    if (xmlCtxtResetPush(ctx, p, k, NULL, NULL) != 0)
        return NULL;
    xmlCtxtUseOptions(ctx, OPTIONS);
    xmlParseChunk(ctx, p + k, (int)b->len - k, 1);
    doc = ctx->myDoc;
    ctx->myDoc = NULL;
    if (!ctx->wellFormed || xmlDocGetRootElement(doc) == NULL) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    return doc;
}

/* The length of msg's first line, at most 200. */
static int line_len(const char *msg)
{
    size_t n = strcspn(msg, "\n");

    return n < 200 ? (int)n : 200;
}

/* What the push parser refused, parsed again by the reader, whose messages (and line numbers)
 * are the ones eseal has always reported; its document in *doc if it takes it after all. */
static es_err pull_parse(const es_buf *b, const char *name, int max_depth, xmlDoc **doc)
{
    es_err rc = ES_OK;
    xmlParserCtxt *ctx = xmlNewParserCtxt();
    const xmlError *xe;
    const char *msg;

    if (ctx == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    *doc = xmlCtxtReadMemory(ctx, (const char *)b->data, (int)b->len, NULL, NULL, OPTIONS);
    if (*doc == NULL || xmlDocGetRootElement(*doc) == NULL) {
        xe = xmlCtxtGetLastError(ctx);
        msg = xe != NULL && xe->message != NULL ? xe->message : "empty";
        if (strstr(msg, "depth") != NULL)
            rc = es__fail(ES_ERR_LIMIT, "%s: XML nested deeper than the limit of %d", name,
                          max_depth);
        else /* libxml2's message ends in a newline */
            rc = es__fail(ES_ERR_FORMAT, "%s: not well-formed XML (line %d: %.*s)", name,
                          xe ? xe->line : 0, line_len(msg), msg);
    }
    xmlFreeParserCtxt(ctx);
    return rc;
}

static es_err parse_checked(xmlParserCtxt *reuse, const es_buf *b, const char *name, int max_depth,
                            xmlDoc **out)
{
    es_err rc = ES_OK;
    xmlParserCtxt *ctx = reuse;
    xmlDoc *doc = NULL;
    int depth;

    *out = NULL;
    if (b->len > (size_t)INT32_MAX)
        return es__fail(ES_ERR_LIMIT, "%s: too large for the XML parser", name);
    if (has_doctype(b->data, b->len))
        return es__fail(ES_ERR_UNSUPPORTED, "%s: has a DOCTYPE; DTDs and entities are refused",
                        name);
    if (ctx == NULL && (ctx = es__ofd_xml_ctx()) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    if ((doc = push_parse(ctx, b)) == NULL && (rc = pull_parse(b, name, max_depth, &doc)) != ES_OK)
        goto end;
    if (doc->intSubset != NULL || doc->extSubset != NULL) {
        rc = es__fail(ES_ERR_UNSUPPORTED, "%s: has a DTD; DTDs and entities are refused", name);
        goto end;
    }
    if ((depth = tree_depth(xmlDocGetRootElement(doc))) > max_depth) {
        rc = es__fail(ES_ERR_LIMIT, "%s: XML nested %d deep, more than the limit of %d", name,
                      depth, max_depth);
        goto end;
    }
    *out = doc;
    doc = NULL;
end:
    xmlFreeDoc(doc);
    if (ctx != reuse)
        xmlFreeParserCtxt(ctx);
    return rc;
}

/* The first thing libxml2 reported through its generic handler (encoding errors come only there).
 */
typedef struct heard {
    char text[160];
} heard;

static void hear(void *ctx, const char *msg, ...) __attribute__((format(printf, 2, 3)));

static void hear(void *ctx, const char *msg, ...)
{
    heard *h = ctx;
    size_t n;
    va_list ap;

    if (h->text[0] != '\0')
        return;
    va_start(ap, msg);
    vsnprintf(h->text, sizeof(h->text), msg, ap);
    va_end(ap);
    n = strcspn(h->text, "\n");
    h->text[n] = '\0';
}

/*
 * libxml2 reports encoding and I/O errors (a GB18030 entry with bytes that are not GB18030)
 * through its generic error handler, stderr by default, whatever the parser's options say; the
 * library never prints. The handler is libxml2's per-thread state: taken over while this thread
 * parses (what it hears joins the error's detail), then given back as it was.
 */
es_err es__ofd_xml_parse(xmlParserCtxt *reuse, const es_buf *b, const char *name, int max_depth,
                         xmlDoc **out)
{
    xmlGenericErrorFunc was = xmlGenericError;
    void *was_ctx = xmlGenericErrorContext;
    heard h = {""};
    char why[512];
    es_err rc;

    xmlSetGenericErrorFunc(&h, hear);
    rc = parse_checked(reuse, b, name, max_depth, out);
    xmlSetGenericErrorFunc(was_ctx, was);
    if (rc == ES_ERR_FORMAT && h.text[0] != '\0') {
        snprintf(why, sizeof(why), "%s", es_errdetail());
        rc = es__fail(rc, "%s (%s)", why, h.text);
    }
    return rc;
}

xmlParserCtxt *es__ofd_xml_ctx(void)
{
    return xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL);
}

int es__ofd_xml_is(const xmlNode *n, const char *local)
{
    return n != NULL && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

xmlNode *es__ofd_xml_child(const xmlNode *parent, const char *local)
{
    if (parent == NULL)
        return NULL;
    for (xmlNode *c = parent->children; c != NULL; c = c->next)
        if (es__ofd_xml_is(c, local))
            return c;
    return NULL;
}

xmlNode *es__ofd_xml_next(const xmlNode *n, const char *local)
{
    for (xmlNode *c = n->next; c != NULL; c = c->next)
        if (es__ofd_xml_is(c, local))
            return c;
    return NULL;
}

/* A copy of s without leading and trailing XML whitespace. */
static char *trimmed(const char *s)
{
    size_t n;
    char *r;

    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if ((r = malloc(n + 1)) != NULL) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

char *es__ofd_xml_text(const xmlNode *n)
{
    xmlChar *c = xmlNodeGetContent(n);
    char *r = trimmed(c != NULL ? (const char *)c : "");

    xmlFree(c);
    return r;
}

char *es__ofd_xml_attr(const xmlNode *n, const char *local)
{
    if (n == NULL)
        return NULL;
    for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
        if (strcmp((const char *)a->name, local) == 0) {
            xmlChar *v = xmlNodeGetContent((const xmlNode *)a);
            char *r = trimmed(v != NULL ? (const char *)v : "");
            xmlFree(v);
            return r;
        }
    }
    return NULL;
}
