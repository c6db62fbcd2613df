#!/usr/bin/env bash
# tools/test.sh — the whole test suite, as CI runs it.
#
#   1. default preset: every test (modules visible and hidden, integration,
#      tito, the release round trip and the student journey);
#   2. sanitize preset: the module libraries and their tests under
#      AddressSanitizer and UndefinedBehaviorSanitizer (AVX2 kernels);
#   3. portable preset: module 01's tests on the portable kernels.
#
# Build trees are reused between runs, and ccache (base_dir=/) lets the
# student trees the tests build reuse objects compiled here.
# Environment: TINYTORCH_WERROR=ON treats compiler warnings as errors (CI).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export CCACHE_BASEDIR=/
werror=-DTINYTORCH_WERROR="${TINYTORCH_WERROR:-OFF}"

stage() { printf '\n==> %s\n' "$*"; }

stage "Release build: all tests"
cmake --preset default "$werror" >/dev/null
cmake --build --preset default
ctest --preset default

stage "Sanitizer build (ASan + UBSan): module libraries and their tests"
cmake --preset sanitize "$werror" >/dev/null
cmake --build --preset sanitize
ctest --preset sanitize

stage "Portable build: module 01 on the portable kernels"
cmake --preset portable "$werror" >/dev/null
cmake --build --preset portable
ctest --preset portable

stage "All test stages passed"
