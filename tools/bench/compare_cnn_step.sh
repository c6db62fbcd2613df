#!/usr/bin/env bash
# compare_cnn_step.sh — the same CNN training step in TinyTorch C++ and in
# PyTorch (Debian's python3-torch), in one run, with the ratio.
#
#     tools/bench/compare_cnn_step.sh [--steps 50]
#
# Both sides use every core of the machine. Ratio < 1 means TinyTorch is faster.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
steps=50
[ "${1:-}" = "--steps" ] && steps=$2
bench="$root/build/release/bin/cnn_step_benchmark"
cmake --build "$root/build/release" --target cnn_step_benchmark >/dev/null
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
    echo "PyTorch is not installed (sudo apt-get install python3-torch); TinyTorch alone:"
    "$bench" --steps "$steps"
    exit 0
fi
ours=$("$bench" --steps "$steps")
theirs=$(/usr/bin/python3 "$root/tools/bench/cnn_step_pytorch.py" --steps "$steps")
printf '%-12s %14s %14s %8s\n' network "TinyTorch ms" "PyTorch ms" ratio
while read -r name ms threads; do
    torch_ms=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$theirs")
    awk -v n="$name" -v a="$ms" -v b="$torch_ms" -v t="$threads" \
        'BEGIN { printf "%-12s %14.2f %14.2f %7.2fx   (%d threads)\n", n, a, b, a / b, t }'
done <<<"$ours"
