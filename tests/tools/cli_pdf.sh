# eseal pdf sign / verify / show: sample verdicts, signing every sample, qpdf --check, an
# openssl-only check of the gm SignedData, rendering with pdftoppm, keyword and tampering.
. "$(dirname "$0")/lib.sh.inc"

S=$ESEAL_SAMPLES
P=$S/pdf
ROOT=$S/pki/ROOT_cert.pem

# The samples' verdicts (samples/README.md).
for f in "$P"/signed/*.pdf; do
    run 1 "$ESEAL" pdf verify "$f" --trust "$ROOT" --json
    python3 - "$OUT" <<'PY' && ok || fail "$f: not intact"
import json, sys
r = json.load(open(sys.argv[1]))
sigs = r["signatures"]
assert sigs
for s in sigs:
    res = {c["name"]: c["result"] for c in s["checks"]}
    for k in ("pdf.byte_range", "data.hash", "signature.value", "pdf.modifications"):
        assert res[k] == "passed", (k, res)
last = [c for c in sigs[-1]["checks"] if c["name"] == "pdf.coverage"][0]
assert last["detail"] == "whole_file", last
PY
done
run 1 "$ESEAL" pdf verify "$P/negative/dss_pdf-signed-corrupted.pdf" --trust "$ROOT"
has "$OUT" "^document: invalid"
run 1 "$ESEAL" pdf verify "$P/negative/pyhanko_coverage-anomalies_tail-uncovered.pdf" --trust "$ROOT"
has "$OUT" "failed +pdf.coverage: partial"
for f in sm2_gm sm2_pkcs7; do
    run 0 "$ESEAL" pdf verify "$P/sm2/$f.pdf" --trust "$P/sm2/sm2_test_ca.crt" --at 2026-11-28
    has "$OUT" "passed +signature.value"
    has "$OUT" "passed +data.hash: messageDigest"
done
# A signer certificate whose key OpenSSL cannot decode (found by fuzz_pdf_read) is invalid, not
# "could not run".
KEYLESS=$(dirname "$0")/../../fuzz/corpus/fuzz_pdf_read/regress-signer-key-undecodable
run 1 "$ESEAL" pdf verify "$KEYLESS" --trust "$P/sm2/sm2_test_ca.crt" --at 2026-12-01
has "$OUT" "failed +signature.signer_cert: depth 0 .*: its public key cannot be decoded"
for f in "$P"/unsigned/*.pdf; do
    run 1 "$ESEAL" pdf verify "$f" --trust "$ROOT"
    has "$OUT" "undecided pdf.signatures: not signed"
done
run 0 "$ESEAL" pdf show "$P/signed/pyhanko_minimal-signed-twice-both-created.pdf"
has "$OUT" "signature 1: .*coverage whole_revision"
has "$OUT" "signature 2: .*coverage whole_file"

# A CA, a maker, a signer and a seal drawn by eseal.
export ESEAL_CA_PASS=pdf-test
"$ESEAL" ca init --dir "$T/ca" --subject "CN=PDF Test Root,C=CN" >/dev/null
for who in maker signer; do "$ESEAL" key gen --out "$T/$who.key" 2>/dev/null; done
"$ESEAL" ca issue --dir "$T/ca" --profile maker --subject "CN=Maker,C=CN" --key "$T/maker.key" --out "$T/maker.pem" >/dev/null
"$ESEAL" ca issue --dir "$T/ca" --profile signer --subject "CN=Signer,C=CN" --key "$T/signer.key" --out "$T/signer.pem" >/dev/null
"$ESEAL" image round --name 易印测试有限公司 --text 合同专用章 --dpi 300 --out "$T/seal.png" >/dev/null
run 0 "$ESEAL" seal make --maker-cert "$T/maker.pem" --maker-key "$T/maker.key" --name 测试合同章 --type 1 \
    --valid-from "$(date -u -d yesterday +%F)" --valid-to "$(date -u -d '+1 year' +%F)" \
    --image "$T/seal.png" --signer-cert "$T/signer.pem" --out "$T/seal.esl"
V=(--trust "$T/ca/root.pem" --untrusted "$T/ca/issuing.pem")
SIGNER=(--seal "$T/seal.esl" --cert "$T/signer.pem" --key "$T/signer.key")

# Every unsigned sample and one signed sample: gm and ses, bytes kept, qpdf --check, verified.
for f in "$P"/unsigned/*.pdf "$P/signed/pyhanko_minimal-signed-twice-both-created.pdf"; do
    for fmt in gm ses; do
        o=$T/$(basename "$f" .pdf).$fmt.pdf
        run 0 "$ESEAL" pdf sign "$f" "$o" "${SIGNER[@]}" --page 1 --x 5 --y 2 --format $fmt
        cmp -s -n "$(stat -c %s "$f")" "$f" "$o" && ok || fail "$o does not start with $f"
        qpdf --check "$o" >/dev/null 2>&1 && ok || fail "qpdf --check $o"
        case $f in
        */signed/*) run 1 "$ESEAL" pdf verify "$o" "${V[@]}" ;; # the foreign signers' root is not trusted
        *) run 0 "$ESEAL" pdf verify "$o" "${V[@]}" ;;
        esac
        hasnt "$OUT" "failed +(pdf|data|signature.value|seal)"
    done
done

# gm, checked with the openssl tool only: the signature over the signed attributes (re-tagged
# as a SET) with the SM2 ID, and messageDigest = SM3 of the ByteRange bytes.
G=$T/pyhanko_minimal-xref.gm.pdf
python3 - "$G" "$T" <<'PY' && ok || fail "cannot take the SignedData apart"
import re, sys
pdf, t = open(sys.argv[1], "rb").read(), sys.argv[2]
br = [int(x) for x in re.findall(rb"/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]", pdf)[-1]]
der = bytes.fromhex(pdf[br[1] + 1:br[2] - 1].decode())
def tlv(b, i):
    tag, n = b[i], b[i + 1]
    h = 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[i + 2:i + 2 + k], "big")
        h += k
    return tag, i + h, i + h + n          # tag, content start, end
def kids(b, i):
    _, s, e = tlv(b, i)
    out = []
    while s < e:
        out.append(s)
        s = tlv(b, s)[2]
    return out
sd = kids(der, kids(der, 0)[1])[0]       # ContentInfo -> [0] -> SignedData
parts = kids(der, sd)
certs = [p for p in parts if der[p] == 0xA0][0]
signer = kids(der, parts[-1])[0]
si = kids(der, signer)
attrs = [p for p in si if der[p] == 0xA0][0]
a_end = tlv(der, attrs)[2]
open(t + "/attrs.der", "wb").write(b"\x31" + der[attrs + 1:a_end])
sig = si[-1] if der[si[-1]] == 0x04 else si[-2]
_, s, e = tlv(der, sig)
open(t + "/sig.bin", "wb").write(der[s:e])
c0 = kids(der, certs)[0]
open(t + "/cert.der", "wb").write(der[c0:tlv(der, c0)[2]])
for a in kids(der, attrs):
    oid, vals = kids(der, a)
    if der[oid:tlv(der, oid)[2]] == bytes.fromhex("06092a864886f70d010904"):
        _, s, e = tlv(der, kids(der, vals)[0])
        open(t + "/md.hex", "w").write(der[s:e].hex())
open(t + "/br", "w").write(" ".join(map(str, br)))
PY
openssl x509 -inform DER -in "$T/cert.der" -pubkey -noout >"$T/pub.pem"
run 0 openssl dgst -sm3 -verify "$T/pub.pem" -sigopt distid:1234567812345678 -signature "$T/sig.bin" "$T/attrs.der"
has "$OUT" "Verified OK"
read -r b0 b1 b2 b3 <"$T/br"
md=$( (dd if="$G" bs=1 count="$b1" status=none; dd if="$G" bs=1 skip="$b2" count="$b3" status=none) |
    openssl dgst -sm3 -r | cut -d' ' -f1)
eq "$md" "$(cat "$T/md.hex")" "messageDigest is SM3 of the ByteRange bytes"

# red_at PDF PAGE X0 Y0 X1 Y1: seal-red pixels inside the box (points at 72 dpi, from the top-left
# of the shown page) and hardly any outside it ($UPW: the user password of an encrypted PDF).
red_at() {
    pdftoppm ${UPW:+-upw "$UPW"} -r 72 -f "$2" -l "$2" "$1" "$T/r" >/dev/null 2>&1
    python3 - "$(ls "$T"/r-*"$2".ppm | head -1)" "$3" "$4" "$5" "$6" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
parts = d.split(maxsplit=4)
w, h = int(parts[1]), int(parts[2])
px = parts[4][1:] if parts[4][:1].isspace() else parts[4]
px = d[len(d) - w * h * 3:]
x0, y0, x1, y1 = map(float, sys.argv[2:6])
inside = outside = 0
for y in range(h):
    for x in range(w):
        r, g, b = px[(y * w + x) * 3:(y * w + x) * 3 + 3]
        if r > 150 and g < 100 and b < 100:
            if x0 - 2 <= x <= x1 + 2 and y0 - 2 <= y <= y1 + 2:
                inside += 1
            else:
                outside += 1
print(inside, outside)
sys.exit(0 if inside > 50 and outside < inside / 20 else 1)
PY
    local st=$?
    rm -f "$T"/r-*.ppm
    return $st
}
mm() { python3 -c "print($1 * 72 / 25.4)"; }
TWO=$P/unsigned/pyhanko_minimal-two-pages.pdf
run 0 "$ESEAL" pdf sign "$TWO" "$T/at.pdf" "${SIGNER[@]}" --page 2 --x 30 --y 3
red_at "$T/at.pdf" 2 "$(mm 30)" "$(mm 3)" "$(mm 72)" "$(mm 45)" && ok || fail "seal not at 30,3 mm on page 2"
red_at "$T/at.pdf" 1 0 0 0 0 && fail "seal on page 1 too" || ok
# a page rotated by 90 degrees: shown 144 x 300 pt
qpdf --rotate=+90:1 "$TWO" "$T/rot.pdf"
run 0 "$ESEAL" pdf sign "$T/rot.pdf" "$T/rot-signed.pdf" "${SIGNER[@]}" --page 1 --x 3 --y 50
red_at "$T/rot-signed.pdf" 1 "$(mm 3)" "$(mm 50)" "$(mm 45)" "$(mm 92)" && ok || fail "seal misplaced on the rotated page"
run 0 "$ESEAL" pdf verify "$T/rot-signed.pdf" "${V[@]}"
# cross-page: each page shows its half at the right edge
run 0 "$ESEAL" pdf sign "$TWO" "$T/cross.pdf" "${SIGNER[@]}" --cross-page --y 3
red_at "$T/cross.pdf" 1 "$((300 - 60))" "$(mm 3)" 300 "$(mm 45)" && ok || fail "cross-page slice 1"
red_at "$T/cross.pdf" 2 "$((300 - 60))" "$(mm 3)" 300 "$(mm 45)" && ok || fail "cross-page slice 2"
run 0 "$ESEAL" pdf verify "$T/cross.pdf" "${V[@]}"
# --keyword: the seal lands on the page holding the text
run 0 "$ESEAL" pdf sign "$TWO" "$T/kw.pdf" "${SIGNER[@]}" --keyword "Second Page"
run 0 "$ESEAL" pdf show "$T/kw.pdf"
has "$OUT" "signature 1: .*page 2,"
run 2 "$ESEAL" pdf sign "$TWO" "$T/kw2.pdf" "${SIGNER[@]}" --keyword "no such text"
has "$ERR" "not on any page"
# pades: EC P-256 and RSA-3072 signers under the SM2 CA; pdfsig validates, the seal shows.
run 2 "$ESEAL" pdf sign "$TWO" "$T/p.pdf" "${SIGNER[@]}" --page 1 --x 1 --y 1 --format pades
has "$ERR" "not SM2"
for alg in ec-p256 rsa3072; do
    "$ESEAL" key gen --alg $alg --out "$T/$alg.key" 2>/dev/null
    run 0 "$ESEAL" ca issue --dir "$T/ca" --profile signer --subject "CN=PAdES $alg,C=CN" --key "$T/$alg.key" --out "$T/$alg.pem"
    o=$T/pades-$alg.pdf
    run 0 "$ESEAL" pdf sign "$TWO" "$o" --image "$T/seal.png" --cert "$T/$alg.pem" --key "$T/$alg.key" \
        --page 2 --x 30 --y 3 --format pades --reason "PAdES $alg"
    cmp -s -n "$(stat -c %s "$TWO")" "$TWO" "$o" && ok || fail "$o does not start with $TWO"
    qpdf --check "$o" >/dev/null 2>&1 && ok || fail "qpdf --check $o"
    pdfsig "$o" >"$T/pdfsig.txt" 2>&1
    has "$T/pdfsig.txt" "Signature is Valid"
    has "$T/pdfsig.txt" "ETSI.CAdES.detached"
    run 0 "$ESEAL" pdf verify "$o" "${V[@]}"
    has "$OUT" "passed +signature.value"
    red_at "$o" 2 "$(mm 30)" "$(mm 3)" "$(mm 72)" "$(mm 45)" && ok || fail "pades seal not at 30,3 mm"
    run 2 "$ESEAL" pdf sign "$TWO" "$T/p.pdf" --image "$T/seal.png" --cert "$T/$alg.pem" --key "$T/$alg.key" --page 1 --x 1 --y 1
    has "$ERR" "SM2 key"
done
# pades with the seal's picture; the image streams are Flate-compressed
run 0 "$ESEAL" pdf sign "$TWO" "$T/pades-seal.pdf" --seal "$T/seal.esl" --cert "$T/ec-p256.pem" --key "$T/ec-p256.key" --page 1 --x 5 --y 5 --format pades
pdfsig "$T/pades-seal.pdf" >"$T/pdfsig.txt" 2>&1
has "$T/pdfsig.txt" "Signature is Valid"
tail -c +"$(($(stat -c %s "$TWO") + 1))" "$T/pades-seal.pdf" >"$T/update.bin"
grep -aq "/Subtype /Image.*/Filter /FlateDecode" "$T/update.bin" && ok || fail "image not Flate"
hasnt "$T/update.bin" "RunLengthDecode"

