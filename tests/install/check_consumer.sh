#!/usr/bin/env bash
# ctest driver: builds tests/install/consumer against ember
#   installed:  check_consumer.sh install BUILD_DIR   (cmake --install into a temp prefix, then find_package)
#   source:     check_consumer.sh subdir  SOURCE_DIR  (add_subdirectory)
set -euo pipefail
mode=$1 where=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$mode" = install ]; then
  cmake --install "$where" --prefix "$tmp/prefix" >/dev/null
  cmake -S "$here/consumer" -B "$tmp/build" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
else
  cmake -S "$here/consumer" -B "$tmp/build" -G Ninja -DEMBER_SOURCE_DIR="$where" >/dev/null
fi
cmake --build "$tmp/build" >/dev/null
LD_LIBRARY_PATH="$tmp/prefix/lib:${LD_LIBRARY_PATH:-}" "$tmp/build/consumer"
echo "consumer ($mode) built and ran"
