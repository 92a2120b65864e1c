"""Where a batch's server time goes: perf samples of the server, each charged to the innermost
frame of its call stack that names a category (bench_batch.sh with BENCH_PERF=1)."""
import collections
import re
import signal
import subprocess
import time

# Innermost match wins: SM3 inside an SM2 signature counts as SM3 (hashing the seal and data).
CATEGORIES = [
    ("SM3", r"sm3|EVP_Digest|_digest\b"),
    # eseal's SM2 (src/crypto/sm2): field and scalar arithmetic, points, tables
    ("SM2", r"sm2|^es__(fp|fn|jac|comb|wnaf|split|vtab)_|^fp_|^fn_"),
    ("PIN unlock (Argon2id)", r"argon2|custody_|^svc_signer_unlock$"),
    ("database", r"^sqlite3|^st__|^st_doc|^st_event|^st_seal|^PQ|^lite_|^pg_|libpq|^doc_(un)?pack"),
    ("PDF/OFD/SES encoding", r"^es_pdf|^es__pdf|^es_ofd|^es__ofd|^zip_|deflate|^es_seal|^es__|"
                             r"ASN1|i2d_|d2i_|cairo|png|^es_buf"),
    ("HTTP, JSON, base64", r"^json_|^srv_b64|^srv_unb64|MHD_|^h_sign_batch|^srv_reply|"
                           r"^on_request|EVP_Encode|EVP_Decode|^srv_body|jansson"),
]
RX = [(name, re.compile(rx)) for name, rx in CATEGORIES]
# The string builder serves everyone (the batch reply's JSON, OFD XML, reports): its time is its
# caller's, not "encoding" by its es__ prefix.
NEUTRAL = re.compile(r"^es__sb_")
UNLOCK = CATEGORIES[2][0]
UNLOCK_RX = RX[2][1]


def start(pid, path):
    p = subprocess.Popen(["perf", "record", "-q", "-F", "2999", "--call-graph", "dwarf,32768",
                          "-p", str(pid), "-o", path], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # attached before the request starts
    return (p, path)


def stacks(path):
    out = subprocess.run(["perf", "script", "-i", path, "-F", "ip,sym"], capture_output=True,
                         text=True).stdout
    cur = []
    for line in out.splitlines():
        parts = line.split(None, 1)
        if not parts:
            if cur:
                yield cur
            cur = []
        elif len(parts) == 2:
            cur.append(parts[1].split("+0x")[0])
    if cur:
        yield cur


def classify(stack):
    # The unlock (Argon2id, the key unwrapped and loaded, the seal and certificate read) is paid
    # once per batch and reported on its own, whatever its innermost frame.
    if any(UNLOCK_RX.search(sym) for sym in stack):
        return UNLOCK
    for sym in stack:  # leaf first
        if NEUTRAL.search(sym):
            continue
        for name, rx in RX:
            if rx.search(sym):
                return name
    return "other (kernel, libc, malloc)"


def report(prof, tag, n):
    p, path = prof
    p.send_signal(signal.SIGINT)
    p.wait()
    c = collections.Counter(classify(s) for s in stacks(path))
    total = sum(c.values()) or 1
    work = total - c.get(UNLOCK, 0) or 1
    print("  %s: %d samples at 2999 Hz, %.2f ms of server CPU per item, %.2f without the unlock"
          % (tag, total, total / 2999 * 1e3 / n, work / 2999 * 1e3 / n))
    for name, v in c.most_common():
        share = "" if name == UNLOCK else "%5.1f%% of the rest" % (100 * v / work)
        print("    %5.1f%%  %6.3f ms/item  %-30s %s"
              % (100 * v / total, v / 2999 * 1e3 / n, name, share))
    crypto = c.get("SM3", 0) + c.get("SM2", 0)
    other = work - crypto
    print("    without the unlock: SM3 + SM2 %.1f%%, everything else %.1f%% (%.3f ms/item, %.2f of "
          "SM3 + SM2)" % (100 * crypto / work, 100 * other / work, other / 2999 * 1e3 / n,
                          other / (crypto or 1)))
