#!/usr/bin/env bash
# Installs what building and testing edge-jwt needs. Idempotent: when everything is present it
# only checks (a second or two) and prints nothing.
#   scripts/setup.sh          toolchain + npm dev dependencies (enough for `npm run build`/`bench`)
#   scripts/setup.sh --test   also Chromium for the browser tests (Debian packages, via apt-get)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

want_browser=0
[[ "${1:-}" == "--test" ]] && want_browser=1

say() { echo "setup: $*" >&2; }

# 1. The wasm target of the one rustup toolchain.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown >&2
fi

# 2. wasm-bindgen CLI: must equal the wasm-bindgen crate version in Cargo.lock (pinned with =).
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock 2>/dev/null || true)
wb_version=${wb_version:-0.2.130}
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wb_version" ]]; then
  say "installing wasm-bindgen-cli $wb_version (takes a few minutes once)"
  # Not --locked: the CLI's own lock file pins crates that no longer build on this toolchain.
  cargo install wasm-bindgen-cli --version "$wb_version" --force >&2
fi

# 3. npm dev dependencies, reinstalled when package-lock.json changed since the last `npm ci`.
stamp=node_modules/.edge-jwt-setup-stamp
lock_sum=$( (sha256sum package-lock.json package.json | sha256sum | cut -d' ' -f1) )
if [[ ! -f $stamp || "$(cat "$stamp")" != "$lock_sum" ]]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock_sum" > "$stamp"
fi

# 4. Chromium for the browser tests (playwright-core drives it; its own browser download cannot work here).
if (( want_browser )) && [[ ! -x /usr/bin/chromium ]]; then
  say "installing chromium + chromium-driver (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >&2
fi
