#!/usr/bin/env bash
# The plotted report of the reference plant opened in headless Chromium (Debian's `chromium`):
# its screenshot must show the page, not a blank. Skipped, saying so, where Chromium is not
# installed; .ci/run installs it when the machine can.
set -euo pipefail
cd "$(dirname "$0")/.."
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
    echo "report_in_chromium: skipped, Chromium is not installed"
    exit 0
fi
export CHROMIUM
cargo test --release --test integration -- --ignored --exact plots::report_renders_in_headless_chromium
