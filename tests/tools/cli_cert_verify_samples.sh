# eseal cert verify on the ofdrw sample chain: the root's missing keyCertSign is named, once.
. "$(dirname "$0")/lib.sh.inc"

P=$ESEAL_SAMPLES/pki
run 1 "$ESEAL" cert verify "$P/USER_cert.pem" --trust "$P/ROOT_cert.pem" --at 2021-06-01
has "$OUT" ": invalid$"
eq "$(grep -c 'problem:' "$OUT")" 1 "exactly one problem at 2021-06-01"
has "$OUT" "problem: depth 1 .*keyUsage lacks keyCertSign"

run 1 "$ESEAL" cert verify "$P/USER_cert.pem" --trust "$P/ROOT_cert.pem" --at 2024-06-01
has "$OUT" "problem: depth 0 .*expired at 2022-04-21T14:39:08Z"
has "$OUT" "keyCertSign"
eq "$(grep -c 'problem:' "$OUT")" 2 "two problems at 2024-06-01"

run 1 "$ESEAL" cert verify "$P/USER_cert.pem" --trust "$ESEAL_SAMPLES/pdf/sm2/sm2_test_ca.crt" --at 2021-06-01
has "$OUT" "indeterminate"
run 2 "$ESEAL" cert verify "$P/USER_cert.pem" --trust "$P/ROOT_cert.pem" --at 2021-13-01
has "$ERR" "bad --at"
run 2 "$ESEAL" cert verify "$P/USER_cert.pem" --trust "$P/ROOT_cert.pem" --at "2021-06-01T00:00:00"
run 2 "$ESEAL" cert verify "$P/USER_key.pem" --trust "$P/ROOT_cert.pem"
run 2 "$ESEAL" cert verify "$P/USER_cert.pem" --trust "$P/missing.pem"
finish
