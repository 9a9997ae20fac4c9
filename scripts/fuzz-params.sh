#!/usr/bin/env bash
# Long fuzz run of the URL parser and link decoder: a million cases per property (CI runs 256).
# Uses proptest on the stable toolchain (cargo fuzz needs nightly, which this machine cannot get).
set -euo pipefail
cd "$(dirname "$0")/.."
PROPTEST_CASES=${PROPTEST_CASES:-1000000} cargo test --release -p statelab --test params_fuzz
