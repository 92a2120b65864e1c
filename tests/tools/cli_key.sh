# eseal key gen / key pub: keys that openssl reads, encrypted when asked, clear errors.
. "$(dirname "$0")/lib.sh.inc"

run 0 "$ESEAL" key gen --out "$T/plain.pem" --pubout "$T/plain.pub"
has "$T/plain.pem" "BEGIN PRIVATE KEY"
has "$ERR" "not encrypted"
eq "$(stat -c %a "$T/plain.pem")" 600 "private key mode"
openssl pkey -in "$T/plain.pem" -noout -text >"$T/text" 2>&1 && ok || fail "openssl cannot read the key"
has "$T/text" "ASN1 OID: SM2"
openssl pkey -in "$T/plain.pem" -pubout -out "$T/ossl.pub" && ok || fail "openssl pubout"
same "$T/plain.pub" "$T/ossl.pub"
run 0 "$ESEAL" key pub --in "$T/plain.pem" --out "$T/again.pub"
same "$T/again.pub" "$T/ossl.pub"

export KEYPASS='correct horse 电池'
run 0 "$ESEAL" key gen --out "$T/enc.pem" --pass-env KEYPASS
has "$T/enc.pem" "BEGIN ENCRYPTED PRIVATE KEY"
hasnt "$ERR" "not encrypted"
openssl asn1parse -in "$T/enc.pem" >"$T/asn1" 2>&1 && ok || fail "asn1parse"
has "$T/asn1" "sm4-cbc|SM4-CBC"
openssl pkey -in "$T/enc.pem" -passin env:KEYPASS -noout && ok || fail "openssl cannot decrypt"
run 0 "$ESEAL" key pub --in "$T/enc.pem" --pass-env KEYPASS --out "$T/enc.pub"
export WRONG=nope
run 2 "$ESEAL" key pub --in "$T/enc.pem" --pass-env WRONG --out "$T/x.pub"
has "$ERR" "password"
[ ! -e "$T/x.pub" ] && ok || fail "output written despite the error"
run 2 "$ESEAL" key pub --in "$T/enc.pem" --out "$T/x.pub"
has "$ERR" "password"
run 2 "$ESEAL" key gen --out "$T/e2.pem" --pass-env UNSET_VARIABLE_XYZ
has "$ERR" "UNSET_VARIABLE_XYZ is not set"

run 0 "$ESEAL" key gen --out "$T/sec1.pem" --format sec1
has "$T/sec1.pem" "BEGIN EC PRIVATE KEY"
openssl ec -in "$T/sec1.pem" -noout 2>/dev/null && ok || fail "openssl cannot read SEC1"
run 2 "$ESEAL" key gen --out "$T/s.pem" --format sec1 --pass-env KEYPASS
run 2 "$ESEAL" key gen --out "$T/s.pem" --format pem

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/p256.pem" 2>/dev/null
run 2 "$ESEAL" key pub --in "$T/p256.pem" --out "$T/p.pub"
has "$ERR" "not supported"
head -c 100 /dev/urandom >"$T/junk.pem"
run 2 "$ESEAL" key pub --in "$T/junk.pem" --out "$T/p.pub"
run 2 "$ESEAL" key pub --in "$T/nonexistent.pem" --out "$T/p.pub"
has "$ERR" "cannot open"
run 2 "$ESEAL" key gen --out "$T/no/such/dir/k.pem"
has "$ERR" "cannot"
finish
