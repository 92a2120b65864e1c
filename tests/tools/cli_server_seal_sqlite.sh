# Seals and cloud signing on SQLite, over real HTTP: tests/server/seal_test.py.
set -uo pipefail
: "${ESEAL:?ESEAL must name the eseal binary}"
mkdir -p "${ESEAL_TEST_TMP:-/tmp}"
T=$(mktemp -d "${ESEAL_TEST_TMP:-/tmp}/server-seal-sqlite.XXXXXX")
python3 "$(dirname "$0")/../server/seal_test.py" "$ESEAL" sqlite "$T"
st=$?
[ "$st" = 0 ] && rm -rf "$T" || { echo "logs kept in $T" >&2; tail -n 5 "$T"/*.log >&2; }
exit "$st"
