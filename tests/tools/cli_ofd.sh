# eseal ofd sign / verify / show: sample verdicts, signing, an openssl-only check, tampering, limits.
. "$(dirname "$0")/lib.sh.inc"

S=$ESEAL_SAMPLES
ROOT=$S/pki/ROOT_cert.pem
OV=(--trust "$ROOT" --at 2021-06-01)

# The samples' verdicts (samples/README.md).
run 1 "$ESEAL" ofd verify "$S/ofd/SESV4SignDoc.ofd" "${OV[@]}"
has "$OUT" "passed +ofd.references"
has "$OUT" "passed +data.hash"
has "$OUT" "passed +signature.value"
has "$OUT" "passed +seal.maker_signature"
has "$OUT" "failed +signature.time_in_seal_validity"
run 1 "$ESEAL" ofd verify "$S/ofd/allprotected.ofd" "${OV[@]}" --json
has "$OUT" '"name": "ofd.references", "result": "passed"'
has "$OUT" '"name": "signature.signer_cert", "result": "failed", "detail": ".*keyCertSign'
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT" && ok || fail "not JSON"
run 1 "$ESEAL" ofd verify "$S/ofd/v4signed.ofd" "${OV[@]}"
has "$OUT" "^document: indeterminate"
has "$OUT" "passed +ofd.references: all 13"
has "$OUT" "passed +data.hash"
hasnt "$OUT" "failed"
run 1 "$ESEAL" ofd verify "$S/ofd/h.ofd" "${OV[@]}" --json
python3 - "$OUT" <<'PY' && ok || fail "h.ofd: first signature must fail only on Signatures.xml"
import json, sys
r = json.load(open(sys.argv[1]))
chain = {"signature.signer_cert", "seal.maker_cert"}  # the ofdrw root lacks keyCertSign
s0, s1 = r["signatures"]
f0 = {c["name"] for c in s0["checks"] if c["result"] == "failed"} - chain
f1 = {c["name"] for c in s1["checks"] if c["result"] == "failed"} - chain
ref0 = [c for c in s0["checks"] if c["name"] == "ofd.references"][0]["detail"]
assert f0 == {"ofd.references"}, f0
assert "Signatures.xml" in ref0 and ref0.startswith("1 of"), ref0
assert f1 == set(), f1
PY
run 1 "$ESEAL" ofd verify "$S/ofd/DigitalSign.ofd" "${OV[@]}" --signer-cert "$S/pki/USER_cert.pem"
has "$OUT" "passed +signature.value: SM2 signature over Signature.xml"
has "$OUT" "passed +ofd.references"
run 1 "$ESEAL" ofd verify "$S/ofd/DigitalSign.ofd" "${OV[@]}"
has "$OUT" "undecided +signature.value"
run 1 "$ESEAL" ofd verify "$S/ofd/helloworld.ofd" "${OV[@]}"
has "$OUT" "not signed"
run 0 "$ESEAL" ofd show "$S/ofd/h.ofd"
has "$OUT" "stamp s003 on page ID 21 at 194 128.5 40 40 clip 8 0 8 40"

# A CA, two signers and a seal that lists both.
export ESEAL_CA_PASS=ofd-test
"$ESEAL" ca init --dir "$T/ca" --subject "CN=OFD Test Root,C=CN" >/dev/null
for who in maker signer other; do "$ESEAL" key gen --out "$T/$who.key" 2>/dev/null; done
"$ESEAL" ca issue --dir "$T/ca" --profile maker --subject "CN=Maker,C=CN" --key "$T/maker.key" --out "$T/maker.pem" >/dev/null
"$ESEAL" ca issue --dir "$T/ca" --profile signer --subject "CN=Signer,C=CN" --key "$T/signer.key" --out "$T/signer.pem" >/dev/null
"$ESEAL" ca issue --dir "$T/ca" --profile signer --subject "CN=Other,C=CN" --key "$T/other.key" --out "$T/other.pem" >/dev/null
run 0 "$ESEAL" seal make --maker-cert "$T/maker.pem" --maker-key "$T/maker.key" --name 测试合同章 --type 1 \
    --valid-from "$(date -u -d yesterday +%F)" --valid-to "$(date -u -d '+1 year' +%F)" \
    --image "$S/seal/StampImg.png" --signer-cert "$T/signer.pem" --signer-cert "$T/other.pem" --out "$T/seal.esl"
V=(--trust "$T/ca/root.pem" --untrusted "$T/ca/issuing.pem")
SIGNER=(--seal "$T/seal.esl" --cert "$T/signer.pem" --key "$T/signer.key")
OTHER=(--seal "$T/seal.esl" --cert "$T/other.pem" --key "$T/other.key")

