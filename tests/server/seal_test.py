#!/usr/bin/env python3
"""Seals and cloud signing over real HTTP: apply, review, activate with a PIN, grant, sign an
OFD and a PDF as a member, verify them offline with the CLI against the platform root, cancel (CRL), wrong
PINs, foreign seals, expired grants, no key or PIN in the database or the log.
Usage: seal_test.py ESEAL_BINARY sqlite|pg WORKDIR
"""
import base64
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time

import api_test as A
from api_test import check

OFD = os.path.join(os.environ.get("ESEAL_SAMPLES", os.path.join(A.HERE, "..", "..", "..", "shared",
                                                                "samples")), "ofd", "helloworld.ofd")
PDF = os.path.join(os.path.dirname(OFD), "..", "pdf", "unsigned", "pyhanko_minimal-xref.pdf")
# The test searches the database and the log for the PINs, so each has a '-': hex digests and
# base64 never hold one, where an all-digit PIN turned up inside an SM3 hex digest (and 8 given
# bytes inside a binary document are a 1-in-2^64 chance per position).
PIN, PIN2, MEMBER_PIN_WRONG = "31415-9z", "271828-x", "000000"


def raw(s, method, path, data, token):
    return s.call(method, path, token=token, raw=data,
                  headers={"Content-Type": "application/octet-stream"})