# Encrypted inputs (qpdf --encrypt): refused without or with a wrong password, nothing written;
# signed with the user password: the original bytes kept, qpdf reads and decrypts the update,
# the seal renders in place, eseal and (pades) pdfsig verify with the password.
export PDF_PW=USER PDF_OPW=OWNER PDF_BAD=wrong
for e in "--allow-weak-crypto --encrypt USER OWNER 40" "--encrypt USER OWNER 128 --use-aes=y" \
    "--encrypt USER OWNER 256"; do
    read -ra args <<<"$e"
    qpdf "${args[@]}" -- "$TWO" "$T/enc.pdf"
    rm -f "$T/enc-s.pdf"
    run 2 "$ESEAL" pdf sign "$T/enc.pdf" "$T/enc-s.pdf" "${SIGNER[@]}" --page 2 --x 30 --y 3
    has "$ERR" "password"
    run 2 "$ESEAL" pdf sign "$T/enc.pdf" "$T/enc-s.pdf" "${SIGNER[@]}" --page 2 --x 30 --y 3 --password-env PDF_BAD
    has "$ERR" "password missing or wrong"
    [ -e "$T/enc-s.pdf" ] && fail "$e: output written with a wrong password" || ok
    run 0 "$ESEAL" pdf sign "$T/enc.pdf" "$T/enc-s.pdf" "${SIGNER[@]}" --page 2 --x 30 --y 3 --password-env PDF_PW
    cmp -s -n "$(stat -c %s "$T/enc.pdf")" "$T/enc.pdf" "$T/enc-s.pdf" && ok || fail "$e: prefix"
    qpdf --check --password=USER "$T/enc-s.pdf" >/dev/null 2>&1 && ok || fail "$e: qpdf --check"
    qpdf --password=USER --decrypt --qdf --object-streams=disable "$T/enc-s.pdf" "$T/dec.pdf" && ok || fail "$e: decrypt"
    has "$T/dec.pdf" "/T \(Signature1\)"
    UPW=USER red_at "$T/enc-s.pdf" 2 "$(mm 30)" "$(mm 3)" "$(mm 72)" "$(mm 45)" && ok || fail "$e: seal not shown at 30,3 mm"
    run 0 "$ESEAL" pdf verify "$T/enc-s.pdf" "${V[@]}" --password-env PDF_PW
    has "$OUT" "passed +signature.value"
    run 1 "$ESEAL" pdf verify "$T/enc-s.pdf" "${V[@]}"
    has "$OUT" "failed +pdf.read"
    run 2 "$ESEAL" pdf verify "$T/enc-s.pdf" "${V[@]}" --password-env ESEAL_UNSET_VARIABLE
    has "$ERR" "ESEAL_UNSET_VARIABLE is not set"
    run 0 "$ESEAL" pdf show "$T/enc-s.pdf" --password-env PDF_OPW
    has "$OUT" "encrypted"
    has "$OUT" "signature 1: "
    run 2 "$ESEAL" pdf show "$T/enc-s.pdf" --password-env ESEAL_UNSET_VARIABLE
    has "$ERR" "ESEAL_UNSET_VARIABLE is not set"
    run 0 "$ESEAL" pdf sign "$T/enc.pdf" "$T/enc-p.pdf" --image "$T/seal.png" --cert "$T/ec-p256.pem" \
        --key "$T/ec-p256.key" --page 1 --x 5 --y 5 --format pades --password-env PDF_OPW
    pdfsig -upw USER "$T/enc-p.pdf" >"$T/pdfsig.txt" 2>&1
    has "$T/pdfsig.txt" "Signature is Valid"
