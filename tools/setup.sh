#!/usr/bin/env bash
# tools/setup.sh — set up a TinyTorch C++ workspace and run the main job.
#
#   1. installs what tools/dependencies.txt lists, with apt-get when this user
#      can (root or sudo); otherwise prints the exact command and stops;
#   2. configures and builds everything with the "default" CMake preset;
#   3. installs the `tito` command (a launcher that runs the tito of whichever
#      workspace you are in) into /usr/local/bin as root, else ~/.local/bin;
#   4. runs the main job. In the instructor tree (it holds tests/hidden): the
#      tests of every module on the reference solutions, then milestone 04
#      part 1, the CNN on TinyDigits. In a student tree: `tito module status`.
#
# Options: --deps-only (step 1 only), --no-run (steps 1-3).
# Environment: TINYTORCH_WERROR=ON treats compiler warnings as errors (CI).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

deps_only=0
run_main_job=1
for arg in "$@"; do
    case "$arg" in
        --deps-only) deps_only=1 ;;
        --no-run) run_main_job=0 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "setup.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    esac
done

# --- 1. dependencies --------------------------------------------------------
# Packages of kinds "tool" and "package" are required; "optional" ones too
# when apt can install them (they enable benchmarks, nothing else).
required=$(awk '$1 == "tool" || $1 == "package" { print $3 }' tools/dependencies.txt)
optional=$(awk '$1 == "optional" { print $3 }' tools/dependencies.txt)
missing=()
for package in $required $optional; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        apt_get=(apt-get)
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        apt_get=(sudo apt-get)
    else
        echo "TinyTorch needs these Debian packages: ${missing[*]}" >&2
        echo "Install them with:" >&2
        echo "    sudo apt-get install -y ${missing[*]}" >&2
        echo "then run tools/setup.sh again." >&2
        exit 1
    fi
    echo "==> Installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${apt_get[@]}" update -qq
    "${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}"
fi
[ "$deps_only" -eq 1 ] && exit 0

# --- 2. build ---------------------------------------------------------------
# ccache keys on paths relative to the build folder, so other trees (a
# released student tree, a grading scratch tree) reuse these objects.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-/}"
echo "==> Building (cmake --preset default; this takes a few minutes the first time)"
cmake --preset default -DTINYTORCH_WERROR="${TINYTORCH_WERROR:-OFF}" >/dev/null
cmake --build --preset default

# --- 3. the tito command ----------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then bin_dir=/usr/local/bin; else bin_dir="$HOME/.local/bin"; fi
mkdir -p "$bin_dir"
install -m 755 tools/tito-launcher.sh "$bin_dir/tito"
echo "==> Installed the tito command in $bin_dir"
case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) echo "    $bin_dir is not on your PATH; add it with:  export PATH=\"$bin_dir:\$PATH\"" ;;
esac
tito="$bin_dir/tito"
[ "$run_main_job" -eq 1 ] || exit 0

# --- 4. the main job ----------------------------------------------------------
if [ -d tests/hidden ]; then
    echo "==> Instructor tree: every module's tests on the reference, then milestone 04 part 1"
    "$tito" module test --all
    "$tito" milestone run 04 --part 1
else
    "$tito" module status
fi