def get_bytes(s, path, token=None):
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
    c.request("GET", path, headers={"Authorization": "Bearer " + token} if token else {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def setup(s, idp):
    """A verified enterprise with a member, and staff."""
    admin = s.login("admin", A.ADMIN_PW)
    rev = A.make_reviewer(s, admin)
    e = A.enterprise(name="云签测试有限公司")
    st, j = s.call("POST", "/api/accounts/enterprise", e)
    check(st == 201 and j["account"]["status"] == "verified", "enterprise verified by provider", j)
    ent_id = j["account"]["id"]
    ent = s.login(e["credit_code"], e["password"])
    m = A.person(name="签章员")
    st, j = s.call("POST", "/api/accounts/person", m)
    member_id = j["account"]["id"]
    member = s.login(m["phone"], m["password"])
    st, j = s.call("POST", "/api/enterprises/%d/members" % ent_id, {"phone": m["phone"]}, token=ent)
    check(st == 201, "member invited", j)
    o = A.person(name="路人甲")
    s.call("POST", "/api/accounts/person", o)
    other = s.login(o["phone"], o["password"])
    return dict(admin=admin, rev=rev, ent=ent, ent_id=ent_id, e=e, member=member, m=m,
                member_id=member_id, other=other, o=o)


def make_seal(s, w, type_="04"):
    st, j = s.call("POST", "/api/seals", {"enterprise_id": w["ent_id"], "type": type_}, token=w["ent"])
    check(st == 201 and j["status"] == "applied" and j["name"] == w["e"]["name"], "apply", j)
    sid = j["id"]
    st, j = s.call("POST", "/api/seals/%d/activate" % sid, {"pin": PIN}, token=w["ent"])
    check(st == 409, "no activation before review", j)
    st, j = s.call("POST", "/api/seals/%d/decision" % sid, {"decision": "approve", "reason": "ok"},
                   token=w["ent"])
    check(st == 403, "the applicant cannot approve", j)
    st, j = s.call("POST", "/api/seals/%d/decision" % sid, {"decision": "approve",
                                                            "reason": "营业执照核对无误"}, token=w["rev"])
    check(st == 200 and j["status"] == "approved", "reviewer approves", j)
    st, j = s.call("POST", "/api/seals/%d/activate" % sid, {"pin": "12"}, token=w["ent"])
    check(st == 400, "short PIN refused", j)
    st, j = s.call("POST", "/api/seals/%d/activate" % sid, {"pin": PIN}, token=w["ent"])
    check(st == 200 and j["status"] == "active" and len(j.get("code", "")) == 14
          and j["code"].isdigit(), "activated: seal made with a 14-digit code", j)
    return sid, j


def test_lifecycle(s, w):
    st, j = s.call("POST", "/api/seals", {"enterprise_id": w["ent_id"], "type": "04", "name": "x"},
                   token=w["member"])
    check(st == 403, "a member cannot apply for enterprise seals", j)
    st, j = s.call("POST", "/api/seals", {"enterprise_id": w["ent_id"], "type": "07"}, token=w["ent"])
    check(st == 400, "unknown seal type", j)
    sid, seal = make_seal(s, w)
    st, j = s.call("POST", "/api/seals", {"enterprise_id": w["ent_id"], "type": "04"}, token=w["ent"])
    check(st == 409, "one contract seal per enterprise", j)
    st, j = s.call("GET", "/api/stats")
    check(j["seals_issued"] >= 1, "stats count the issued seal", j)
    st, esl = get_bytes(s, "/api/seals/%d/seal.esl" % sid, w["ent"])
    check(st == 200 and esl[:1] == b"\x30", "seal file downloadable", st)
    return sid, seal, esl


def sign_flow(s, w, sid, seal):
    with open(OFD, "rb") as f:
        ofd = f.read()
    # A grant for the member; before it, the member may not use the seal.
    st, j = raw(s, "POST", "/api/documents?name=hello.ofd", ofd, w["member"])
    check(st == 201 and j["format"] == "ofd", "OFD uploaded", j)
    doc = j["id"]
    place = {"seal_id": sid, "pin": PIN, "page": 1, "x_mm": 20, "y_mm": 20}
    st, j = s.call("POST", "/api/documents/%d/sign" % doc, place, token=w["member"])
    check(st == 403, "no grant, no signing", j)
    st, j = s.call("POST", "/api/seals/%d/grants" % sid, {"phone": w["m"]["phone"]}, token=w["ent"])
    check(st == 201, "grant to the member", j)
    grant = j["id"]
    st, j = s.call("POST", "/api/seals/%d/grants" % sid, {"phone": w["o"]["phone"]}, token=w["ent"])
    check(st == 409, "no grant to a non-member", j)
    st, j = s.call("POST", "/api/documents/%d/sign" % doc, place, token=w["member"])
    check(st == 200 and j["signatures"] == 1 and j["status"] == "completed", "member signs OFD", j)
    st, signed = get_bytes(s, "/api/documents/%d/file" % doc, w["member"])
    check(st == 200 and signed[:2] == b"PK" and signed != ofd, "signed OFD downloaded")
    out = os.path.join(A.WORK, "signed-%d.ofd" % doc)
    with open(out, "wb") as f:
        f.write(signed)
    for name in ("root", "chain"):
        st, pem = get_bytes(s, "/api/ca/%s.pem" % name)
        with open(os.path.join(A.WORK, name + ".pem"), "wb") as f:
            f.write(pem)
    st, crl = get_bytes(s, "/api/ca/crl.pem")
    with open(os.path.join(A.WORK, "crl.pem"), "wb") as f:
        f.write(crl)
    v = subprocess.run([A.ESEAL, "ofd", "verify", "--trust", os.path.join(A.WORK, "root.pem"),
                        "--untrusted", os.path.join(A.WORK, "chain.pem"), "--crl",
                        os.path.join(A.WORK, "crl.pem"), out], capture_output=True, text=True)
    check(v.returncode == 0, "eseal ofd verify: valid offline against the platform root",
          v.stdout[-800:] + v.stderr)
    st, j = raw(s, "POST", "/api/verify", signed, w["other"])
    check(st == 200 and j.get("status") == "valid", "verification service: valid", str(j)[:300])
    st, j = raw(s, "POST", "/api/verify", signed[:-30] + b"\0" * 30, w["other"])
    check(st == 200 and j.get("status") != "valid", "verification service: damaged not valid",
          str(j)[:200])
    pdf_doc = sign_pdf(s, w, sid)
    return grant, doc, [doc, pdf_doc]


def sign_pdf(s, w, sid):
    with open(PDF, "rb") as f:
        pdf = f.read()
    st, j = raw(s, "POST", "/api/documents?name=a.pdf", pdf, w["member"])
    check(st == 201 and j["format"] == "pdf", "PDF uploaded", j)
    doc = j["id"]
    # The sample page is 105.8 x 50.8 mm: the 42 mm seal fits at (5, 5).
    st, j = s.call("POST", "/api/documents/%d/sign" % doc,
                   {"seal_id": sid, "pin": PIN, "page": 1, "x_mm": 5, "y_mm": 5}, token=w["member"])
    check(st == 200 and j["signatures"] == 1, "member signs PDF", j)
    st, signed = get_bytes(s, "/api/documents/%d/file" % doc, w["member"])
    check(st == 200 and signed.startswith(pdf), "signed PDF is an incremental update", st)
    out = os.path.join(A.WORK, "signed-%d.pdf" % doc)
    with open(out, "wb") as f:
        f.write(signed)
    v = subprocess.run([A.ESEAL, "pdf", "verify", "--trust", os.path.join(A.WORK, "root.pem"),
                        "--untrusted", os.path.join(A.WORK, "chain.pem"), "--crl",
                        os.path.join(A.WORK, "crl.pem"), out], capture_output=True, text=True)
    check(v.returncode == 0, "eseal pdf verify: valid offline against the platform root",
          v.stdout[-800:] + v.stderr)
    st, j = raw(s, "POST", "/api/verify", signed, w["other"])
    check(st == 200 and j.get("status") == "valid", "verification service: PDF valid", str(j)[:300])
    return doc


def db_rows(s, sql, args=()):
    """Rows of a read-only query on the server's database (SQLite: the file opened read-only;
    PostgreSQL: psql, whose text output is split on '|'; args are integers only)."""
    if A.BACKEND == "sqlite":
        con = sqlite3.connect("file:%s?mode=ro" % os.path.join(s.data, "eseal.db"), uri=True)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()
    for a in args:
        sql = sql.replace("?", str(int(a)), 1)
    out = subprocess.run(["psql", "-qAt", "-d", s.db, "-c", sql], capture_output=True, text=True,
                         check=True).stdout
    return [tuple(int(x) if x.lstrip("-").isdigit() else x for x in l.split("|"))
            for l in out.splitlines()]


def db_write(s, sql, blob_hex, i):
    """Run an UPDATE with one bytes parameter (given as hex) and one integer: a damaged row."""
    if A.BACKEND == "sqlite":
        con = sqlite3.connect(os.path.join(s.data, "eseal.db"), timeout=30)
        con.execute(sql, (bytes.fromhex(blob_hex), i))
        con.commit()
        con.close()
        return
    sql = sql.replace("?", "'\\x%s'::bytea" % blob_hex, 1).replace("?", str(int(i)), 1)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", s.db, "-c", sql], check=True)


def asset_rows(s, sid):
    """(id, bytes) of the seal's assets, by id."""
    return db_rows(s, "SELECT id, length(content) FROM doc_assets WHERE seal_id = ? ORDER BY id"
                   if A.BACKEND == "sqlite" else
                   "SELECT id, octet_length(content) FROM doc_assets WHERE seal_id = ? ORDER BY id",
                   (sid,))


def stored_len(s, doc):
    return db_rows(s, "SELECT length(content) FROM documents WHERE id = ?" if A.BACKEND == "sqlite"
                   else "SELECT octet_length(content) FROM documents WHERE id = ?", (doc,))[0][0]


def sign_stored(s, w, sid, pdf):
    """Upload and sign pdf with seal sid: (document id, the signed bytes as downloaded, the SM3
    the server recorded when it signed them)."""
    doc = raw(s, "POST", "/api/documents?name=asset.pdf", pdf, w["ent"])[1]["id"]
    st, j = s.call("POST", "/api/documents/%d/sign" % doc,
                   {"seal_id": sid, "pin": PIN, "page": 1, "x_mm": 5, "y_mm": 5}, token=w["ent"])
    check(st == 200 and j["signatures"] == 1, "PDF %d signed" % doc, j)
    st, signed = get_bytes(s, "/api/documents/%d/file" % doc, w["ent"])
    check(st == 200 and hashlib.new("sm3", signed).hexdigest() == j.get("sm3")
          and signed.startswith(pdf), "PDF %d downloaded: exactly the bytes signed (SM3)" % doc)
    return doc, signed, j.get("sm3")


def packed_fully(s, doc, signed, rows, esl):
    """The stored row of doc holds neither the seal's hex, nor the picture's streams, nor the
    '0' padding of /Contents (runs from 256 on, up to 1 MiB each): the signed size less each of
    them, plus the header and a 17-byte reference for each."""
    runs = [len(m) for m in re.findall(rb"0{256,}", signed)]
    runs = [k for k in runs if k <= 1 << 20]
    return (stored_len(s, doc) <= len(signed) - sum(r[1] for r in rows) - 2 * len(esl) - sum(runs)
            + 16 + (3 + len(runs)) * 17) and len(runs) >= 1


def test_pdf_assets(s, w, sid):
    """A signed PDF is stored without its seal and without its picture's image streams (assets,
    kept once per seal): small; served byte for byte; a second PDF, single or batch, reuses the
    same asset rows; a damaged asset row makes its documents fail, never serve other bytes, and
    the next signature with the seal puts the row right."""
    with open(PDF, "rb") as f:
        pdf = f.read()
    esl = get_bytes(s, "/api/seals/%d/seal.esl" % sid, w["ent"])[1]
    doc, signed, sm3 = sign_stored(s, w, sid, pdf)
    rows = asset_rows(s, sid)
    stored = stored_len(s, doc)
    check(len(rows) >= 1 and max(r[1] for r in rows) > 30000,
          "the seal's picture stored once as assets", rows)
    check(packed_fully(s, doc, signed, rows, esl) and stored < len(signed) // 5,
          "signed PDF stored small: %d bytes for a %d-byte document" % (stored, len(signed)))
    out = os.path.join(A.WORK, "asset-%d.pdf" % doc)
    with open(out, "wb") as f:
        f.write(signed)
    v = subprocess.run([A.ESEAL, "pdf", "verify", "--trust", os.path.join(A.WORK, "root.pem"),
                        "--untrusted", os.path.join(A.WORK, "chain.pem"), out],
                       capture_output=True, text=True)
    check(v.returncode == 0, "the PDF served from a pack with assets verifies", v.stdout[-400:])
    doc2, signed2, _ = sign_stored(s, w, sid, pdf)
    check(asset_rows(s, sid) == rows and packed_fully(s, doc2, signed2, rows, esl),
          "a second PDF with the same seal reuses the asset rows", asset_rows(s, sid))
    docs = [raw(s, "POST", "/api/documents", pdf, w["ent"])[1]["id"] for _ in range(3)]
    st, j = s.call("POST", "/api/sign/batch", {"seal_id": sid, "pin": PIN, "items": [
        {"document_id": d, "page": 1, "x_mm": 5, "y_mm": 5} for d in docs]}, token=w["ent"])
    check(st == 200 and all("error" not in r for r in j.get("results", [])), "batch of 3 PDFs", j)
    got = [get_bytes(s, "/api/documents/%d/file" % d, w["ent"]) for d in docs]
    check(all(g[0] == 200 and hashlib.new("sm3", g[1]).hexdigest() == r.get("sm3")
              for g, r in zip(got, j.get("results", []))) and asset_rows(s, sid) == rows
          and all(packed_fully(s, d, g[1], rows, esl) for d, g in zip(docs, got)),
          "batch PDFs: stored small against the same assets, served byte for byte")
    # Damage the largest asset (one byte): the documents that refer to it are refused.
    aid = max(rows, key=lambda r: r[1])[0]
    good = db_rows(s, "SELECT hex(content) FROM doc_assets WHERE id = ?" if A.BACKEND == "sqlite"
                   else "SELECT encode(content, 'hex') FROM doc_assets WHERE id = ?", (aid,))[0][0]
    good = good.lower()
    bad = good[:2000] + ("00" if good[2000:2002] != "00" else "01") + good[2002:]
    db_write(s, "UPDATE doc_assets SET content = ? WHERE id = ?", bad, aid)
    st, body = get_bytes(s, "/api/documents/%d/file" % doc, w["ent"])
    check(st == 500 and b"damaged" in body and b"%PDF" not in body,
          "a damaged asset: the document is refused with a clear error", (st, body[:200]))
    st, body = get_bytes(s, "/api/documents/%d/file" % docs[0], w["ent"])
    check(st == 500 and b"damaged" in body, "every document that refers to it is refused", st)
    # The next PDF signed with the seal finds the row by its SM3 and gives it its bytes back.
    sign_stored(s, w, sid, pdf)
    st, body = get_bytes(s, "/api/documents/%d/file" % doc, w["ent"])
    check(st == 200 and body == signed and asset_rows(s, sid) == rows,
          "the asset row put right by the next signature: served again")


def test_multi_party(s, w, sid):
    """Two signers in order: the second cannot go first."""
    with open(OFD, "rb") as f:
        ofd = f.read()
    st, j = raw(s, "POST", "/api/documents?signers=%d,%d" % (w["member_id"], w["ent_id"]), ofd,
                w["ent"])
    doc = j["id"]
    place = {"seal_id": sid, "pin": PIN, "page": 1, "x_mm": 20, "y_mm": 20}
    st, j = s.call("POST", "/api/documents/%d/sign" % doc, place, token=w["ent"])
    check(st == 409, "second signer must wait", j)
    st, j = s.call("POST", "/api/documents/%d/sign" % doc, place, token=w["member"])
    check(st == 200 and j["status"] == "open", "first signer signs", j)
    st, j = s.call("POST", "/api/documents/%d/sign" % doc, dict(place, x_mm=80), token=w["ent"])
    check(st == 200 and j["status"] == "completed" and j["signatures"] == 2, "second signs", j)
    st, j = s.call("GET", "/api/documents/%d" % doc, token=w["other"])
    check(st == 404, "others cannot read it", j)


def test_two_seals(s, w, sid):
    """A document signed with two seals in turn: stored with both seals factored out (SQLite:
    the stored form is far smaller than the document), downloaded whole, both signatures valid
    offline."""
    sid2, _ = make_seal(s, w, "01")
    for path, kind in ((PDF, "pdf"), (OFD, "ofd")):
        with open(path, "rb") as f:
            doc = raw(s, "POST", "/api/documents", f.read(), w["ent"])[1]["id"]
        for i, seal in enumerate((sid, sid2)):
            st, j = s.call("POST", "/api/documents/%d/sign" % doc, {"seal_id": seal, "pin": PIN,
                           "page": 1, "x_mm": 5 + 50 * i, "y_mm": 5}, token=w["ent"])
            check(st == 200 and j["signatures"] == i + 1, "%s signed with seal %d" % (kind, i + 1), j)
        st, signed = get_bytes(s, "/api/documents/%d/file" % doc, w["ent"])
        out = os.path.join(A.WORK, "two-seals.%s" % kind)
        with open(out, "wb") as f:
            f.write(signed)
        v = subprocess.run([A.ESEAL, kind, "verify", "--trust", os.path.join(A.WORK, "root.pem"),
                            "--untrusted", os.path.join(A.WORK, "chain.pem"), out],
                           capture_output=True, text=True)
        check(st == 200 and v.returncode == 0 and v.stdout.startswith("document: valid")
              and "\nsignature 2:" in v.stdout and "\nsignature 3:" not in v.stdout,
              "%s with two seals: both signatures valid offline" % kind, v.stdout[-600:] + v.stderr)
        if A.BACKEND == "sqlite":
            con = sqlite3.connect(os.path.join(s.data, "eseal.db"))
            stored = con.execute("SELECT length(content) FROM documents WHERE id = ?",
                                 (doc,)).fetchone()[0]
            con.close()
            esl = [get_bytes(s, "/api/seals/%d/seal.esl" % x, w["ent"])[1] for x in (sid, sid2)]
            check(stored < len(signed) - len(esl[0]) - len(esl[1]),
                  "%s stored without its seals (%d of %d bytes)" % (kind, stored, len(signed)))


def test_batch(s, w, sid):
    with open(OFD, "rb") as f:
        ofd = f.read()
    docs = [raw(s, "POST", "/api/documents", ofd, w["ent"])[1]["id"] for _ in range(3)]
    items = [{"document_id": d, "page": 1, "x_mm": 30, "y_mm": 30} for d in docs]
    items.append({"data": base64.b64encode(b"raw data to sign").decode()})
    st, j = s.call("POST", "/api/sign/batch", {"seal_id": sid, "pin": PIN, "items": items},
                   token=w["ent"])
    res = j.get("results", [])
    check(st == 200 and len(res) == 4 and all("error" not in r for r in res),
          "batch signs 3 documents and data with one unlock", j)
    st, j = s.call("POST", "/api/sign/batch", {"seal_id": sid, "pin": PIN,
                                               "items": [{"data": "AA=="}] * 101}, token=w["ent"])
    check(st == 400, "batch maximum enforced", j)
    test_batch_reply(s, w, sid, docs[0])


def test_batch_groups(s, w, sid):
    """A batch longer than one commit group (SVC_COMMIT_MAX, 64) with a refused item inside:
    every other document signed once and served with the SM3 its result gives; the refused one
    keeps its own error and the batch goes on."""
    with open(OFD, "rb") as f:
        ofd = f.read()
    docs = [raw(s, "POST", "/api/documents", ofd, w["ent"])[1]["id"] for _ in range(70)]
    items = [{"document_id": d, "page": 1, "x_mm": 30, "y_mm": 30} for d in docs]
    items[40] = {"document_id": 999999, "page": 1, "x_mm": 30, "y_mm": 30}
    st, j = s.call("POST", "/api/sign/batch", {"seal_id": sid, "pin": PIN, "items": items},
                   token=w["ent"])
    res = j.get("results", [])
    ok = [i for i, r in enumerate(res) if "error" not in r]
    check(st == 200 and len(res) == 70 and ok == [i for i in range(70) if i != 40],
          "batch of 70 across commit groups: 69 signed, the missing document refused alone",
          [(i, r.get("error")) for i, r in enumerate(res) if "error" in r])
    got = [(i, get_bytes(s, "/api/documents/%d/file" % docs[i], w["ent"])) for i in ok]
    check(all(g[0] == 200 and hashlib.new("sm3", g[1]).hexdigest() == res[i].get("sm3")
              for i, g in got),
          "every document of the long batch stored and served as signed")


def db_ddl(s, sqlite_sql, pg_sql):
    """Change the server's schema behind its back (a test's trigger)."""
    if A.BACKEND == "sqlite":
        con = sqlite3.connect(os.path.join(s.data, "eseal.db"), timeout=30)
        con.executescript(sqlite_sql)
        con.close()
        return
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", s.db, "-c", pg_sql], check=True)


def test_commit_failure(s, w, sid):
    """A statement failing inside a batch's commit (a trigger refusing the middle document's
    event, after the group's rows were written): the batch fails, no document of the group and no
    event changes, and the connections serve the next batches (on PostgreSQL the group's
    statements go out as pipelines, which must be left even after an error)."""
    with open(OFD, "rb") as f:
        ofd = f.read()
    docs = [raw(s, "POST", "/api/documents", ofd, w["ent"])[1]["id"] for _ in range(3)]
    like = '%%"document_id":%d,%%' % docs[1]
    db_ddl(s, "CREATE TRIGGER refuse_event BEFORE INSERT ON events WHEN NEW.data LIKE '%s' "
              "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;" % like,
           "CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
           "IF NEW.data LIKE '%s' THEN RAISE EXCEPTION 'refused by the test'; END IF; "
           "RETURN NEW; END $$; CREATE TRIGGER refuse_event BEFORE INSERT ON events FOR EACH ROW "
           "EXECUTE FUNCTION refuse_event();" % like)
    items = [{"document_id": d, "page": 1, "x_mm": 30, "y_mm": 30} for d in docs]
    body = {"seal_id": sid, "pin": PIN, "items": items}
    events = db_rows(s, "SELECT count(*) FROM events")
    got = [s.call("POST", "/api/sign/batch", body, token=w["ent"]) for _ in range(3)]
    check(all(st in (409, 500) and "error" in j for st, j in got),
          "a statement failing in the commit fails the batch", got)
    nsig = db_rows(s, "SELECT nsig FROM documents WHERE id IN (?, ?, ?)", docs)
    check(nsig == [(0,)] * 3 and db_rows(s, "SELECT count(*) FROM events") == events,
          "the failed commit left every document and event as it was", nsig)
    db_ddl(s, "DROP TRIGGER refuse_event;",
           "DROP TRIGGER refuse_event ON events; DROP FUNCTION refuse_event();")
    got = [s.call("POST", "/api/sign/batch", dict(body, items=[it]), token=w["ent"])
           for it in items]
    check(all(st == 200 and "error" not in j["results"][0] for st, j in got),
          "the same connections sign the documents afterwards", got)
    nsig = db_rows(s, "SELECT nsig FROM documents WHERE id IN (?, ?, ?)", docs)
    check(nsig == [(1,)] * 3, "each document signed once", nsig)


def batch_raw(s, body, token):
    """POST /api/sign/batch: status, headers and the body bytes as sent."""
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=120)
    c.request("POST", "/api/sign/batch", body=json.dumps(body).encode(),
              headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse()
    text = r.read()
    c.close()
    return r.status, r, text


def test_batch_reply(s, w, sid, signed_doc):
    """The streamed reply of a full data batch: each signature whole (the seal inside) and valid,
    document results and refusals as before, the body the compact JSON jansson would write."""
    st, esl = get_bytes(s, "/api/seals/%d/seal.esl" % sid, w["ent"])
    datas = [os.urandom(1 + 37 * i) for i in range(98)]
    items = [{"data": base64.b64encode(d).decode()} for d in datas]
    items.insert(0, {"document_id": 10 ** 9})
    items.insert(50, {"document_id": signed_doc, "page": 1, "x_mm": 60, "y_mm": 30})
    st, r, text = batch_raw(s, {"seal_id": sid, "pin": PIN, "items": items}, w["ent"])
    j = json.loads(text) if st == 200 else {}
    res = j.get("results", [])
    check(st == 200 and len(res) == 100 and r.getheader("Content-Type") == "application/json"
          and int(r.getheader("Content-Length", "-1")) == len(text)
          and text == json.dumps(j, separators=(",", ":"), ensure_ascii=False).encode(),
          "batch of 100: one compact JSON body of its Content-Length (%d bytes)" % len(text),
          text[:300])
    if len(res) != 100:
        return
    doc, gone = res.pop(50), res.pop(0)
    check(list(doc) == ["document_id", "sm3", "status"] and doc["document_id"] == signed_doc,
          "a document's result among the signatures", doc)
    check(list(gone) == ["error"] and list(gone["error"]) == ["code", "message"]
          and gone["error"]["code"] == "not_found", "a missing document: its refusal", gone)
    sigs = [base64.b64decode(x.get("signature", ""), validate=True) for x in res]
    check(all(list(x) == ["signature"] for x in res) and all(esl in g for g in sigs)
          and len(set(sigs)) == len(sigs) and min(len(g) for g in sigs) > len(esl),
          "98 data signatures, each with the whole seal inside", [len(g) for g in sigs[:5]])
    ok = []
    for i in (0, 1, 2, 48, 97):
        sig, data = (os.path.join(A.WORK, "batch-%d.%s" % (i, e)) for e in ("sig", "dat"))
        with open(sig, "wb") as f:
            f.write(sigs[i])
        with open(data, "wb") as f:
            f.write(datas[i])
        v = subprocess.run([A.ESEAL, "verify", "--trust", os.path.join(A.WORK, "root.pem"),
                            "--untrusted", os.path.join(A.WORK, "chain.pem"), "--data", data, sig],
                           capture_output=True, text=True)
        ok.append(v.returncode == 0 or v.stdout[-400:] + v.stderr)
    check(all(x is True for x in ok), "eseal verify: batch signatures valid over their data", ok)


def test_security(s, w, sid, grant):
    with open(OFD, "rb") as f:
        ofd = f.read()
    doc = raw(s, "POST", "/api/documents", ofd, w["other"])[1]["id"]
    st, j = s.call("POST", "/api/documents/%d/sign" % doc,
                   {"seal_id": sid, "pin": PIN, "page": 1, "x_mm": 20, "y_mm": 20}, token=w["other"])
    check(st == 403, "another user's seal cannot be used", j)
    # Change the PIN, then the old one fails.
    st, j = s.call("POST", "/api/seals/%d/pin" % sid, {"old_pin": PIN, "new_pin": PIN2},
                   token=w["ent"])
    check(st == 200, "PIN changed", j)
    mdoc = raw(s, "POST", "/api/documents", ofd, w["member"])[1]["id"]
    place = {"seal_id": sid, "pin": PIN, "page": 1, "x_mm": 20, "y_mm": 20}
    codes = [s.call("POST", "/api/documents/%d/sign" % mdoc, place, token=w["member"])[0]
             for _ in range(5)]
    check(codes == [403, 403, 403, 403, 423], "five wrong PINs lock", codes)
    st, j = s.call("POST", "/api/documents/%d/sign" % mdoc, dict(place, pin=PIN2), token=w["member"])
    check(st == 423, "locked: the right PIN fails too", j)
    st, j = s.call("POST", "/api/seals/%d/unlock" % sid, {"reason": "x"}, token=w["ent"])
    check(st == 403, "the holder cannot unlock alone", j)
    st, j = s.call("POST", "/api/seals/%d/unlock" % sid, {"reason": "持证人到柜台核验身份"},
                   token=w["rev"])
    check(st == 200 and not j["locked"], "staff unlock after identity check", j)
    st, j = s.call("POST", "/api/documents/%d/sign" % mdoc, dict(place, pin=PIN2), token=w["member"])
    check(st == 200, "right PIN works after unlock", j)
    # An expired grant: give one that expires in 2 s.
    st, j = s.call("DELETE", "/api/seals/%d/grants/%d" % (sid, grant), token=w["ent"])
    check(st == 200, "grant revoked", j)
    st, j = s.call("POST", "/api/documents/%d/sign" % mdoc, dict(place, pin=PIN2), token=w["member"])
    check(st == 403, "revoked grant cannot be used", j)
    st, j = s.call("POST", "/api/seals/%d/grants" % sid,
                   {"phone": w["m"]["phone"], "expires_at": int(time.time()) + 2}, token=w["ent"])
    check(st == 201, "short grant", j)
    time.sleep(2.5)
    st, j = s.call("POST", "/api/documents/%d/sign" % mdoc, dict(place, pin=PIN2), token=w["member"])
    check(st == 403, "an expired grant cannot be used", j)


def test_parallel_pins(s, w, sid):
    """20 wrong PINs at once: each attempt takes a slot before Argon2id, so at most 5 are tried."""
    with open(OFD, "rb") as f:
        doc = raw(s, "POST", "/api/documents", f.read(), w["ent"])[1]["id"]
    place = {"seal_id": sid, "pin": "999999", "page": 1, "x_mm": 20, "y_mm": 20}
    out = []

    def guess():
        out.append(s.call("POST", "/api/documents/%d/sign" % doc, place, token=w["ent"]))
    threads = [threading.Thread(target=guess) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tried = [j for st, j in out if j["error"]["message"].startswith("wrong PIN")]
    refused = [st for st, j in out if j["error"]["message"].startswith("the key is locked")]
    check(len(out) == 20 and len(tried) == 5 and len(refused) == 15 and set(refused) == {423},
          "20 parallel wrong PINs: exactly 5 evaluated, 15 refused as locked",
          [(st, j["error"]["message"][:40]) for st, j in out])
    st, j = s.call("GET", "/api/seals/%d" % sid, token=w["ent"])
    check(st == 200 and j["locked"], "the key is locked after the parallel guesses", j)
    st, j = s.call("POST", "/api/documents/%d/sign" % doc, dict(place, pin=PIN2), token=w["ent"])
    check(st == 423, "after parallel guesses the right PIN is refused too", j)
    st, j = s.call("POST", "/api/seals/%d/unlock" % sid, {"reason": "持证人重新核验身份"},
                   token=w["rev"])
    check(st == 200 and not j["locked"], "staff unlock after re-verification", j)
    st, j = s.call("POST", "/api/documents/%d/sign" % doc, dict(place, pin=PIN2), token=w["ent"])
    check(st == 200, "right PIN works after the unlock", j)


def test_cancel(s, w, sid, seal):
    with open(OFD, "rb") as f:
        ofd = f.read()
    doc = raw(s, "POST", "/api/documents", ofd, w["ent"])[1]["id"]
    st, j = s.call("POST", "/api/seals/%d/suspend" % sid, {"reason": "audit"}, token=w["ent"])
    check(st == 200 and j["status"] == "suspended", "suspended", j)
    place = {"seal_id": sid, "pin": PIN2, "page": 1, "x_mm": 20, "y_mm": 20}
    st, j = s.call("POST", "/api/documents/%d/sign" % doc, place, token=w["ent"])
    check(st == 409, "suspended seal refused", j)
    st, j = s.call("POST", "/api/seals/%d/resume" % sid, {"reason": "done"}, token=w["ent"])
    check(st == 200 and j["status"] == "active", "resumed", j)
    st, j = s.call("POST", "/api/seals/%d/cancel" % sid, {"reason": "注销"}, token=w["ent"])
    check(st == 200 and j["status"] == "cancelled", "cancelled", j)
    st, j = s.call("POST", "/api/documents/%d/sign" % doc, place, token=w["ent"])
    check(st == 409, "a new signature refused after cancel", j)
    st, crl = get_bytes(s, "/api/ca/crl.pem")
    p = subprocess.run(["openssl", "crl", "-noout", "-text"], input=crl, capture_output=True)
    serial = seal["cert_serial"].upper().lstrip("0")
    listed = [l.replace(":", "").replace(" ", "").upper() for l in p.stdout.decode().splitlines()]
    check(p.returncode == 0 and any(l.startswith("SERIALNUMBER") and l[12:].lstrip("0") == serial
                                    for l in listed),
          "the certificate is in the CRL (openssl crl -text)", serial)


def test_change(s, w):
    """A name change cancels the enterprise's seals and applies again (换领)."""
    sid, seal = make_seal(s, w, "02")
    st, j = s.call("POST", "/api/accounts/%d/changes" % w["ent_id"], {"name": "云签新名有限公司"},
                   token=w["ent"])
    check(st in (200, 201), "name change", j)
    st, j = s.call("GET", "/api/seals/%d" % sid, token=w["ent"])
    check(j.get("status") == "cancelled", "old seal cancelled on a name change", j)
    st, j = s.call("GET", "/api/seals", token=w["ent"])
    again = [x for x in j.get("seals", []) if x.get("reissue_of") == sid]
    check(len(again) == 1 and again[0]["name"] == "云签新名有限公司" and again[0]["status"] == "applied",
          "reissue application under the new name", j)


def test_personal(s):
    p = A.person(name="李白")
    st, j = s.call("POST", "/api/accounts/person", p)
    tok = s.login(p["phone"], p["password"])
    st, j = s.call("POST", "/api/seals", {}, token=tok)
    check(st == 201 and j["type"] == "00" and j["name"] == "李白", "personal seal applied", j)


def test_no_secrets(s, w, log):
    pins = [PIN.encode(), PIN2.encode()]
    with open(log, "rb") as f:
        text = f.read()
    check(not any(p in text for p in pins), "the server log holds no PIN")
    check(b"PRIVATE KEY" not in text, "the server log holds no key")
    if A.BACKEND == "sqlite":
        with open(os.path.join(s.data, "eseal.db"), "rb") as f:
            db = f.read()
        for wal in ("-wal",):
            if os.path.exists(os.path.join(s.data, "eseal.db" + wal)):
                db += open(os.path.join(s.data, "eseal.db" + wal), "rb").read()
    else:
        db = subprocess.run(["pg_dump", "-d", s.db.rsplit("/", 1)[1]], capture_output=True).stdout
        check(len(db) > 10000, "pg_dump ran", len(db))
    check(b"PRIVATE KEY" not in db and not any(p in db for p in pins),
          "the database holds no PIN and no PEM key")


def downgrade_to_v2(s, full, bad_id=None):
    """Give the stopped server's database the shape of schema version 2: no asset table, every
    document's whole bytes (full: id -> bytes, what the server served) as base64 text (what
    eseal wrote before migration 3), one of them malformed when bad_id."""
    if A.BACKEND == "sqlite":
        con = sqlite3.connect(os.path.join(s.data, "eseal.db"))
        rows = con.execute("SELECT id FROM documents").fetchall()
        con.executescript("DROP TABLE doc_assets;"
                          "ALTER TABLE documents DROP COLUMN content;"
                          "ALTER TABLE documents ADD COLUMN content TEXT NOT NULL DEFAULT '';")
        for (i,) in rows:
            text = "@not base64@" if i == bad_id else base64.b64encode(full[i]).decode()
            con.execute("UPDATE documents SET content = ? WHERE id = ?", (text, i))
        con.execute("UPDATE schema_version SET version = 2")
        con.commit()
        con.close()
        return
    sql = ["DROP TABLE doc_assets;",
           "ALTER TABLE documents ALTER COLUMN content TYPE text USING '';"]
    sql += ["UPDATE documents SET content = '%s' WHERE id = %d;" % (base64.b64encode(b).decode(), i)
            for i, b in full.items()]
    sql.append("UPDATE schema_version SET version = 2;")
    path = os.path.join(A.WORK, "downgrade.sql")
    with open(path, "w") as f:
        f.write("\n".join(sql))
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", s.db, "-f", path], check=True)


def schema_state(s):
    """(schema version, document id -> content as stored) of the stopped server's database."""
    if A.BACKEND == "sqlite":
        con = sqlite3.connect(os.path.join(s.data, "eseal.db"))
        v = con.execute("SELECT version FROM schema_version").fetchone()[0]
        docs = dict(con.execute("SELECT id, content FROM documents").fetchall())
        con.close()
        return v, docs
    out = subprocess.run(["psql", "-qAt", "-d", s.db, "-c", "SELECT version FROM schema_version"],
                         capture_output=True, text=True, check=True).stdout
    return int(out.strip()), None


def test_migration_v3(s, url, w, docs):
    """Migrations 3 (contents from base64 text to bytes) and 4 (assets) keep every document byte
    for byte; one that will not decode stops the server with a clear error and changes nothing."""
    with open(PDF, "rb") as f:
        docs = docs + [raw(s, "POST", "/api/documents", f.read(), w["member"])[1]["id"]]  # unsigned
    want = {d: get_bytes(s, "/api/documents/%d/file" % d, w["member"])[1] for d in docs}
    full = {}
    for (d,) in db_rows(s, "SELECT id FROM documents"):
        st, full[d] = get_bytes(s, "/api/documents/%d/file" % d, w["admin"])
        check(st == 200, "document %d readable before the migration" % d, st)
    check(s.stop() == 0, "clean exit before the migration")
    if A.BACKEND == "sqlite":
        downgrade_to_v2(s, full, bad_id=docs[0])
        before = schema_state(s)
        try:
            A.Server("seals-v3-bad", idp=url, db=s.db, data=s.data).kill()
            started = True
        except SystemExit:
            started = False
        with open(os.path.join(A.WORK, "seals-v3-bad.log"), "rb") as f:
            log = f.read()
        check(not started and b"from version 2 to 3 (nothing changed)" in log, "a document that will not decode stops the "
              "migration with an error", log[-300:])
        check(schema_state(s) == before, "the failed migration changed nothing")
        con = sqlite3.connect(os.path.join(s.data, "eseal.db"))
        con.execute("UPDATE documents SET content = ? WHERE id = ?",
                    (base64.b64encode(want[docs[0]]).decode(), docs[0]))
        con.commit()
        con.close()
    else:
        downgrade_to_v2(s, full)
    s2 = A.Server("seals-v3", idp=url, db=s.db, data=s.data)
    for d in docs:
        st, got = get_bytes(s2, "/api/documents/%d/file" % d, w["member"])
        check(st == 200 and got == want[d] and len(got) > 500,
              "document %d byte for byte after migration 3" % d)
    check(s2.stop() == 0, "clean exit after the migration")
    v, stored = schema_state(s2)
    check(v >= 4, "schema version after the migrations", v)
    check(db_rows(s2, "SELECT count(*) FROM doc_assets") == [(0,)], "migration 4: the asset table")
    if stored is not None:
        check(all(isinstance(c, bytes) for c in stored.values()), "contents stored as blobs")
        con = sqlite3.connect(os.path.join(s.data, "eseal.db"))
        check(con.execute("PRAGMA page_size").fetchone()[0] == 65536, "a new database has 64 KB "
              "pages (documents are most of the bytes written)")
        con.close()
    return s2


def main():
    os.makedirs(A.WORK, exist_ok=True)
    idp = subprocess.Popen([sys.executable, os.path.join(A.HERE, "fake_idp.py")],
                           stdout=subprocess.PIPE, text=True)
    try:
        url = "http://127.0.0.1:%s/verify" % idp.stdout.readline().split()[1]
        s = A.Server("seals", idp=url, args=["--verify-limit", "100000"])
        w = setup(s, url)
        sid, seal, esl = test_lifecycle(s, w)
        grant, doc, docs = sign_flow(s, w, sid, seal)
        test_multi_party(s, w, sid)
        test_two_seals(s, w, sid)
        test_pdf_assets(s, w, sid)
        test_batch(s, w, sid)
        test_batch_groups(s, w, sid)
        test_commit_failure(s, w, sid)
        test_security(s, w, sid, grant)
        test_parallel_pins(s, w, sid)
        test_cancel(s, w, sid, seal)
        test_change(s, w)
        test_personal(s)
        s = test_migration_v3(s, url, w, docs)
        test_no_secrets(s, w, os.path.join(A.WORK, "seals.log"))
    finally:
        idp.kill()
    print("%s seals: %d passed, %d failed" % (A.BACKEND, A.passed, A.failed))
    return 1 if A.failed else 0


if __name__ == "__main__":
    sys.exit(main())
