#!/usr/bin/env bash
# Load benchmark of eseal serve: wrk on an authenticated GET /api/me for 10 s over loopback
# (SQLite, fresh data dir). Usage: bench/bench_server.sh [build/tools/eseal] [wrk threads] [connections]
set -euo pipefail
ESEAL=${1:-build/tools/eseal}
THREADS=${2:-2}
CONNS=${3:-50}
T=$(mktemp -d /tmp/eseal-bench.XXXXXX)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
ESEAL_ADMIN_PASSWORD=bench-admin-pw "$ESEAL" serve --listen 127.0.0.1:0 --data "$T/data" >"$T/out" 2>"$T/access.log" &
server_pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$T/out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$T/out")
[ -n "$port" ] || { echo "bench_server: server did not start" >&2; cat "$T/access.log" >&2; exit 1; }
url=http://127.0.0.1:$port
curl -sf -XPOST "$url/api/accounts/person" -d '{"name":"压测","id_number":"11010519491231002X","phone":"13800138000","password":"bench-password"}' >/dev/null
token=$(curl -sf -XPOST "$url/api/auth/login" -d '{"login":"13800138000","password":"bench-password"}' | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')
curl -sf -H "Authorization: Bearer $token" "$url/api/me" >/dev/null
echo "eseal serve (SQLite, $(nproc) CPUs, default worker threads), wrk -t$THREADS -c$CONNS -d10s GET /api/me:"
wrk -t"$THREADS" -c"$CONNS" -d10s --latency -H "Authorization: Bearer $token" "$url/api/me"
