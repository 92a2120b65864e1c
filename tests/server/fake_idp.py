#!/usr/bin/env python3
"""A fake identity provider on loopback, speaking the protocol of docs/server.md.

Verdicts by the request's name: names containing "冒名" (impostor) are mismatches, "超时"
answers too late, "抖动" fails with 503 on the first attempt of each request, a liveness token
"fail" is a failed face comparison; everything else matches. Prints "port N" once listening.
"""
import http.server
import json
import sys
import threading
import time

seen = set()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except BrokenPipeError:  # the server gave up waiting: that is what the test wants
            pass

    def do_POST(self):
        if self.path != "/verify":
            return self.answer(404, {"error": "no such path"})
        req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name = req.get("name", "")
        for key in ("request_id", "subject", "name"):
            if key not in req:
                return self.answer(400, {"error": "missing " + key})
        if "超时" in name:
            time.sleep(3)
        if "抖动" in name:
            with lock:
                first = req["request_id"] not in seen
                seen.add(req["request_id"])
            if first:
                return self.answer(503, {"error": "try again"})
        if "冒名" in name or "冒名" in req.get("legal_rep", {}).get("name", ""):
            return self.answer(200, {"result": "mismatch", "reason": "name does not match the ID number"})
        if req.get("liveness_token") == "fail":
            return self.answer(200, {"result": "mismatch", "reason": "face comparison failed"})
        return self.answer(200, {"result": "match", "reason": "identity confirmed"})


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("port", server.server_address[1], flush=True)
server.serve_forever()
