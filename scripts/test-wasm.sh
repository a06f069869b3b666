#!/usr/bin/env bash
# Runs the wasm tests in Node with wasm-bindgen-test-runner (wasm-bindgen-cli, same version as
# the wasm-bindgen crate): tests/wasm.rs (the Rust API on wasm32) and src/wasm/tests.rs (the raw
# JS bindings with bad input). Extra arguments go to cargo test, e.g. a test name filter.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER:-wasm-bindgen-test-runner}"
exec cargo test --target wasm32-unknown-unknown --lib --test wasm "$@"
