#!/usr/bin/env bash
# ctest driver: builds tests/install/consumer against ember
#   installed:  check_consumer.sh install BUILD_DIR   (cmake --install into a temp prefix, then find_package)
#   source:     check_consumer.sh subdir  SOURCE_DIR  (add_subdirectory)
set -euo pipefail
mode=$1 where=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
quiet() {  # runs a step, printing its output only when it fails
  "$@" >"$tmp/log" 2>&1 || { cat "$tmp/log"; echo "FAILED: $*"; exit 1; }
}
if [ "$mode" = install ]; then
  quiet cmake --install "$where" --prefix "$tmp/prefix"
  quiet cmake -S "$here/consumer" -B "$tmp/build" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix"
else
  # Build type None (no -O flags): this checks that ember builds and links as a
  # subproject, not its speed, and compiles in a quarter of Release's -O3 time
  # (which alone took over 10 minutes on 2 cores).
  quiet cmake -S "$here/consumer" -B "$tmp/build" -G Ninja -DEMBER_SOURCE_DIR="$where" -DCMAKE_BUILD_TYPE=None
fi
# Only what the consumer links (with add_subdirectory: libember, compiled afresh).
quiet cmake --build "$tmp/build" --target consumer
# As a user runs it: no LD_LIBRARY_PATH. The consumer finds libember through
# CMake's build run path, libember its CUDA libraries through its own.
env -u LD_LIBRARY_PATH "$tmp/build/consumer"
echo "consumer ($mode) built and ran"
