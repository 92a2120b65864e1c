"""The HTTP side of bench_batch.sh: a server with an active seal, then one batch per kind.

Usage: bench_batch.py ESEAL WORKDIR N SAMPLES. The PIN unlock (Argon2id) is timed alone (a batch
of one data item) and taken out of the per-item rate; each kind is warmed up with one item.
"""
import base64
import http.client
import os
import subprocess
import sys
import time

ESEAL, WORK, N, SAMPLES = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
DB = os.environ.get("BENCH_DB", "sqlite")  # pg: PGHOST/PGPORT/PGUSER name a cluster (pg.sh)
HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, "..", "tests", "server")
sys.argv = [sys.argv[0], ESEAL, DB, WORK]
sys.path.insert(0, TESTS)
sys.path.insert(0, HERE)
import api_test as A  # noqa: E402
import seal_test as S  # noqa: E402
import perf_breakdown as P  # noqa: E402

_conn = http.client.HTTPConnection
http.client.HTTPConnection = lambda *a, **k: _conn(*a, **dict(k, timeout=900))  # long batches
PERF = os.environ.get("BENCH_PERF") == "1"
KINDS = ("OFD", "PDF", "data")


def cpu(pid):
    """CPU seconds the server used so far (all threads): steady on a shared, busy machine."""
    with open("/proc/%d/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")


def db_cpu():
    """CPU seconds PostgreSQL's processes used so far (0 on SQLite: it runs inside the server)."""
    t = 0.0
    for d in os.listdir("/proc") if DB == "pg" else ():
        try:
            with open("/proc/%s/comm" % d) as f:
                if f.read().startswith("postgres"):
                    t += cpu(int(d))
        except (OSError, ValueError):
            pass  # not a process, or gone meanwhile
    return t


def batch(s, w, sid, items, tag):
    """Wall and server CPU seconds of one POST /api/sign/batch."""
    prof = P.start(s.p.pid, os.path.join(WORK, tag + ".perf")) if PERF and tag in KINDS else None
    c, t, dbc = cpu(s.p.pid), time.time(), db_cpu()
    st, j = s.call("POST", "/api/sign/batch", {"seal_id": sid, "pin": S.PIN, "items": items},
                   token=w["ent"])
    dt, dc = time.time() - t, cpu(s.p.pid) - c
    assert st == 200 and all("error" not in r for r in j["results"]), j
    if DB == "pg" and tag in KINDS:
        print("  %s: PostgreSQL's own CPU %.2f ms per item" % (tag, (db_cpu() - dbc) * 1e3
                                                               / len(items)))
    if prof:
        P.report(prof, tag, len(items))
    return dt, dc


def run(s, w, sid, kind, make, unlock):
    batch(s, w, sid, make(1), kind + "-warm")  # first use: caches (the PDF picture) filled
    dt, dc = batch(s, w, sid, make(N), kind)
    per, cper = (dt - unlock[0]) / N, (dc - unlock[1]) / N
    print("%-4s batch of %d: %.3f s, %.1f items/s with one PIN unlock; without it %.2f ms per "
          "item (%.0f items/s), server CPU %.2f ms per item (%.0f items/s per core)"
          % (kind, N, dt, N / dt, per * 1e3, 1 / per if per > 0 else 0, cper * 1e3,
             1 / cper if cper > 0 else 0), flush=True)


def main():
    ofd = open(os.path.join(SAMPLES, "ofd", "helloworld.ofd"), "rb").read()
    pdf = open(os.path.join(SAMPLES, "pdf", "unsigned", "pyhanko_minimal-xref.pdf"), "rb").read()
    idp = subprocess.Popen([sys.executable, os.path.join(TESTS, "fake_idp.py")],
                           stdout=subprocess.PIPE, text=True)
    url = "http://127.0.0.1:%s/verify" % idp.stdout.readline().split()[1]
    os.makedirs(WORK, exist_ok=True)
    try:
        s = A.Server("bench", idp=url)
    except BaseException:
        idp.kill()
        raise
    try:
        w = S.setup(s, url)
        sid, _ = S.make_seal(s, w)
        st, j = S.get_bytes(s, "/api/seals/%d/seal.esl" % sid, w["ent"])
        print("seal: %d bytes (its picture is inside every signature)" % len(j), flush=True)
        data = lambda k: [{"data": base64.b64encode(os.urandom(1024)).decode()}  # noqa: E731
                          for _ in range(k)]
        batch(s, w, sid, data(1), "unlock-warm")
        unlock = min(batch(s, w, sid, data(1), "unlock") for _ in range(3))
        print("one PIN unlock (Argon2id 64 MiB, 3 passes) + 1 data item: %.0f ms (server CPU %.0f "
              "ms)" % (unlock[0] * 1e3, unlock[1] * 1e3))
        for kind, body in (("OFD", ofd), ("PDF", pdf)):
            def docs(k, body=body):
                ids = [S.raw(s, "POST", "/api/documents", body, w["ent"])[1]["id"]
                       for _ in range(k)]
                return [{"document_id": d, "page": 1, "x_mm": 5, "y_mm": 5} for d in ids]
            run(s, w, sid, kind, docs, unlock)
        run(s, w, sid, "data", data, unlock)
    finally:
        s.stop()
        idp.kill()


main()
