/* Matching a request against the route table: literal segments and {param} segments. */
#include <string.h>

#include "server_local.h"

/*
 * Match path against pattern segment by segment; parameters are copied into r->parambuf.
 * Returns 1 on a match.
 */
static int match(const char *pattern, const char *path, srv_req *r)
{
    const char *p = pattern, *q = path;
    size_t used = 0;
    int np = 0;

    while (*p && *q) {
        if (*p == '{') {
            const char *pend = strchr(p, '}');
            size_t len = strcspn(q, "/");

            if (pend == NULL || len == 0 || np == SRV_MAX_PARAMS ||
                used + len + 1 > sizeof(r->parambuf))
                return 0;
            memcpy(r->parambuf + used, q, len);
            r->parambuf[used + len] = '\0';
            r->param[np++] = r->parambuf + used;
            used += len + 1;
            p = pend + 1;
            q += len;
        } else if (*p++ != *q++) {
            return 0;
        }
    }
    return *p == '\0' && *q == '\0';
}

const srv_route *srv_route_match(srv_req *r)
{
    size_t n;
    const srv_route *routes = srv_routes(&n);
    int path_known = 0;

    for (size_t i = 0; i < n; i++) {
        if (!match(routes[i].pattern, r->path, r))
            continue;
        if (strcmp(routes[i].method, r->method) == 0)
            return &routes[i];
        path_known = 1;
    }
    if (path_known)
        srv_fail(&r->err, SRV_METHOD, "%s is not allowed on %s", r->method, r->path);
    else
        srv_fail(&r->err, SRV_NOT_FOUND, "no route for %s", r->path);
    return NULL;
}

void srv_dispatch(srv_req *r)
{
    const srv_route *route = srv_route_match(r);

    if (route != NULL)
        route->handler(r);
    if (r->err.code == SRV_OK && r->json == NULL && r->raw == NULL && r->raw_owned == NULL &&
        r->stream.read == NULL)
        srv_fail(&r->err, SRV_INTERNAL, "internal error: no response");
}
