#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up a Debian 12 machine for Rubric (as root: installs only what is missing), builds it, and
# then runs the demo (`tools/build.sh demo`) or every test (`tools/build.sh test`).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(g++ cmake ninja-build ccache pkg-config python3
          antlr4 default-jre-headless libantlr4-runtime-dev uuid-dev
          libfmt-dev catch2 libsimdjson-dev libre2-dev libutf8proc-dev libcli11-dev llvm-19-dev
          libeigen3-dev nlohmann-json3-dev zlib1g-dev libzstd-dev
          clang-19 libclang-rt-19-dev libfuzzer-19-dev
          pybind11-dev python3-pybind11 python3-dev python3-pandas python3-distributed python3-pytest
          python3-venv python3-setuptools python3-wheel)

# The tests also open `rubric evaluate`'s HTML report in a headless browser, and compress lead files.
[ "${1:-demo}" = test ] && PACKAGES+=(chromium zstd gzip)

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

# RUBRIC_BUILD_LOCK=FILE: every build step holds this lock (for machines where builds take turns).
locked() {
  if [ -n "${RUBRIC_BUILD_LOCK:-}" ]; then flock "$RUBRIC_BUILD_LOCK" "$@"; else "$@"; fi
}

# ccache: paths relative to the checkout and no working directory in the hash, so a fresh clone
# elsewhere (as CI makes) reuses what earlier builds on this machine compiled.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true

echo "== building"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
locked cmake --build build -j"$(nproc)"

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
    status=0
    ctest --test-dir build --output-on-failure -j"$(nproc)" || status=1
    # The safety net (issue 9). Fuzzing: every libFuzzer target of tests/fuzz for
    # RUBRIC_FUZZ_SECONDS (default 60) each, after replaying every regression input and seed.
    echo "== fuzzing: build-fuzz (clang-19, libFuzzer + ASan + UBSan)"
    time_fuzz=$SECONDS
    CC=clang-19 CXX=clang++-19 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRUBRIC_FUZZ=ON >/dev/null
    if locked cmake --build build-fuzz -j"$(nproc)" --target fuzz; then
      ctest --test-dir build-fuzz --output-on-failure -j"$(nproc)" || status=1
      tests/fuzz/run.sh build-fuzz "${RUBRIC_FUZZ_SECONDS:-60}" || status=1
    else
      status=1
    fi
    echo "== fuzzing took $((SECONDS - time_fuzz))s"
    # Sanitizers: the whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
    echo "== sanitizers: build-asan (g++, -fsanitize=address,undefined)"
    time_asan=$SECONDS
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRUBRIC_SANITIZE=ON >/dev/null
    if locked cmake --build build-asan -j"$(nproc)"; then
      ctest --test-dir build-asan --output-on-failure -j"$(nproc)" || status=1
    else
      status=1
    fi
    echo "== sanitizers took $((SECONDS - time_asan))s"
    exit $status
    ;;
  *)
    echo "usage: tools/build.sh [demo|test]" >&2
    exit 2
    ;;
esac
