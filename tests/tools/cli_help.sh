# The command table, generated help, and argument errors (exit status 2, a clear message).
. "$(dirname "$0")/lib.sh.inc"

run 0 "$ESEAL" help
for c in "ca crl" "ca init" "ca issue" "ca revoke" "cert verify" "dgst" "key gen" "key pub"; do
    has "$OUT" "^  $c "
done
run 2 "$ESEAL"
run 0 "$ESEAL" ca issue --help
has "$OUT" "usage: eseal ca issue .*--profile maker\|signer\|tsa\|log"
has "$OUT" "--subject DN .*\(required\)"
run 0 "$ESEAL" help cert verify
has "$OUT" "usage: eseal cert verify"
run 2 "$ESEAL" frobnicate
has "$ERR" 'unknown command "frobnicate"'
run 2 "$ESEAL" ca
has "$OUT" "ca init"
run 2 "$ESEAL" key gen
has "$ERR" "--out KEY.pem is required"
run 2 "$ESEAL" key gen --out "$T/k.pem" --bogus
has "$ERR" "unknown option --bogus"
run 2 "$ESEAL" key gen --out "$T/a.pem" --out "$T/b.pem"
has "$ERR" "--out given twice"
run 2 "$ESEAL" cert verify --trust x.pem
has "$ERR" "missing CERT.pem"
run 2 "$ESEAL" cert verify a.pem b.pem --trust x.pem
has "$ERR" 'unexpected argument "b.pem"'
run 2 "$ESEAL" ca crl --dir "$T" --out "$T/c.pem" --days 0
has "$ERR" "--days must be a whole number from 1 to 3650"
run 0 "$ESEAL" --version
has "$OUT" "^eseal [0-9]+\.[0-9]+\.[0-9]+"
finish
