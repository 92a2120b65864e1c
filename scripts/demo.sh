#!/usr/bin/env bash
# The run command's job until the server exists: show the CLI and walk through a CA, a seal,
# a signature and a revocation end to end. Usage: scripts/demo.sh [eseal] [seal-picture.png]
set -euo pipefail
eseal=${1:-build/tools/eseal}
picture=${2:-$(dirname "$0")/../../shared/samples/seal/StampImg.png}
work=$(mktemp -d /tmp/eseal-demo.XXXXXX)
export ESEAL_CA_PASS="demo-password-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
step() { printf '\n$ %s\n' "$*"; "$@"; }
trust=(--trust "$work/ca/root.pem" --untrusted "$work/ca/issuing.pem")

"$eseal" help
step "$eseal" ca init --dir "$work/ca" --subject "CN=eseal Demo Root CA,O=eseal,C=CN"
for who in maker signer; do
    step "$eseal" key gen --out "$work/$who.key" --pubout "$work/$who.pub"
done
step "$eseal" ca issue --dir "$work/ca" --profile maker --subject "CN=示例制章者,O=eseal,C=CN" \
    --pubkey "$work/maker.pub" --out "$work/maker.pem"
step "$eseal" ca issue --dir "$work/ca" --profile signer --subject "CN=张三,O=示例公司,C=CN" \
    --pubkey "$work/signer.pub" --out "$work/signer.pem"
step "$eseal" cert verify "$work/signer.pem" "${trust[@]}"
if [ -f "$picture" ]; then
    step "$eseal" seal make --maker-cert "$work/maker.pem" --maker-key "$work/maker.key" \
        --signer-cert "$work/signer.pem" --name "示例公司合同专用章" --type 4 \
        --valid-from "$(date -u +%F)" --valid-to "$(date -u -d '+1 year' +%F)" \
        --image "$picture" --out "$work/seal.esl"
    echo "the contract text" >"$work/contract.txt"
    step "$eseal" sign --seal "$work/seal.esl" --cert "$work/signer.pem" --key "$work/signer.key" \
        --in "$work/contract.txt" --out "$work/sig.dat"
    step "$eseal" verify "$work/sig.dat" "${trust[@]}" --data "$work/contract.txt"
else
    echo "(no seal picture at $picture: pass a PNG as the second argument for the seal steps)"
fi
step "$eseal" ca revoke --dir "$work/ca" --cert "$work/signer.pem" --reason keyCompromise
step "$eseal" ca crl --dir "$work/ca" --out "$work/crl.pem"
set +e
step "$eseal" cert verify "$work/signer.pem" "${trust[@]}" --crl "$work/crl.pem"
echo "(exit status $?: 1 means not valid)"
set -e
step "$eseal" dgst --sm3 "$work/signer.pem"
echo
echo "demo files are in $work"
