# A CA made with eseal: certificates openssl verifies, revocation and CRLs, clear errors.
. "$(dirname "$0")/lib.sh.inc"

export ESEAL_CA_PASS='ca password 口令'
CA=$T/ca
run 0 "$ESEAL" ca init --dir "$CA" --subject "CN=eseal Test Root CA,O=eseal,C=CN" --crl-url http://crl.example.test/issuing.crl
[ -f "$CA/root.pem" ] && [ -f "$CA/issuing.pem" ] && ok || fail "ca init left no root.pem/issuing.pem"
hasnt "$CA/private/"*.key "BEGIN PRIVATE KEY"
run 2 "$ESEAL" ca init --dir "$CA" --subject "CN=again"
has "$ERR" "exists"

"$ESEAL" key gen --out "$T/signer.key" 2>/dev/null
"$ESEAL" key pub --in "$T/signer.key" --out "$T/signer.pub"
run 0 "$ESEAL" ca issue --dir "$CA" --profile signer --subject "CN=张三,O=示例公司,C=CN" --key "$T/signer.key" --out "$T/signer.pem"
[ -f "$T/signer-chain.pem" ] && ok || fail "no chain written beside the certificate"
# openssl 3.0 applies -vfyopt distid to the target only, so it checks an SM2 chain link by link.
run 0 openssl verify -vfyopt distid:1234567812345678 -CAfile "$CA/root.pem" "$T/signer-chain.pem"
run 0 openssl verify -vfyopt distid:1234567812345678 -partial_chain -CAfile "$T/signer-chain.pem" "$T/signer.pem"
run 2 openssl verify -vfyopt distid:0000000000000000 -partial_chain -CAfile "$T/signer-chain.pem" "$T/signer.pem"
openssl x509 -in "$T/signer.pem" -noout -subject -nameopt utf8,sep_comma_plus >"$T/subj"
has "$T/subj" "CN=张三"
openssl x509 -in "$T/signer.pem" -noout -text >"$T/text"
has "$T/text" "Digital Signature, Non Repudiation"
has "$T/text" "crl.example.test"
has "$T/text" "SM2-with-SM3"
run 0 "$ESEAL" cert verify "$T/signer.pem" --trust "$CA/root.pem" --untrusted "$T/signer-chain.pem"
has "$OUT" ": valid$"

run 0 "$ESEAL" ca issue --dir "$CA" --profile tsa --subject "CN=eseal TSA" --pubkey "$T/signer.pub" --out "$T/tsa.pem"
openssl x509 -in "$T/tsa.pem" -noout -ext extendedKeyUsage >"$T/eku"
has "$T/eku" "critical"
has "$T/eku" "Time Stamping"
run 2 "$ESEAL" ca issue --dir "$CA" --profile notary --subject "CN=x" --pubkey "$T/signer.pub" --out "$T/x.pem"
run 2 "$ESEAL" ca issue --dir "$CA" --profile signer --subject "CN=x" --out "$T/x.pem"
has "$ERR" "exactly one of --key and --pubkey"
run 2 "$ESEAL" ca issue --dir "$CA" --profile signer --subject "XX=bad" --pubkey "$T/signer.pub" --out "$T/x.pem"
ESEAL_CA_PASS=wrong run 2 "$ESEAL" ca issue --dir "$CA" --profile signer --subject "CN=x" --pubkey "$T/signer.pub" --out "$T/x.pem"
has "$ERR" "password"
[ ! -e "$T/x.pem" ] && ok || fail "certificate written despite errors"

# Validity windows: a certificate starting in 10 days for 30 days, verified before, in and after.
start=$(date -u -d '+10 days' +%F)
run 0 "$ESEAL" ca issue --dir "$CA" --profile maker --subject "CN=Seal Maker" --pubkey "$T/signer.pub" --out "$T/maker.pem" --not-before "$start" --days 30
run 0 "$ESEAL" cert verify "$T/maker.pem" --trust "$CA/root.pem" --untrusted "$CA/issuing.pem" --at "$(date -u -d '+20 days' +%F)"
run 1 "$ESEAL" cert verify "$T/maker.pem" --trust "$CA/root.pem" --untrusted "$CA/issuing.pem" --at "$(date -u -d '+60 days' +%F)"
has "$OUT" "expired at $(date -u -d "$start +30 days" +%F)T00:00:00Z"
run 1 "$ESEAL" cert verify "$T/maker.pem" --trust "$CA/root.pem" --untrusted "$CA/issuing.pem"
has "$OUT" "not yet valid"
run 2 "$ESEAL" ca issue --dir "$CA" --profile maker --subject "CN=Too Early" --pubkey "$T/signer.pub" --out "$T/x.pem" --not-before 1990-01-01 --days 30

