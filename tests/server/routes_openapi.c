/* Every route of the server's table is in server/openapi.json and every documented one is routed.
 */
#include <ctype.h>
#include <string.h>

#include <jansson.h>

#include "server_local.h"
#include "testutil.h"

static const char *doc_path;

static void lower(const char *in, char *out, size_t n)
{
    size_t i;

    for (i = 0; in[i] && i + 1 < n; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = '\0';
}

static void test_routes_documented(void **state)
{
    json_error_t je;
    json_t *doc = json_load_file(doc_path, 0, &je), *paths;
    size_t n;
    const srv_route *routes = srv_routes(&n);
    char m[16];

    (void)state;
    if (doc == NULL)
        fail_msg("%s: %s", doc_path, je.text);
    paths = json_object_get(doc, "paths");
    for (size_t i = 0; i < n; i++) {
        lower(routes[i].method, m, sizeof(m));
        if (json_object_get(json_object_get(paths, routes[i].pattern), m) == NULL)
            fail_msg("route %s %s is not in openapi.json", routes[i].method, routes[i].pattern);
    }
    json_decref(doc);
}

static int routed(const srv_route *routes, size_t n, const char *path, const char *method)
{
    char m[16];

    for (size_t i = 0; i < n; i++) {
        lower(routes[i].method, m, sizeof(m));
        if (strcmp(routes[i].pattern, path) == 0 && strcmp(m, method) == 0)
            return 1;
    }
    return 0;
}

static void test_documented_routed(void **state)
{
    json_t *doc = json_load_file(doc_path, 0, NULL), *ops;
    size_t n, count = 0;
    const srv_route *routes = srv_routes(&n);
    const char *path, *method;

    (void)state;
    assert_non_null(doc);
    json_object_foreach(json_object_get(doc, "paths"), path, ops)
    {
        json_t *op;

        json_object_foreach(ops, method, op)
        {
            if (strcmp(method, "parameters") == 0)
                continue;
            if (!routed(routes, n, path, method))
                fail_msg("openapi.json documents %s %s but no route serves it", method, path);
            count++;
        }
    }
    assert_int_equal(count, n);
    json_decref(doc);
}

/* The embedded copy is the file: a stale build would serve an old document. */
static void test_embedded_matches(void **state)
{
    es_buf b = tu_read(doc_path);

    (void)state;
    assert_int_equal(b.len, srv_openapi_json_len);
    assert_memory_equal(b.data, srv_openapi_json, b.len);
    es_buf_free(&b);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes_documented),
        cmocka_unit_test(test_documented_routed),
        cmocka_unit_test(test_embedded_matches),
    };

    doc_path = argc > 1 ? argv[1] : ESEAL_SOURCE_DIR "/server/openapi.json";
    return cmocka_run_group_tests(tests, NULL, NULL);
}
