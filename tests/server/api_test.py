#!/usr/bin/env python3
"""eseal serve over real HTTP: registration, verification, login, roles, limits, concurrency,
shutdown and crashes. Usage: api_test.py ESEAL_BINARY sqlite|pg WORKDIR

For pg, PGHOST/PGPORT/PGUSER name a running cluster; each server gets a fresh database.
"""
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request

ESEAL, BACKEND, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
ADMIN_PW = "admin-pass-123"
passed = failed = 0
RUN = random.randrange(100, 999)  # keeps identities of reruns on one database apart


def check(cond, what, extra=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, extra, file=sys.stderr, flush=True)


# ---- identities with check characters computed independently of the C code ----

def resident(birth, seq):
    body = "110105%s%03d" % (birth, seq % 1000)
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * x for c, x in zip(body, w)) % 11]


def credit(seq):
    a = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91110000%09d" % seq
    w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    return body + a[(31 - sum(a.index(c) * x for c, x in zip(body, w)) % 31) % 31]


counter = [RUN * 100000]
clock = threading.Lock()


def fresh():
    with clock:
        counter[0] += 1
        return counter[0]


def person(name="张三", **kw):
    n = fresh()
    # Birth dates and sequence numbers spread so that every call gives a new ID number.
    birth = "19%02d%02d%02d" % (n % 90 + 10, (n // 90) % 12 + 1, (n // 1080) % 28 + 1)
    p = {"name": name, "id_number": resident(birth, n % 1000), "phone": "13%09d" % n,
         "password": "secret-%d" % n}
    p.update(kw)
    return p


def enterprise(name="示例科技有限公司", rep="李四", **kw):
    n = fresh()
    e = {"name": name, "credit_code": credit(n),
         "legal_rep": {"name": rep, "id_number": resident("19800101", n % 1000)},
         "handler": {"name": "王五", "id_number": resident("19900202", n % 1000), "phone": "15%09d" % n},
         "password": "ent-secret-%d" % n}
    e.update(kw)
    return e


# ---- the server under test ----

class Server:
    def __init__(self, tag, idp=None, args=(), db=None, data=None):
        self.data = data or os.path.join(WORK, tag)
        self.db = db or new_db(tag)
        cmd = [ESEAL, "serve", "--listen", "127.0.0.1:0", "--data", self.data, "--threads", "8"]
        if self.db:
            cmd += ["--db", self.db]
        if idp:
            cmd += ["--idp-url", idp]
        cmd += list(args)
        env = dict(os.environ, ESEAL_ADMIN_PASSWORD=ADMIN_PW)
        self.log = open(os.path.join(WORK, tag + ".log"), "ab")
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, env=env, text=True)
        self.out = []
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SystemExit("server %s did not start; see %s.log" % (tag, tag))
            self.out.append(line)
            if "listening on http://" in line:
                self.port = int(line.split("http://127.0.0.1:")[1].split()[0])
                break
        threading.Thread(target=self.p.stdout.read, daemon=True).start()

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        return self.p.wait(timeout=30)

    def kill(self):
        self.p.kill()
        self.p.wait()

    def call(self, method, path, body=None, token=None, raw=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        text = r.read()
        c.close()
        try:
            return r.status, json.loads(text)
        except ValueError:
            return r.status, text

    def login(self, login, password):
        st, j = self.call("POST", "/api/auth/login", {"login": login, "password": password})
        check(st == 200, "login %s" % login, j)
        return j.get("token") if st == 200 else None


def new_db(tag):
    if BACKEND != "pg":
        return None
    name = "eseal_%s_%d" % (tag.replace("-", "_"), RUN)
    subprocess.run(["dropdb", "--if-exists", name], check=True)
    subprocess.run(["createdb", name], check=True)
    return "postgresql://%s@127.0.0.1:%s/%s" % (os.environ["PGUSER"], os.environ["PGPORT"], name)


def field_reasons(j):
    return {f["field"]: f["reason"] for f in j.get("error", {}).get("fields", [])}


# ---- the tests ----

def test_basics(s):
    st, j = s.call("GET", "/healthz")
    check(st == 200 and j["status"] == "ok", "healthz", j)
    with urllib.request.urlopen("http://127.0.0.1:%d/api/openapi.json" % s.port) as r:
        served = r.read()
    with open(os.path.join(HERE, "..", "..", "server", "openapi.json"), "rb") as f:
        check(served == f.read(), "openapi.json served as kept in the repository")
    st, j = s.call("GET", "/api/nothing")
    check(st == 404 and j["error"]["code"] == "not_found", "unknown route 404", j)
    st, j = s.call("DELETE", "/api/me")
    check(st == 405, "wrong method 405", j)
    st, j = s.call("POST", "/api/accounts/person", raw=b'{"name": "x",')
    check(st == 400 and j["error"]["code"] == "bad_json", "truncated JSON 400", j)
    st, j = s.call("POST", "/api/accounts/person", raw=b'[1, 2]')
    check(st == 400 and j["error"]["code"] == "bad_json", "JSON array 400", j)
    st, j = s.call("POST", "/api/auth/login", raw=b'')
    check(st == 400, "empty body 400", j)
    st, j = s.call("GET", "/api/stats")
    check(st == 200 and set(j) == {"users", "providers", "seals_issued", "signings_started",
                                   "documents_completed"}, "stats keys", j)
    st, j = s.call("GET", "/api/me")
    check(st == 401 and j["error"]["code"] == "unauthenticated", "me without token 401", j)
    st, j = s.call("GET", "/api/me", token="0" * 64)
    check(st == 401, "me with unknown token 401", j)
    for st_, j_ in [s.call("GET", "/api/verifications")]:
        check(st_ == 401, "reviewer queue needs a token", j_)


def test_huge_bodies(s):
    # Declared too large: answered at once, before the body is read.
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=10)
    sock.sendall(b"POST /api/accounts/person HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                 b"\r\nContent-Length: 10000000\r\n\r\n" + b"{" * 1000)
    head = sock.recv(4096)
    sock.close()
    check(head.startswith(b"HTTP/1.1 413"), "declared huge body 413", head[:80])
    # Chunked, no declared length: read up to the limit, dropped, then 413.
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
    c.request("POST", "/api/accounts/person", body=iter([b" " * 65536] * 4), encode_chunked=True,
              headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    r = c.getresponse()
    j = json.loads(r.read())
    check(r.status == 413 and j["error"]["code"] == "too_large", "chunked huge body 413", j)
    c.close()
    st, j = s.call("GET", "/healthz")
    check(st == 200, "server fine after huge bodies")


def test_validation(s):
    bad = person(id_number="110105194912310021")
    st, j = s.call("POST", "/api/accounts/person", bad)
    check(st == 400 and "check character is 1, expected X" in field_reasons(j).get("id_number", ""),
          "ID check digit failure named", j)
    st, j = s.call("POST", "/api/accounts/person", person(id_number="110105194902300025"))
    check(st == 400 and "does not exist" in field_reasons(j).get("id_number", ""), "birth date", j)
    st, j = s.call("POST", "/api/accounts/person", person(phone="12345", password="short"))
    f = field_reasons(j)
    check(st == 400 and "phone" in f and "password" in f and "id_number" not in f,
          "field-by-field reasons", j)
    st, j = s.call("POST", "/api/accounts/person", {"name": "x"})
    check(st == 400 and field_reasons(j).get("id_number") == "required", "missing fields", j)
    e = enterprise()
    e["credit_code"] = e["credit_code"][:-1] + ("0" if e["credit_code"][-1] != "0" else "1")
    st, j = s.call("POST", "/api/accounts/enterprise", e)
    check(st == 400 and "check character" in field_reasons(j).get("credit_code", ""),
          "credit code check character failure", j)
    e = enterprise()
    e["legal_rep"]["id_number"] = "11010519491231002Y"
    e["handler"] = {"name": "王五"}
    st, j = s.call("POST", "/api/accounts/enterprise", e)
    f = field_reasons(j)
    check(st == 400 and "legal_rep.id_number" in f and "handler.phone" in f, "enterprise fields", j)
    p = person()
    st, j = s.call("POST", "/api/accounts/person", p)
    check(st == 201, "valid person registers", j)
    st, j = s.call("POST", "/api/accounts/person", dict(p, phone="13900000001"))
    check(st == 409 and j["error"]["code"] == "conflict", "same ID number twice 409", j)
    st, j = s.call("POST", "/api/accounts/person", dict(person(), phone=p["phone"]))
    check(st == 409, "same phone twice 409", j)
    # A lower-case x is the same person as an upper-case X.
    st, j = s.call("POST", "/api/accounts/person", person(id_number="11010519491231002X"))
    check(st == 201, "ID number ending in X", j)
    st, j = s.call("POST", "/api/accounts/person", person(id_number="11010519491231002x"))
    check(st == 409, "x and X are one identity", j)


def make_reviewer(s, admin):
    login = "reviewer%d" % fresh()
    st, j = s.call("POST", "/api/staff", {"login": login, "name": "审核员", "password": "review-pass-1",
                                          "role": "reviewer"}, token=admin)
    check(st == 201 and j["role"] == "reviewer", "admin creates a reviewer", j)
    return s.login(login, "review-pass-1")


def test_review(s):
    """Without a provider nothing is approved until a reviewer decides."""
    admin = s.login("admin", ADMIN_PW)
    p = person(name="赵六")
    st, j = s.call("POST", "/api/accounts/person", p)
    check(st == 201 and j["account"]["status"] == "pending"
          and j["verification"]["status"] == "pending", "pending without provider", j)
    vid, aid = j["verification"]["id"], j["account"]["id"]
    tok = s.login(p["phone"], p["password"])
    st, j = s.call("GET", "/api/me", token=tok)
    check(st == 200 and j["status"] == "pending" and j["id_number"] == p["id_number"], "me pending", j)
    st, j = s.call("GET", "/api/verifications", token=tok)
    check(st == 403, "a person cannot read the review queue", j)
    st, j = s.call("POST", "/api/verifications/%d/decision" % vid,
                   {"decision": "approve", "reason": "self"}, token=tok)
    check(st == 403, "a person cannot approve itself", j)
    st, j = s.call("POST", "/api/staff", {"login": "sneaky", "name": "x", "password": "12345678",
                                          "role": "admin"}, token=tok)
    check(st == 403, "a person cannot create staff", j)
    rev = make_reviewer(s, admin)
    st, j = s.call("POST", "/api/staff", {"login": "sneaky", "name": "x", "password": "12345678",
                                          "role": "admin"}, token=rev)
    check(st == 403, "a reviewer cannot create staff", j)
    st, j = s.call("GET", "/api/verifications?status=pending", token=rev)
    check(st == 200 and vid in [v["id"] for v in j["verifications"]], "reviewer sees it pending", j)
    st, j = s.call("POST", "/api/verifications/%d/decision" % vid, {"decision": "maybe"}, token=rev)
    check(st == 400 and "decision" in field_reasons(j) and "reason" in field_reasons(j),
          "decision validated", j)
    st, j = s.call("POST", "/api/verifications/%d/decision" % vid,
                   {"decision": "approve", "reason": "documents checked at the counter"}, token=rev)
    check(st == 200 and j["status"] == "approved" and j["source"] == "reviewer", "approved", j)
    st, j = s.call("POST", "/api/verifications/%d/decision" % vid,
                   {"decision": "reject", "reason": "changed my mind"}, token=rev)
    check(st == 409, "a decided verification stays decided", j)
    st, j = s.call("GET", "/api/me", token=tok)
    check(j.get("status") == "verified", "account verified after approval", j)
    st, j = s.call("GET", "/api/accounts/%d" % aid, token=rev)
    check(st == 200 and j["id"] == aid, "staff reads any account", j)
    st, j = s.call("GET", "/api/verifications/999999", token=rev)
    check(st == 404, "unknown verification 404", j)
    q = person(name="钱七")
    st, j = s.call("POST", "/api/accounts/person", q)
    st, j = s.call("POST", "/api/verifications/%d/decision" % j["verification"]["id"],
                   {"decision": "reject", "reason": "photo does not match"}, token=rev)
    check(st == 200 and j["status"] == "rejected", "rejected by reviewer", j)
    st, j = s.call("GET", "/api/me", token=s.login(q["phone"], q["password"]))
    check(j.get("status") == "rejected", "account rejected", j)


def test_provider(s):
    p = person(name="孙八", liveness_token="live-ok")
    st, j = s.call("POST", "/api/accounts/person", p)
    check(st == 201 and j["account"]["status"] == "verified"
          and j["verification"]["source"] == "provider", "provider approves", j)
    st, j = s.call("POST", "/api/accounts/person", person(name="冒名顶替"))
    check(st == 201 and j["account"]["status"] == "rejected"
          and "does not match" in j["verification"]["reason"], "provider rejects", j)
    st, j = s.call("POST", "/api/accounts/person", person(name="周九", liveness_token="fail"))
    check(st == 201 and j["account"]["status"] == "rejected"
          and "face" in j["verification"]["reason"], "liveness failure rejects", j)
    st, j = s.call("POST", "/api/accounts/person", person(name="抖动"))
    check(st == 201 and j["account"]["status"] == "verified", "retry after a 503", j)
    e = enterprise()
    st, j = s.call("POST", "/api/accounts/enterprise", e)
    check(st == 201 and j["account"]["status"] == "verified"
          and j["account"]["role"] == "enterprise_admin", "enterprise approved", j)
    st, j = s.call("POST", "/api/accounts/enterprise", enterprise(rep="冒名"))
    check(st == 201 and j["account"]["status"] == "rejected", "enterprise rejected", j)
    # A rejected person may try again, a limited number of times per identity.
    r = person(name="吴十", liveness_token="fail")
    s.call("POST", "/api/accounts/person", r)
    tok = s.login(r["phone"], r["password"])
    codes = [s.call("POST", "/api/me/verification", {"liveness_token": "fail"}, token=tok)[0]
             for _ in range(3)]
    check(codes == [200, 200, 429], "verification attempts limited (3 per identity)", codes)
    tok2 = s.login(p["phone"], p["password"])
    st, j = s.call("POST", "/api/me/verification", token=tok2)
    check(st == 409, "a verified account is not verified again", j)


def test_provider_down(s):
    st, j = s.call("POST", "/api/accounts/person", person(name="超时"))
    check(st == 201 and j["account"]["status"] == "pending"
          and "unavailable" in j["verification"]["reason"], "provider timeout leaves pending", j)


def test_login(s):
    p = person(name="郑一")
    s.call("POST", "/api/accounts/person", p)
    st, j = s.call("POST", "/api/auth/login", {"login": p["phone"], "password": "wrong-password"})
    check(st == 401 and j["error"]["code"] == "unauthenticated", "wrong password 401", j)
    st, j = s.call("POST", "/api/auth/login", {"login": "13999999999", "password": "whatever1"})
    check(st == 401 and j["error"]["message"] == "wrong login or password", "unknown login 401", j)
    tok = s.login(p["phone"], p["password"])
    st, j = s.call("GET", "/api/me", token=tok)
    check(st == 200 and j["login"] == p["phone"] and "pw_hash" not in j, "me, without hash", j)
    st, j = s.call("POST", "/api/auth/logout", token=tok)
    check(st == 200, "logout", j)
    st, j = s.call("GET", "/api/me", token=tok)
    check(st == 401, "token revoked by logout", j)
    q = person(name="王二")
    s.call("POST", "/api/accounts/person", q)
    codes = [s.call("POST", "/api/auth/login", {"login": q["phone"], "password": "bad-guess"})[0]
             for _ in range(6)]
    check(codes == [401] * 5 + [429], "login attempts limited", codes)
    st, j = s.call("POST", "/api/auth/login", {"login": q["phone"], "password": q["password"]})
    check(st == 429, "even the right password waits once limited", j)


def test_roles(s):
    e = enterprise(name="角色测试有限公司")
    st, j = s.call("POST", "/api/accounts/enterprise", e)
    ent = j["account"]["id"]
    etok = s.login(e["credit_code"], e["password"])
    a, b = person(name="成员甲"), person(name="外人乙")
    aid = s.call("POST", "/api/accounts/person", a)[1]["account"]["id"]
    bid = s.call("POST", "/api/accounts/person", b)[1]["account"]["id"]
    atok, btok = s.login(a["phone"], a["password"]), s.login(b["phone"], b["password"])
    st, j = s.call("GET", "/api/accounts/%d" % bid, token=atok)
    check(st == 403, "one person cannot read another's account", j)
    st, j = s.call("GET", "/api/accounts/%d" % ent, token=atok)
    check(st == 403, "a person cannot read an enterprise it does not administer", j)
    st, j = s.call("GET", "/api/accounts/%d" % aid, token=atok)
    check(st == 200 and j["id_number"] == a["id_number"], "one reads oneself", j)
    st, j = s.call("POST", "/api/enterprises/%d/members" % ent, {"phone": a["phone"]}, token=etok)
    check(st == 201 and j["role"] == "member", "enterprise admin invites a member", j)
    st, j = s.call("POST", "/api/enterprises/%d/members" % ent, {"phone": a["phone"]}, token=etok)
    check(st == 409, "invited twice 409", j)
    st, j = s.call("POST", "/api/enterprises/%d/members" % ent, {"phone": "13011112222"}, token=etok)
    check(st == 404, "inviting an unknown phone 404", j)
    st, j = s.call("POST", "/api/enterprises/%d/members" % ent, {"phone": b["phone"]}, token=atok)
    check(st == 403, "a member cannot invite", j)
    st, j = s.call("DELETE", "/api/enterprises/%d/members/%d" % (ent, aid), token=atok)
    check(st == 403, "a member cannot remove", j)
    st, j = s.call("POST", "/api/accounts/%d/changes" % ent, {"name": "改名"}, token=atok)
    check(st == 403, "a member cannot rename the enterprise", j)
    st, j = s.call("GET", "/api/enterprises/%d/members" % ent, token=atok)
    check(st == 200 and [m["account_id"] for m in j["members"]] == [aid], "member lists members", j)
    st, j = s.call("GET", "/api/enterprises/%d/members" % ent, token=btok)
    check(st == 403, "an outsider cannot list members", j)
    st, j = s.call("GET", "/api/me", token=atok)
    check([m["enterprise_id"] for m in j.get("memberships", [])] == [ent], "membership in me", j)
    st, j = s.call("DELETE", "/api/enterprises/%d/members/%d" % (ent, aid), token=etok)
    check(st == 200, "enterprise admin removes a member", j)
    st, j = s.call("DELETE", "/api/enterprises/%d/members/%d" % (ent, aid), token=etok)
    check(st == 404, "removed twice 404", j)
    st, j = s.call("POST", "/api/enterprises/%d/members" % ent, {"phone": b["phone"],
                                                                 "role": "admin"}, token=etok)
    check(st == 201, "invite an admin", j)
    st, j = s.call("POST", "/api/enterprises/%d/members" % ent, {"phone": a["phone"]}, token=btok)
    check(st == 201, "an admin member invites", j)
    st, j = s.call("GET", "/api/accounts/%d" % ent, token=btok)
    check(st == 200, "an admin member reads its enterprise", j)
    # Changes are recorded as events and sent through verification again.
    st, j = s.call("POST", "/api/accounts/%d/changes" % ent,
                   {"legal_rep": {"name": "新法人", "id_number": resident("19750303", 7)}},
                   token=etok)
    check(st == 200 and j["verification"]["status"] == "approved", "legal rep change verified", j)
    st, j = s.call("POST", "/api/accounts/%d/changes" % ent, {"name": "新名称有限公司"}, token=btok)
    check(st == 200, "enterprise renamed by its admin member", j)
    st, j = s.call("POST", "/api/accounts/%d/changes" % aid, {"name": "冒名改名"}, token=atok)
    check(st == 200 and j["verification"]["status"] == "rejected", "person rename rejected", j)
    st, j = s.call("POST", "/api/accounts/%d/changes" % aid,
                   {"legal_rep": {"name": "x", "id_number": resident("19750303", 7)}}, token=atok)
    check(st == 400, "a person has no legal representative", j)
    st, j = s.call("GET", "/api/accounts/%d/events" % ent, token=etok)
    kinds = [ev["kind"] for ev in j.get("events", [])]
    check(st == 200 and kinds == ["legal_rep_changed", "name_changed"], "change events", j)
    check(j["events"][0]["data"]["old"]["name"] == "李四", "event keeps the old value", j)
    st, j = s.call("GET", "/api/accounts/%d/events" % ent, token=atok)
    check(st == 403, "events are not for members", j)
    # An enterprise that is not verified cannot take members.
    u = enterprise(rep="冒名")
    s.call("POST", "/api/accounts/enterprise", u)
    st, j = s.call("POST", "/api/enterprises/%d/members" % s.call("GET", "/api/me", token=s.login(
        u["credit_code"], u["password"]))[1]["id"], {"phone": a["phone"]},
        token=s.login(u["credit_code"], u["password"]))
    check(st == 409 and j["error"]["code"] == "invalid_state", "unverified enterprise cannot invite", j)


def parallel(n, fn):
    out = [None] * n
    threads = [threading.Thread(target=lambda i=i: out.__setitem__(i, fn(i))) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_concurrency(s):
    before = s.call("GET", "/api/stats")[1]["users"]
    people = [person(name="并发%d" % i) for i in range(50)]
    res = parallel(50, lambda i: s.call("POST", "/api/accounts/person", people[i]))
    ids = [j["account"]["id"] for st, j in res if st == 201]
    check(len(ids) == 50 and len(set(ids)) == 50, "50 parallel registrations all stored",
          [st for st, _ in res if st != 201])
    after = s.call("GET", "/api/stats")[1]["users"]
    check(after - before == 50, "stats count exactly 50 more users", (before, after))
    same = person(name="重复")
    res = parallel(20, lambda i: s.call("POST", "/api/accounts/person",
                                        dict(same, phone="17%09d" % (fresh()))))
    codes = sorted(st for st, _ in res)
    check(codes == [201] + [409] * 19, "one identity registered once under a race", codes)
    ok = parallel(50, lambda i: s.call("POST", "/api/auth/login",
                                       {"login": people[i]["phone"],
                                        "password": people[i]["password"]})[0])
    check(ok == [200] * 50, "every parallel registration logs in", ok)


def test_restart(s):
    """SIGTERM: the request in flight finishes; a restart re-creates nothing."""
    root = os.path.join(s.data, "ca", "root.pem")
    stamp = (os.stat(root).st_mtime_ns, open(os.path.join(s.data, "maker.pem")).read())
    check(os.stat(os.path.join(s.data, "master.key")).st_mode & 0o777 == 0o600, "master.key 0600")
    slow = {}
    t = threading.Thread(target=lambda: slow.update(r=s.call("POST", "/api/accounts/person",
                                                             person(name="超时但完成"))))
    t.start()
    time.sleep(0.5)
    rc = s.stop()
    t.join()
    check(rc == 0, "clean exit after SIGTERM", rc)
    check(slow.get("r", (0,))[0] == 201, "request in flight finished during shutdown", slow)
    s2 = Server("restart", db=s.db, data=s.data, idp=None)
    check(not any("created" in line for line in s2.out), "restart creates nothing", s2.out)
    check((os.stat(root).st_mtime_ns, open(os.path.join(s.data, "maker.pem")).read()) == stamp,
          "CA and maker certificate untouched")
    check(s2.login("admin", ADMIN_PW) is not None, "admin survives a restart")
    check(s2.stop() == 0, "second clean exit")
    os.environ["ESEAL_MASTER_KEY"] = "00" * 32
    bad = subprocess.run([ESEAL, "serve", "--listen", "127.0.0.1:0", "--data", s.data] +
                         (["--db", s.db] if s.db else []), capture_output=True, text=True,
                         timeout=30)
    del os.environ["ESEAL_MASTER_KEY"]
    check(bad.returncode == 2 and "master key" in bad.stderr, "wrong master key refused",
          bad.stderr)


def test_kill(tag):
    """SIGKILL during writes: the database opens, is intact, and keeps every acknowledged row."""
    s = Server(tag, args=["--verify-limit", "100000"])
    acked, stop = [], threading.Event()

    def writer():
        while not stop.is_set():
            p = person(name="写入")
            try:
                st, j = s.call("POST", "/api/accounts/person", p)
            except OSError:
                return
            if st == 201:
                acked.append(p)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    s.kill()
    stop.set()
    for t in threads:
        t.join()
    check(len(acked) > 5, "writes happened before the kill", len(acked))
    if BACKEND == "sqlite":
        db = sqlite3.connect(os.path.join(s.data, "eseal.db"))
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check ok")
        db.close()
    else:
        # Crash PostgreSQL too, then it must recover on its own.
        subprocess.run(os.environ["ESEAL_TEST_PG_CRASH"], shell=True, check=True)
    s2 = Server(tag + "-after", db=s.db, data=s.data)
    lost = [p for p in acked if s2.call("POST", "/api/auth/login",
                                        {"login": p["phone"], "password": p["password"]})[0] != 200]
    check(not lost, "every acknowledged registration survived", len(lost))
    check(s2.stop() == 0, "clean exit after recovery")


def test_password_change(s):
    """POST /api/me/password: checks, the shared login limit, revocation of the other sessions,
    the event, and no password in the server log."""
    p = person(name="钱七")
    st, j = s.call("POST", "/api/accounts/person", p)
    check(st == 201, "register for a password change", j)
    aid, old, new = j["account"]["id"], p["password"], "changed-%d-pw" % fresh()
    wrong, short = "wrong-current-%d" % fresh(), "sh0rt"
    mine, other = s.login(p["phone"], old), s.login(p["phone"], old)
    path = "/api/me/password"
    st, j = s.call("POST", path, {"current_password": old, "new_password": new})
    check(st == 401 and j["error"]["code"] == "unauthenticated", "password change needs a token", j)
    st, j = s.call("POST", path, raw=b"current_password=x", token=mine)
    check(st == 400 and j["error"]["code"] == "bad_json", "password change: not JSON", j)
    st, j = s.call("POST", path, {}, token=mine)
    check(st == 400 and set(field_reasons(j)) == {"current_password", "new_password"},
          "password change: missing fields named", j)
    st, j = s.call("POST", path, {"current_password": old, "new_password": short}, token=mine)
    check(st == 400 and j["error"]["code"] == "validation_failed"
          and list(field_reasons(j)) == ["new_password"]
          and "8 to 128" in field_reasons(j)["new_password"], "new password under the policy", j)
    st, j = s.call("POST", path, {"current_password": old, "new_password": old}, token=mine)
    check(st == 400 and "differ" in field_reasons(j).get("new_password", ""),
          "new password equal to the current one", j)
    st, j = s.call("POST", path, {"current_password": wrong, "new_password": new}, token=mine)
    check(st == 403 and j["error"]["code"] == "forbidden", "wrong current password 403", j)
    st, j = s.call("GET", "/api/me", token=other)
    check(st == 200, "a refused change revokes nothing", j)
    third = s.login(p["phone"], old)  # the refused change left the password as it was
    st, j = s.call("POST", path, {"current_password": old, "new_password": new}, token=mine)
    check(st == 200 and j.get("changed") is True and j.get("sessions_revoked") == 2,
          "password changed, two other sessions revoked", j)
    st, j = s.call("GET", "/api/me", token=mine)
    check(st == 200 and j["id"] == aid, "the caller's session stays valid", j)
    for t in (other, third):
        st, j = s.call("GET", "/api/me", token=t)
        check(st == 401, "another session is revoked by the change", j)
    st, j = s.call("POST", "/api/auth/login", {"login": p["phone"], "password": old})
    check(st == 401, "the old password no longer logs in", j)
    check(s.login(p["phone"], new) is not None, "the new password logs in")
    st, j = s.call("GET", "/api/accounts/%d/events" % aid, token=mine)
    ev = [e for e in j.get("events", []) if e["kind"] == "password_changed"]
    check(st == 200 and len(ev) == 1 and set(ev[0]["data"]) == {"ip"}
          and ev[0]["data"]["ip"] == "127.0.0.1", "password_changed event, its ip only", j)
    # Wrong current passwords and failed logins fill one bucket per login name.
    q = person(name="孙八")
    s.call("POST", "/api/accounts/person", q)
    qt = s.login(q["phone"], q["password"])
    codes = [s.call("POST", path, {"current_password": wrong, "new_password": new}, token=qt)[0]
             for _ in range(3)]
    codes += [s.call("POST", "/api/auth/login", {"login": q["phone"], "password": wrong})[0]
              for _ in range(2)]
    st, j = s.call("POST", path, {"current_password": wrong, "new_password": new}, token=qt)
    codes.append(st)
    check(codes == [403] * 3 + [401] * 2 + [429] and j["error"]["code"] == "rate_limited",
          "password attempts share the login limit", codes)
    st, j = s.call("POST", path, {"current_password": q["password"], "new_password": new},
                   token=qt)
    check(st == 429, "even the right current password waits once limited", j)
    st, j = s.call("POST", "/api/auth/login", {"login": q["phone"], "password": q["password"]})
    check(st == 429, "login is limited by wrong current passwords too", j)
    with open(s.log.name, "rb") as f:
        text = f.read()
    check(text.count(b'"path":"/api/me/password"') >= 10, "the log has the calls", len(text))
    secrets = [old, new, wrong, short, q["password"]]
    check(not any(x.encode() in text for x in secrets), "the server log holds no password")


def main():
    os.makedirs(WORK, exist_ok=True)
    plain = Server("plain", args=["--verify-limit", "100000"])
    for t in (test_basics, test_huge_bodies, test_validation, test_review, test_concurrency):
        t(plain)
    idp = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_idp.py")],
                           stdout=subprocess.PIPE, text=True)
    try:
        url = "http://127.0.0.1:%s/verify" % idp.stdout.readline().split()[1]
        s = Server("idp", idp=url, args=["--idp-timeout-ms", "1000", "--idp-retries", "1"])
        for t in (test_provider, test_login, test_password_change, test_roles):
            t(s)
        check(s.stop() == 0, "provider server clean exit")
        down = Server("idp-down", idp=url, args=["--idp-timeout-ms", "300", "--idp-retries", "0"])
        test_provider_down(down)
        check(down.stop() == 0, "clean exit")
        gone = Server("idp-gone", idp="http://127.0.0.1:1/verify")
        st, j = gone.call("POST", "/api/accounts/person", person(name="无人应答"))
        check(st == 201 and j["account"]["status"] == "pending", "no provider listening", j)
        check(gone.stop() == 0, "clean exit")
        slow = Server("graceful", idp=url, args=["--idp-timeout-ms", "5000", "--idp-retries", "0"])
        test_restart(slow)
    finally:
        idp.kill()
    check(plain.stop() == 0, "plain server clean exit")
    test_kill("kill")
    print("%s: %d passed, %d failed" % (BACKEND, passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
