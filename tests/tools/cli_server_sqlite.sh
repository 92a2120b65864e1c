# eseal serve on SQLite, over real HTTP: tests/server/api_test.py (python3 standard library only).
set -uo pipefail
: "${ESEAL:?ESEAL must name the eseal binary}"
mkdir -p "${ESEAL_TEST_TMP:-/tmp}"
T=$(mktemp -d "${ESEAL_TEST_TMP:-/tmp}/server-sqlite.XXXXXX")
python3 "$(dirname "$0")/../server/api_test.py" "$ESEAL" sqlite "$T"
st=$?
[ "$st" = 0 ] && rm -rf "$T" || { echo "logs kept in $T" >&2; tail -n 5 "$T"/*.log >&2; }
exit "$st"
