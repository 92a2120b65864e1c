#!/usr/bin/env bash
# The run command's job until the server exists: show the CLI and walk through a CA end to end.
set -euo pipefail
eseal=${1:-build/tools/eseal}
work=$(mktemp -d /tmp/eseal-demo.XXXXXX)
export ESEAL_CA_PASS="demo-password-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
step() { printf '\n$ %s\n' "$*"; "$@"; }

"$eseal" help
step "$eseal" ca init --dir "$work/ca" --subject "CN=eseal Demo Root CA,O=eseal,C=CN"
step "$eseal" key gen --out "$work/maker.key" --pubout "$work/maker.pub"
step "$eseal" ca issue --dir "$work/ca" --profile maker --subject "CN=示例制章者,O=eseal,C=CN" \
    --pubkey "$work/maker.pub" --out "$work/maker.pem"
step "$eseal" cert verify "$work/maker.pem" --trust "$work/ca/root.pem" --untrusted "$work/maker-chain.pem"
step "$eseal" ca revoke --dir "$work/ca" --cert "$work/maker.pem" --reason superseded
step "$eseal" ca crl --dir "$work/ca" --out "$work/crl.pem"
set +e
step "$eseal" cert verify "$work/maker.pem" --trust "$work/ca/root.pem" \
    --untrusted "$work/maker-chain.pem" --crl "$work/crl.pem"
echo "(exit status $?: 1 means not valid)"
set -e
step "$eseal" dgst --sm3 "$work/maker.pem"
echo
echo "demo files are in $work"