# Revocation: valid with an empty CRL, revoked after revoke + crl; openssl agrees.
run 0 "$ESEAL" ca crl --dir "$CA" --out "$T/crl0.pem"
run 0 "$ESEAL" cert verify "$T/signer.pem" --trust "$CA/root.pem" --untrusted "$CA/issuing.pem" --crl "$T/crl0.pem"
hasnt "$OUT" "revocation: not checked"
run 0 "$ESEAL" ca revoke --dir "$CA" --cert "$T/signer.pem" --reason keyCompromise
run 2 "$ESEAL" ca revoke --dir "$CA" --cert "$T/signer.pem"
has "$ERR" "already revoked|state"
run 2 "$ESEAL" ca revoke --dir "$CA" --cert "$ESEAL_SAMPLES/pki/USER_cert.pem"
run 2 "$ESEAL" ca revoke --dir "$CA" --cert "$T/tsa.pem" --reason sleepy
run 0 "$ESEAL" ca crl --dir "$CA" --out "$T/crl1.pem"
# The CRL's SM2 signature (ID 1234567812345678) checked independently over its TBS bytes:
# the first element at depth 1 is the TBSCertList, the last BIT STRING the signature.
openssl asn1parse -in "$T/crl1.pem" -out "$T/crl1.der" -noout >/dev/null
tbsoff=$(openssl asn1parse -inform DER -in "$T/crl1.der" | awk -F: '/d=1/ { print $1 + 0; exit }')
sigoff=$(openssl asn1parse -inform DER -in "$T/crl1.der" | awk -F: '/d=1.*BIT STRING/ { o = $1 } END { print o + 0 }')
openssl asn1parse -inform DER -in "$T/crl1.der" -strparse "$tbsoff" -out "$T/crl1.tbs" -noout >/dev/null
openssl asn1parse -inform DER -in "$T/crl1.der" -strparse "$sigoff" -out "$T/crl1.sig" -noout >/dev/null
openssl x509 -in "$CA/issuing.pem" -pubkey -noout >"$T/issuing.pub"
run 0 openssl dgst -sm3 -verify "$T/issuing.pub" -sigopt distid:1234567812345678 -signature "$T/crl1.sig" "$T/crl1.tbs"
printf x >>"$T/crl1.tbs"
run 1 openssl dgst -sm3 -verify "$T/issuing.pub" -sigopt distid:1234567812345678 -signature "$T/crl1.sig" "$T/crl1.tbs"
run 1 "$ESEAL" cert verify "$T/signer.pem" --trust "$CA/root.pem" --untrusted "$CA/issuing.pem" --crl "$T/crl1.pem"
has "$OUT" ": invalid$"
has "$OUT" "revoked at .*keyCompromise"
run 0 "$ESEAL" cert verify "$T/tsa.pem" --trust "$CA/root.pem" --untrusted "$CA/issuing.pem" --crl "$T/crl1.pem"

# A root-only CA issues leaves directly, and no chain file is written.
run 0 "$ESEAL" ca init --dir "$T/ca2" --subject "CN=Flat Root" --root-only --years 2
run 0 "$ESEAL" ca issue --dir "$T/ca2" --profile log --subject "CN=log" --pubkey "$T/signer.pub" --out "$T/log.pem"
[ ! -e "$T/log-chain.pem" ] && ok || fail "chain written for a root-only CA"
run 0 openssl verify -vfyopt distid:1234567812345678 -CAfile "$T/ca2/root.pem" "$T/log.pem"
run 1 "$ESEAL" cert verify "$T/log.pem" --trust "$CA/root.pem"
has "$OUT" "indeterminate"
finish
