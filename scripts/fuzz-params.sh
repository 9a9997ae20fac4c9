#!/usr/bin/env bash
# Fuzzes the URL parser and the link decoder with cargo fuzz (libFuzzer + AddressSanitizer):
# a million runs by default, none may panic or leave a setting out of range. Not run in CI.
#
# cargo fuzz passes -Z flags to rustc; no nightly toolchain can be fetched on this network, so
# the stable compiler is told to accept them (RUSTC_BOOTSTRAP=1), for this build only.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-1000000}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version 0.13.2
export RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$PWD/target/fuzz"
cd fuzz
cargo fuzz run -O params -- -runs="$RUNS" -max_len=512
