# eseal seal make / seal show / sign / verify: sample verdicts, round trips, refusals.
. "$(dirname "$0")/lib.sh.inc"

S=$ESEAL_SAMPLES
ROOT=$S/pki/ROOT_cert.pem
# The ofdrw samples: cryptography verifies, the chain fails only on the root's keyCertSign.
for v in UserV1 UserV4 UserV5; do
    run 1 "$ESEAL" verify "$S/seal/$v.esl" --trust "$ROOT" --at 2021-06-01
    has "$OUT" "passed +seal.maker_signature"
    has "$OUT" "failed +seal.maker_cert: .*keyCertSign"
done
# UserV5 was made in 2026: at 2021-06-01 its validity has not begun.
has "$OUT" "failed +seal.validity: .*before validStart 2026"
run 1 "$ESEAL" verify "$S/seal/SignedValueV4.dat" --trust "$ROOT" --at 2021-06-01 --data "$S/seal/StampImg.png" --json
has "$OUT" '"name": "signature.value", "result": "passed"'
has "$OUT" '"name": "data.hash", "result": "failed"'
has "$OUT" '"status": "invalid"'
run 1 "$ESEAL" verify "$S/seal/SignedValueV4.dat" --trust "$ROOT" --at 2021-06-01
has "$OUT" "skipped +data.hash"
run 0 "$ESEAL" seal show "$S/seal/UserV4.esl" --extract-picture "$T/pic.png"
has "$OUT" "OFD R&W 测试用印章"
same "$T/pic.png" "$S/seal/StampImg.png"
run 0 "$ESEAL" seal show "$S/seal/SignedValueV4.dat" --json
has "$OUT" "/Doc_0/Signs/Sign_0/Signature.xml"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT" && ok || fail "seal show --json is not JSON"

# A CA, a maker and a signer made with eseal; a seal valid from yesterday for a year.
export ESEAL_CA_PASS=seal-test
"$ESEAL" ca init --dir "$T/ca" --subject "CN=Seal Test Root,C=CN" >/dev/null
for who in maker signer other; do
    "$ESEAL" key gen --out "$T/$who.key" 2>/dev/null
done
"$ESEAL" ca issue --dir "$T/ca" --profile maker --subject "CN=制章者,C=CN" --key "$T/maker.key" --out "$T/maker.pem" >/dev/null
"$ESEAL" ca issue --dir "$T/ca" --profile signer --subject "CN=张三,C=CN" --key "$T/signer.key" --out "$T/signer.pem" >/dev/null
"$ESEAL" ca issue --dir "$T/ca" --profile signer --subject "CN=李四,C=CN" --key "$T/other.key" --out "$T/other.pem" >/dev/null
from=$(date -u -d yesterday +%F)
to=$(date -u -d '+1 year' +%F)
MAKE=("$ESEAL" seal make --maker-cert "$T/maker.pem" --maker-key "$T/maker.key" --name "示例公司合同专用章" --type 4 --valid-from "$from" --valid-to "$to" --image "$S/seal/StampImg.png")
run 0 "${MAKE[@]}" --signer-cert "$T/signer.pem" --out "$T/seal.esl"
VER=(--trust "$T/ca/root.pem" --untrusted "$T/ca/issuing.pem")
run 0 "$ESEAL" verify "$T/seal.esl" "${VER[@]}"
has "$OUT" "^status: valid"
run 0 "$ESEAL" seal show "$T/seal.esl"
has "$OUT" "示例公司合同专用章"

printf 'contract text\n' >"$T/data.txt"
run 0 "$ESEAL" sign --seal "$T/seal.esl" --cert "$T/signer.pem" --key "$T/signer.key" --in "$T/data.txt" --out "$T/sig.dat" --property /Doc_0/Signs/Sign_0/Signature.xml
run 0 "$ESEAL" verify "$T/sig.dat" "${VER[@]}" --data "$T/data.txt"
has "$OUT" "passed +data.hash"
printf 'contract text!\n' >"$T/changed.txt"
run 1 "$ESEAL" verify "$T/sig.dat" "${VER[@]}" --data "$T/changed.txt"
has "$OUT" "failed +data.hash"
run 1 "$ESEAL" verify "$T/sig.dat" --trust "$ROOT"
has "$OUT" "^status: indeterminate"

# certListType 2 (digests) signs and verifies the same way.
run 0 "${MAKE[@]}" --signer-cert "$T/signer.pem" --cert-digests --out "$T/seal2.esl"
run 0 "$ESEAL" sign --seal "$T/seal2.esl" --cert "$T/signer.pem" --key "$T/signer.key" --in "$T/data.txt" --out "$T/sig2.dat"
run 0 "$ESEAL" verify "$T/sig2.dat" "${VER[@]}" --data "$T/data.txt"

# Refusals: a signer not in the certList, the wrong key, outside the validity, not a maker.
run 2 "$ESEAL" sign --seal "$T/seal.esl" --cert "$T/other.pem" --key "$T/other.key" --in "$T/data.txt" --out "$T/x.dat"
has "$ERR" "certList"
run 2 "$ESEAL" sign --seal "$T/seal.esl" --cert "$T/signer.pem" --key "$T/other.key" --in "$T/data.txt" --out "$T/x.dat"
run 2 "$ESEAL" sign --seal "$T/seal.esl" --cert "$T/signer.pem" --key "$T/signer.key" --in "$T/data.txt" --out "$T/x.dat" --time 2020-01-01
has "$ERR" "validity"
run 2 "$ESEAL" seal make --maker-cert "$T/signer.pem" --maker-key "$T/signer.key" --name X --type 1 --valid-from "$from" --valid-to "$to" --image "$S/seal/StampImg.png" --signer-cert "$T/signer.pem" --out "$T/x.esl"
has "$ERR" "maker"
run 2 "${MAKE[@]}" --signer-cert "$T/signer.pem" --out "$T/x.esl" --valid-to 2000-01-01 2>/dev/null
[ ! -e "$T/x.dat" ] && [ ! -e "$T/x.esl" ] && ok || fail "output written despite a refusal"

# Tampering: a flipped byte in the signature value or in the data is never valid.
cp "$T/sig.dat" "$T/bad.dat"
size=$(stat -c %s "$T/bad.dat")
flip "$T/bad.dat" $((size - 10))
run 1 "$ESEAL" verify "$T/bad.dat" "${VER[@]}" --data "$T/data.txt"
head -c 100 /dev/urandom >"$T/junk.dat"
run 1 "$ESEAL" verify "$T/junk.dat" "${VER[@]}"
has "$OUT" "failed +format"
run 2 "$ESEAL" verify "$T/missing.dat" "${VER[@]}"
run 2 "$ESEAL" seal show "$T/junk.dat"
finish
