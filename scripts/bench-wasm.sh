#!/usr/bin/env bash
# The simulation's speed as WebAssembly in headless Chromium against native, same workload
# (64 servers, 10,000 users, 100,000 requests/s, stateless; 1 s warm-up, 5 s measured).
# Prints both sets of figures and their ratio. A benchmark, not a test: nothing asserts on time.
#
#   scripts/bench-wasm.sh            # wasm built with the release profile (opt-level "z")
#   scripts/bench-wasm.sh bench      # wasm built with the bench profile (opt-level 3), for contrast
#
# The release profile optimises for size (opt-level "z"): that is what Trunk ships, so the
# default run measures the speed the web page really gets. Native `cargo bench` uses the bench
# profile (opt-level 3). Both builds are long on a small machine; they run one after the other.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
PROFILE=${1:-release}

say() { printf '\n=== %s ===\n' "$*"; }
# The number on the first line of $1 that contains $2 (thousands as printed, no separators).
figure() { grep -m1 -- "$2" <<<"$1" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) { print $i; exit } }'; }

say "wasm (profile $PROFILE) in headless Chromium"
# `--profile release` is what `cargo test --release` does; cargo's "Finished" line names it.
wasm=$(CHROMEDRIVER=/usr/bin/chromedriver cargo test --profile "$PROFILE" --target wasm32-unknown-unknown \
  -p statelab --test wasm_bench -- --nocapture 2>&1) || { echo "$wasm"; exit 1; }
grep -E "^(wasm |  [a-z])|Finished|test result" <<<"$wasm"

say "native (cargo bench -p statelab-sim --bench throughput)"
native=$(cargo bench -p statelab-sim --bench throughput 2>&1) || { echo "$native"; exit 1; }
grep -E "^([a-z]|  [a-z])|Finished" <<<"$native"

say "wasm / native"
for key in "agenda steps" "logged events" "requests issued" "requests completed"; do
  w=$(figure "$wasm" "$key")
  n=$(figure "$native" "$key")
  awk -v k="$key" -v w="$w" -v n="$n" 'BEGIN { printf "  %-20s wasm %12.0f /s  native %12.0f /s  wasm/native %.2f\n", k, w, n, w / n }'
done
w=$(grep -m1 "mean cost" <<<"$wasm" | awk '{ print $3 }')
n=$(grep -m1 "mean cost" <<<"$native" | awk '{ print $3 }')
awk -v w="$w" -v n="$n" 'BEGIN { printf "  %-20s wasm %10.1f µs  native %10.1f µs  wasm/native %.2f\n", "snapshot(1000)", w, n, w / n }'