for doc in helloworld VPage7 namespace_no_std; do
    run 0 "$ESEAL" ofd sign "$S/ofd/$doc.ofd" "$T/$doc.1.ofd" "${SIGNER[@]}" --page 1 --x 20 --y 30
    run 0 "$ESEAL" ofd verify "$T/$doc.1.ofd" "${V[@]}"
    has "$OUT" "^document: valid"
    # a second signer on the document eseal signed: both verify
    run 0 "$ESEAL" ofd sign "$T/$doc.1.ofd" "$T/$doc.2.ofd" "${OTHER[@]}" --page 1 --x 80 --y 30
    run 0 "$ESEAL" ofd verify "$T/$doc.2.ofd" "${V[@]}" --json
    eq "$(grep -c '"status": "valid"' "$OUT")" 4 "$doc: document + package + 2 signatures valid"
done

# Unchanged entries keep their bytes.
for e in OFD.xml Doc_0/Document.xml Doc_0/Pages/Page_0/Content.xml; do
    unzip -p "$S/ofd/VPage7.ofd" "$e" >"$T/a" && unzip -p "$T/VPage7.2.ofd" "$e" >"$T/b"
    [ "$e" = OFD.xml ] || same "$T/a" "$T/b"
done

# The independent check: only unzip and openssl.
X=$T/x && mkdir -p "$X" && (cd "$X" && unzip -q "$T/helloworld.2.ofd")
openssl x509 -in "$T/signer.pem" -pubkey -noout >"$T/signer.pub"
openssl x509 -in "$T/other.pem" -pubkey -noout >"$T/other.pub"
for n in 0 1; do
    sig=$X/Doc_0/Signs/Sign_$n
    grep -o 'FileRef="/[^"]*"><ofd:CheckValue>[^<]*' "$sig/Signature.xml" | sed 's/FileRef="\/\([^"]*\)"><ofd:CheckValue>/\1 /' >"$T/refs"
    [ -s "$T/refs" ] && ok || fail "no references in Sign_$n"
    while read -r f want; do
        eq "$(openssl dgst -sm3 -binary "$X/$f" | base64)" "$want" "CheckValue of $f"
    done <"$T/refs"
    # asn1parse lines "off:d=N hl=H l=L prim: TYPE"; a BIT STRING's contents follow one unused-bits byte
    openssl asn1parse -inform DER -in "$sig/SignedValue.dat" >"$T/asn1"
    field() { awk -v d="$1" -v t="$2" '$0 ~ "d=" d " " && $0 ~ t {print; exit}' "$T/asn1"; }
    cut_tlv() { # cut_tlv LINE SKIP OUT: the bytes of the TLV in LINE, without its first SKIP bytes
        local off hl l
        off=$(echo "$1" | sed 's/:.*//;s/ //g'); hl=$(echo "$1" | sed 's/.*hl= *\([0-9]*\).*/\1/')
        l=$(echo "$1" | sed 's/.* l= *\([0-9]*\).*/\1/')
        tail -c +$((off + 1 + $2)) "$sig/SignedValue.dat" | head -c $((hl + l - $2)) >"$3"
    }
    line=$(field 2 "BIT STRING")
    hl=$(echo "$line" | sed 's/.*hl= *\([0-9]*\).*/\1/')
    cut_tlv "$line" $((hl + 1)) "$T/hash"
    want=$(openssl dgst -sm3 -hex "$sig/Signature.xml" | awk '{print toupper($NF)}')
    eq "$(od -An -tx1 "$T/hash" | tr -d ' \n' | tr a-f A-F)" "$want" "dataHash of Sign_$n"
    cut_tlv "$(field 1 SEQUENCE)" 0 "$T/tbs"
    line=$(awk '$0 ~ "d=1 " && /BIT STRING/ {l=$0} END {print l}' "$T/asn1")
    hl=$(echo "$line" | sed 's/.*hl= *\([0-9]*\).*/\1/')
    cut_tlv "$line" $((hl + 1)) "$T/sig"
    pub=$T/signer.pub && [ $n = 1 ] && pub=$T/other.pub
    openssl dgst -sm3 -verify "$pub" -sigopt distid:1234567812345678 -signature "$T/sig" "$T/tbs" >/dev/null &&
        ok || fail "openssl does not verify the TBS signature of Sign_$n"
done

# Tampering: a changed byte of a protected entry, an added page, a swapped Seal.esl.
tamper() { # tamper NAME ENTRY: rebuild helloworld.1 with ENTRY (already changed in $X2)
    (cd "$X2" && rm -f "$T/$1.ofd" && zip -q -r -X "$T/$1.ofd" OFD.xml Doc_0)
    run 1 "$ESEAL" ofd verify "$T/$1.ofd" "${V[@]}"
    hasnt "$OUT" "^document: valid"
}
X2=$T/x2
for e in OFD.xml Doc_0/Document.xml Doc_0/PublicRes.xml Doc_0/Pages/Page_0/Content.xml Doc_0/Signs/Sign_0/SignedValue.dat Doc_0/Signs/Sign_0/Signature.xml; do
    rm -rf "$X2" && mkdir -p "$X2" && (cd "$X2" && unzip -q "$T/helloworld.1.ofd")
    size=$(stat -c %s "$X2/$e")
    flip "$X2/$e" $((size / 2))
    tamper t1 "$e"