done
# another security handler (public-key ones look the same to eseal): not supported
sed 's#/Filter /Standard#/Filter /PubSecZZ#' "$T/enc.pdf" >"$T/pubsec.pdf"
run 2 "$ESEAL" pdf sign "$T/pubsec.pdf" "$T/pubsec-s.pdf" "${SIGNER[@]}" --page 1 --x 5 --y 5 --password-env PDF_PW
has "$ERR" "not supported"

# Two signers, the first certifies; a changed byte is reported.
run 0 "$ESEAL" pdf sign "$TWO" "$T/c1.pdf" "${SIGNER[@]}" --page 1 --x 1 --y 1 --certify 2 --reason 审批
run 0 "$ESEAL" pdf sign "$T/c1.pdf" "$T/c2.pdf" "${SIGNER[@]}" --page 2 --x 1 --y 1 --format ses
run 0 "$ESEAL" pdf verify "$T/c2.pdf" "${V[@]}" --json
has "$OUT" '"detail": "whole_revision'
cp "$T/c2.pdf" "$T/bad.pdf"
printf 'X' | dd of="$T/bad.pdf" bs=1 seek=600 conv=notrunc status=none
run 1 "$ESEAL" pdf verify "$T/bad.pdf" "${V[@]}"
has "$OUT" "failed +data.hash"
finish
