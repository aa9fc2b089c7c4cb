#!/usr/bin/env bash
# Runs the CSV import fuzz target for N seconds (default 600).
#   fuzz/run.sh [SECONDS]
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP lets it
# use the sanitizer flags it needs. Findings land in fuzz/artifacts/import_csv/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
export RUSTC_BOOTSTRAP=1
cargo fuzz run import_csv corpus/import_csv -- -max_total_time="$seconds" -max_len=65536 -timeout=20
