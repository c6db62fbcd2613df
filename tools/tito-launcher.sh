#!/bin/sh
# tito — launcher installed by tools/setup.sh.
#
# Runs the tito built in the TinyTorch workspace you are in (the nearest
# folder at or above this one holding curriculum.json), so one command serves
# the instructor tree and any number of student trees.
dir=$(pwd -P)
while :; do
    if [ -f "$dir/curriculum.json" ]; then
        if [ -x "$dir/build/release/bin/tito" ]; then
            exec "$dir/build/release/bin/tito" "$@"
        fi
        echo "tito: the workspace $dir is not built yet; run $dir/tools/setup.sh" >&2
        exit 1
    fi
    [ "$dir" = "/" ] && break
    dir=$(dirname "$dir")
done
echo "tito: $(pwd) is not inside a TinyTorch workspace (no curriculum.json here or above); cd into one" >&2
exit 2
