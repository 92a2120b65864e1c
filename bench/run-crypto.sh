#!/usr/bin/env bash
# Run eseal's crypto benchmark and `openssl speed` in the same run, one core each, and print
# the ratios (eseal / openssl). Usage: bench/run-crypto.sh [path/to/bench_crypto] [seconds]
set -euo pipefail
bench=${1:-build/bench/bench_crypto}
secs=${2:-3}

ours=$(taskset -c 0 "$bench" "$secs")
get() { awk -v k="$1" '$1 == k { print $2 }' <<<"$ours"; }

sm2=$(taskset -c 0 openssl speed -mr -seconds "$secs" sm2 2>/dev/null | awk -F: '/^\+F7:/ { print $5, $6 }')
sm3=$(taskset -c 0 openssl speed -mr -seconds "$secs" -bytes 16384 -evp sm3 2>/dev/null | awk -F: '/^\+F:/ { print $4 / 1e6 }')
sm4=$(taskset -c 0 openssl speed -mr -seconds "$secs" -bytes 16384 -evp sm4-cbc 2>/dev/null | awk -F: '/^\+F:/ { print $4 / 1e6 }')

row() { awk -v n="$1" -v a="$2" -v b="$3" -v u="$4" 'BEGIN { printf "%-12s %12.1f %12.1f %-5s %6.2fx\n", n, a, b, u, a / b }'; }
echo "$(openssl version | cut -d' ' -f1-2), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), one core, ${secs}s each"
printf "%-12s %12s %12s %-5s %7s\n" "operation" "eseal" "openssl" "unit" "ratio"
row "SM2 sign" "$(get sm2_sign_per_s)" "${sm2% *}" "op/s"
row "SM2 verify" "$(get sm2_verify_per_s)" "${sm2#* }" "op/s"
row "SM3" "$(get sm3_mb_per_s)" "$sm3" "MB/s"
row "SM4-CBC" "$(get sm4_cbc_mb_per_s)" "$sm4" "MB/s"