done
rm -rf "$X2" && mkdir -p "$X2" && (cd "$X2" && unzip -q "$T/helloworld.1.ofd")
mkdir -p "$X2/Doc_0/Pages/Page_1" && cp "$X2/Doc_0/Pages/Page_0/Content.xml" "$X2/Doc_0/Pages/Page_1/"
sed -i 's|</ofd:Pages>|<ofd:Page ID="9" BaseLoc="Pages/Page_1/Content.xml"/></ofd:Pages>|' "$X2/Doc_0/Document.xml"
tamper t2 page
has "$OUT" "failed +ofd.references: .*Document.xml changed"
has "$OUT" "failed +ofd.coverage: .*Page_1/Content.xml"
rm -rf "$X2" && mkdir -p "$X2" && (cd "$X2" && unzip -q "$T/helloworld.1.ofd")
cp "$S/seal/UserV4.esl" "$X2/Doc_0/Signs/Sign_0/Seal.esl"
tamper t3 seal
has "$OUT" "failed +ofd.seal_file"

# Bytes before and after the zip are tolerated.
{ printf 'junk before'; cat "$T/helloworld.1.ofd"; printf 'junk after'; } >"$T/padded.ofd"
run 0 "$ESEAL" ofd verify "$T/padded.ofd" "${V[@]}"
has "$OUT" "11 bytes before and 10 after"

# Cross-page seal over pages 2-4 and a digital signature.
run 0 "$ESEAL" ofd sign "$S/ofd/VPage7.ofd" "$T/cross.ofd" "${SIGNER[@]}" --cross-page --pages 2-4 --y 100
run 0 "$ESEAL" ofd verify "$T/cross.ofd" "${V[@]}"
for bad in 2-4x 2 a-b; do
    run 2 "$ESEAL" ofd sign "$S/ofd/VPage7.ofd" "$T/bad.ofd" "${SIGNER[@]}" --cross-page --pages "$bad" --y 100
    has "$ERR" "--pages must be A-B"
done
run 2 "$ESEAL" ofd sign "$S/ofd/VPage7.ofd" "$T/bad.ofd" "${SIGNER[@]}" --page 1 --x 5 --y 10mm
has "$ERR" "--y must be a length in mm"
[ ! -e "$T/bad.ofd" ] && ok || fail "a refused signing wrote its output"
run 0 "$ESEAL" ofd show "$T/cross.ofd"
eq "$(grep -c 'stamp .* clip' "$OUT")" 3 "three slices"
has "$OUT" "on page ID 21 at 196.667 100 40 40 clip 0 0 13.333 40"
has "$OUT" "on page ID 63 at 170 100 40 40 clip 26.667 0 13.333 40"
run 0 "$ESEAL" ofd sign "$T/cross.ofd" "$T/digital.ofd" --digital --cert "$T/other.pem" --key "$T/other.key"
run 0 "$ESEAL" ofd verify "$T/digital.ofd" "${V[@]}"
has "$OUT" "passed +data.hash: messageDigest is the SM3 digest of Signature.xml"

# --close: the next signature is refused, saying why.
run 0 "$ESEAL" ofd sign "$S/ofd/helloworld.ofd" "$T/closed.ofd" "${SIGNER[@]}" --page 1 --x 20 --y 30 --close
run 0 "$ESEAL" ofd verify "$T/closed.ofd" "${V[@]}"
run 2 "$ESEAL" ofd sign "$T/closed.ofd" "$T/x.ofd" "${OTHER[@]}" --page 1 --x 20 --y 30
has "$ERR" "closed.*protects .*Signatures.xml"
[ ! -e "$T/x.ofd" ] && ok || fail "output written for a closed document"
run 2 "$ESEAL" ofd sign "$S/ofd/helloworld.ofd" "$T/x.ofd" "${SIGNER[@]}" --page 2 --x 20 --y 30
has "$ERR" "page 2 does not exist"

# Limits: a zip bomb and deeply nested XML are refused with clear errors.
B=$T/bomb && mkdir -p "$B"
(cd "$B" && unzip -q "$S/ofd/helloworld.ofd" && head -c 600M /dev/zero >Doc_0/zero.bin && zip -q -r "$T/bomb.ofd" .)
run 1 "$ESEAL" ofd verify "$T/bomb.ofd" "${V[@]}"
has "$OUT" "failed +ofd.package: .*zip bomb"
D=$T/deep && mkdir -p "$D" && (cd "$D" && unzip -q "$S/ofd/helloworld.ofd")
python3 -c 'import sys; n=5000; open(sys.argv[1],"w").write("<?xml version=\"1.0\"?>"+"<a>"*n+"</a>"*n)' "$D/OFD.xml"
(cd "$D" && zip -q -r "$T/deep.ofd" .)
run 2 "$ESEAL" ofd show "$T/deep.ofd"
has "$ERR" "nested deeper than the limit"
python3 -c 'import sys; open(sys.argv[1],"w").write("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>")' "$D/OFD.xml"
rm -f "$T/deep.ofd" && (cd "$D" && zip -q -r "$T/deep.ofd" .)
run 2 "$ESEAL" ofd show "$T/deep.ofd"
has "$ERR" "DTDs and entities are refused"

finish
