# eseal image round / oval / square / import, and seal make taking its size from the picture.
. "$(dirname "$0")/lib.sh.inc"

NAME=北京示例科技有限公司
run 0 "$ESEAL" image round --name "$NAME" --text 合同专用章 --code 15010200000001 --dpi 200 --out "$T/r.png"
has "$OUT" "42.0 x 42.0 mm"
# One ink at 256 opacities: an 8-bit palette PNG (colour type 3), well under 50 kB at 600 dpi
# (an RGBA encoding was 94 kB).
eq "$(od -An -tu1 -j25 -N1 "$T/r.png" | tr -d ' ')" 3 "colour type of a generated PNG"
run 0 "$ESEAL" image round --name 测试有限公司 --out "$T/d.png"
has "$OUT" "42.0 x 42.0 mm"
[ "$(stat -c %s "$T/d.png")" -lt 50000 ] && ok || fail "default round seal is $(stat -c %s "$T/d.png") bytes"
run 0 "$ESEAL" image round --name "$NAME" --dpi 200 --out "$T/r2.png"
run 0 "$ESEAL" image round --name "$NAME" --dpi 200 --out "$T/r3.png"
same "$T/r2.png" "$T/r3.png"
run 0 "$ESEAL" image round --name "$NAME" --diameter-mm 38 --out "$T/r.svg"
has "$T/r.svg" 'width="38mm" height="38mm"'
python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$T/r.svg" && ok || fail "SVG is not XML"
run 0 "$ESEAL" image oval --name "$NAME" --tax-id 91110108MA01ABCDEF --dpi 200 --out "$T/o.png"
has "$OUT" "40.0 x 30.0 mm"
run 0 "$ESEAL" image square --name 张三 --dpi 200 --out "$T/s.png"
has "$OUT" "(19.9|20.0) x (19.9|20.0) mm"
run 0 "$ESEAL" image import "$T/r.png" --diameter-mm 40 --dpi 200 --out "$T/i.png"
has "$OUT" "40.0 x 40.0 mm"
has "$OUT" "^source-sm3: $("$ESEAL" dgst --sm3 "$T/r.png" | cut -c1-64)"
eq "$(od -An -tu1 -j25 -N1 "$T/i.png" | tr -d ' ')" 3 "colour type of an imported PNG"

# Refusals: exit 2 with a reason, and no output file.
run 2 "$ESEAL" image round --name "$NAME$NAME$NAME$NAME" --out "$T/x.png"
has "$ERR" "does not fit legibly"
run 2 "$ESEAL" image round --name "$NAME" --out "$T/x.gif"
has "$ERR" "png or .svg"
run 2 "$ESEAL" image round --name "$NAME" --diameter-mm 80 --out "$T/x.png"
run 2 "$ESEAL" image round --out "$T/x.png"
has "$ERR" "--name"
run 2 "$ESEAL" image oval --name "$NAME" --tax-id 12 --out "$T/x.png"
has "$ERR" "tax ID"
run 2 "$ESEAL" image square --name 欧阳小明明 --out "$T/x.png"
head -c 3000 /dev/urandom >"$T/junk.jpg"
run 2 "$ESEAL" image import "$T/junk.jpg" --out "$T/x.png"
has "$ERR" "neither a PNG nor a JPEG"
run 2 "$ESEAL" image import "$T/missing.png" --out "$T/x.png"
run 2 "$ESEAL" image import "$T/r.png" --out "$T/x.svg"
[ ! -e "$T/x.png" ] && [ ! -e "$T/x.svg" ] && ok || fail "output written despite a refusal"
run 0 "$ESEAL" image round --help
has "$OUT" "usage: eseal image round"

# A seal made from a generated picture without --width-mm/--height-mm takes 42 x 42 mm.
export ESEAL_CA_PASS=image-test
"$ESEAL" ca init --dir "$T/ca" --subject "CN=Image Test Root,C=CN" >/dev/null
"$ESEAL" key gen --out "$T/maker.key" 2>/dev/null
"$ESEAL" key gen --out "$T/signer.key" 2>/dev/null
"$ESEAL" ca issue --dir "$T/ca" --profile maker --subject "CN=制章者,C=CN" --key "$T/maker.key" --out "$T/maker.pem" >/dev/null
"$ESEAL" ca issue --dir "$T/ca" --profile signer --subject "CN=张三,C=CN" --key "$T/signer.key" --out "$T/signer.pem" >/dev/null
from=$(date -u -d yesterday +%F)
to=$(date -u -d '+1 year' +%F)
MAKE=("$ESEAL" seal make --maker-cert "$T/maker.pem" --maker-key "$T/maker.key" --signer-cert "$T/signer.pem" --name "${NAME}合同专用章" --type 4 --valid-from "$from" --valid-to "$to")
VER=(--trust "$T/ca/root.pem" --untrusted "$T/ca/issuing.pem")
for pic in r.png r.svg o.png i.png; do
    run 0 "${MAKE[@]}" --image "$T/$pic" --out "$T/$pic.esl"
    run 0 "$ESEAL" verify "$T/$pic.esl" "${VER[@]}"
    has "$OUT" "^status: valid"
done
run 0 "$ESEAL" seal show "$T/r.png.esl"
has "$OUT" "widthMM: 42$"; has "$OUT" "heightMM: 42$"
run 0 "$ESEAL" seal show "$T/r.svg.esl"
has "$OUT" "widthMM: 38$"
run 0 "$ESEAL" seal show "$T/o.png.esl"
has "$OUT" "widthMM: 40$"; has "$OUT" "heightMM: 30$"
run 0 "${MAKE[@]}" --image "$T/r.png" --width-mm 30 --height-mm 30 --out "$T/given.esl"
run 0 "$ESEAL" seal show "$T/given.esl"
has "$OUT" "widthMM: 30$"
finish
