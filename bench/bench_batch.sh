#!/usr/bin/env bash
# Batch signing over HTTP: documents/s for small OFDs, small PDFs and raw data items in one
# unlocked POST /api/sign/batch each, beside the raw SM2 sign rate measured in the same run.
# Usage: bench/bench_batch.sh [eseal] [n]
#   BENCH_PERF=1: also profile the server during each batch (perf) and print where the time
#   per document goes (SM2, SM3, PDF/OFD work, database, HTTP/JSON/base64, PIN unlock).
#   BENCH_DB=pg: the server on a throw-away PostgreSQL cluster (tests/server/pg.sh) instead of
#   SQLite; PostgreSQL's own CPU per item is printed too.
set -euo pipefail
ESEAL=${1:-build/tools/eseal}
N=${2:-50}
HERE=$(cd "$(dirname "$0")" && pwd)
SM2=$(dirname "$ESEAL")/../bench/bench_sm2
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-batch.XXXXXX")
trap 'rm -rf "$T"' EXIT
if [ "${BENCH_DB:-sqlite}" = pg ]; then
    # shellcheck source=../tests/server/pg.sh
    . "$HERE/../tests/server/pg.sh"
    trap 'pg_cleanup; rm -rf "$T"' EXIT
fi
if [ -x "$SM2" ]; then
    for op in sign verify; do
        "$SM2" only $op 1 | sed 's/^/raw /' || echo "raw sm2 $op: bench_sm2 failed"
    done
fi
ESEAL_BATCH_MAX=$N python3 "$HERE/bench_batch.py" "$ESEAL" "$T" "$N" \
    "${ESEAL_SAMPLES:-$HERE/../../shared/samples}"
