#!/usr/bin/env bash
# Batch signing over HTTP: start a server, make an active seal through the API, upload N small
# OFDs and N small PDFs and sign each set with one POST /api/sign/batch (one PIN unlock each);
# then N raw-data items.
# Usage: bench/bench_batch.sh [eseal] [n]   (prints documents/s and items/s)
set -euo pipefail
ESEAL=${1:-build-life/tools/eseal}
N=${2:-50}
T=$(mktemp -d /tmp/bench-batch.XXXXXX)
trap 'rm -rf "$T"' EXIT
HERE=$(cd "$(dirname "$0")" && pwd)
ESEAL_BATCH_MAX=$N python3 - "$ESEAL" "$T" "$N" "$HERE/../tests/server" \
    "${ESEAL_SAMPLES:-$HERE/../../shared/samples}" <<'PY'
import base64, os, sys, time
sys.argv = [sys.argv[0], sys.argv[1], "sqlite", sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]]
sys.path.insert(0, sys.argv[5])
import api_test as A, seal_test as S
import http.client
_conn = http.client.HTTPConnection
http.client.HTTPConnection = lambda *a, **k: _conn(*a, **dict(k, timeout=900))  # long batches
n = int(sys.argv[4])
ofd = open(os.path.join(sys.argv[6], "ofd", "helloworld.ofd"), "rb").read()
pdf = open(os.path.join(sys.argv[6], "pdf", "unsigned", "pyhanko_minimal-xref.pdf"), "rb").read()
idp = A.subprocess.Popen([sys.executable, os.path.join(A.HERE, "fake_idp.py")], stdout=A.subprocess.PIPE, text=True)
url = "http://127.0.0.1:%s/verify" % idp.stdout.readline().split()[1]
s = A.Server("bench", idp=url)
try:
    w = S.setup(s, url)
    sid, _ = S.make_seal(s, w)
    for kind, body in (("OFD", ofd), ("PDF", pdf)):
        docs = [S.raw(s, "POST", "/api/documents", body, w["ent"])[1]["id"] for _ in range(n)]
        items = [{"document_id": d, "page": 1, "x_mm": 5, "y_mm": 5} for d in docs]
        t = time.time()
        st, j = s.call("POST", "/api/sign/batch", {"seal_id": sid, "pin": S.PIN, "items": items},
                       token=w["ent"])
        dt = time.time() - t
        assert st == 200 and all("error" not in r for r in j["results"]), j
        print("batch of %d %ss (%d bytes each): %.2f s, %.1f documents/s (one PIN unlock included)"
              % (n, kind, len(body), dt, n / dt))
    items = [{"data": base64.b64encode(os.urandom(1024)).decode()} for _ in range(n)]
    t = time.time()
    st, j = s.call("POST", "/api/sign/batch", {"seal_id": sid, "pin": S.PIN, "items": items}, token=w["ent"])
    dt = time.time() - t
    assert st == 200, j
    print("batch of %d raw 1 KiB items: %.3f s, %.0f items/s (one PIN unlock included)" % (n, dt, n / dt))
finally:
    s.stop()
    idp.kill()
PY
