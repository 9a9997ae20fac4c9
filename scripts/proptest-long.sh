#!/usr/bin/env bash
# The long property-test run: 10,000 cases per property (CI runs 256).
set -euo pipefail
cd "$(dirname "$0")/.."
PROPTEST_CASES=${PROPTEST_CASES:-10000} cargo test --release -p statelab-sim --test properties
