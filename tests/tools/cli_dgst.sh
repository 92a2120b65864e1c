# eseal dgst --sm3 prints what `openssl dgst -sm3 -r` prints, for any size, and fails clearly.
. "$(dirname "$0")/lib.sh.inc"

: >"$T/empty"
printf abc >"$T/abc"
head -c 5000000 /dev/urandom >"$T/big"
cp "$ESEAL_SAMPLES/seal/UserV4.esl" "$T/seal.esl"
for f in empty abc big seal.esl; do
    run 0 "$ESEAL" dgst --sm3 "$T/$f"
    same "$OUT" <(openssl dgst -sm3 -r "$T/$f")
done
run 0 "$ESEAL" dgst --sm3 "$T/abc"
has "$OUT" "^66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0 \*"
run 0 "$ESEAL" dgst --sm3 "$T/abc" "$T/empty"
eq "$(wc -l <"$OUT")" 2 "one line per file"
"$ESEAL" dgst --sm3 <"$T/abc" >"$OUT"
has "$OUT" "^66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0 \*stdin$"
run 2 "$ESEAL" dgst --sm3 "$T/missing" "$T/abc"
has "$ERR" "cannot open .*missing"
has "$OUT" "^66c7f0f4.* \*.*abc$"
finish
