#!/usr/bin/env bash
# Sets up a Debian 12 machine for Rubric (as root: installs only what is missing), builds it, and
# then runs the demo (`tools/build.sh demo`) or every test (`tools/build.sh test`).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(g++ cmake ninja-build ccache pkg-config python3
          antlr4 default-jre-headless libantlr4-runtime-dev uuid-dev
          libfmt-dev catch2 libsimdjson-dev libre2-dev libcli11-dev llvm-19-dev)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "== building"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

case "${1:-demo}" in
  demo)
    echo "== rubric check examples/b2b/b2b.rubric"
    ./build/tools/rubric/rubric check examples/b2b/b2b.rubric
    echo "== rubric score (first 10 leads, with the rules that gave points)"
    ./build/tools/rubric/rubric score examples/b2b/b2b.rubric --input examples/b2b/leads.jsonl \
      --as-of 2026-11-01 --explain --output build/b2b-scores.csv
    head -n 11 build/b2b-scores.csv
    echo "== all 300 rows: build/b2b-scores.csv"
    ;;
  test)
    ctest --test-dir build --output-on-failure -j"$(nproc)"
    ;;
  *)
    echo "usage: tools/build.sh [demo|test]" >&2
    exit 2
    ;;
esac
