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

# Other algorithms: EC P-256 and RSA are read and generated (for pades), other curves refused.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/p256.pem" 2>/dev/null
run 0 "$ESEAL" key pub --in "$T/p256.pem" --out "$T/p.pub"
openssl pkey -pubin -in "$T/p.pub" -text -noout >"$T/p.txt" 2>&1 && ok || fail "openssl P-256 pub"
has "$T/p.txt" "prime256v1|P-256"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp384r1 -out "$T/p384.pem" 2>/dev/null
run 2 "$ESEAL" key pub --in "$T/p384.pem" --out "$T/p.pub"
has "$ERR" "not supported"
openssl genpkey -algorithm ED25519 -out "$T/ed.pem" 2>/dev/null
run 2 "$ESEAL" key pub --in "$T/ed.pem" --out "$T/p.pub"
has "$ERR" "not supported"
for alg in ec-p256 rsa3072; do
    run 0 "$ESEAL" key gen --alg $alg --out "$T/$alg.pem" --pubout "$T/$alg.pub"
    openssl pkey -in "$T/$alg.pem" -text -noout >"$T/$alg.txt" 2>&1 && ok || fail "openssl $alg"
    openssl pkey -pubin -in "$T/$alg.pub" -noout && ok || fail "openssl $alg pub"
done
has "$T/ec-p256.txt" "prime256v1|P-256"
has "$T/rsa3072.txt" "3072 bit"
run 0 "$ESEAL" key gen --alg ec-p256 --format sec1 --out "$T/ecs.pem"
has "$T/ecs.pem" "BEGIN EC PRIVATE KEY"
openssl ec -in "$T/ecs.pem" -text -noout 2>/dev/null | grep -q "prime256v1\|P-256" && ok || fail "sec1 p256"
run 2 "$ESEAL" key gen --alg rsa3072 --format sec1 --out "$T/x.pem"
run 2 "$ESEAL" key gen --alg dsa --out "$T/x.pem"
has "$ERR" "--alg must be"
run 0 "$ESEAL" key gen --alg sm2 --out "$T/sm2.pem"
openssl pkey -in "$T/sm2.pem" -text -noout 2>/dev/null | grep -q "SM2" && ok || fail "sm2 alg"
head -c 100 /dev/urandom >"$T/junk.pem"
run 2 "$ESEAL" key pub --in "$T/junk.pem" --out "$T/p.pub"
run 2 "$ESEAL" key pub --in "$T/nonexistent.pem" --out "$T/p.pub"
has "$ERR" "cannot open"
run 2 "$ESEAL" key gen --out "$T/no/such/dir/k.pem"
has "$ERR" "cannot"
finish
