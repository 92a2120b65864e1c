/* Safe XML reading for OFD entries: no network, no DTD, no entities, bounded depth; by local name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

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

es_err es__ofd_xml_parse(const es_buf *b, const char *name, int max_depth, xmlDoc **out)
{
    es_err rc = ES_OK;
    xmlParserCtxt *ctx = NULL;
    xmlDoc *doc = NULL;
    const xmlError *xe;
    int depth;

    *out = NULL;
    if (b->len > (size_t)INT32_MAX)
        return es__fail(ES_ERR_LIMIT, "%s: too large for the XML parser", name);
    if (has_doctype(b->data, b->len))
        return es__fail(ES_ERR_UNSUPPORTED, "%s: has a DOCTYPE; DTDs and entities are refused",
                        name);
    if ((ctx = xmlNewParserCtxt()) == NULL)
        return es__fail(ES_ERR_NOMEM, "out of memory");
    /* COMPACT keeps short text inside its node (fewer allocations): eseal never edits a tree */
    doc = xmlCtxtReadMemory(ctx, (const char *)b->data, (int)b->len, name, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                XML_PARSE_COMPACT);
    if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
        xe = xmlCtxtGetLastError(ctx);
        if (xe != NULL && xe->message != NULL && strstr(xe->message, "depth") != NULL)
            rc = es__fail(ES_ERR_LIMIT, "%s: XML nested deeper than the limit of %d", name,
                          max_depth);
        else
            rc = es__fail(ES_ERR_FORMAT, "%s: not well-formed XML (line %d: %.200s)", name,
                          xe ? xe->line : 0, xe && xe->message ? xe->message : "empty");
        goto end;
    }
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
    xmlFreeParserCtxt(ctx);
    return rc;
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
