#!/usr/bin/env bash
# ctest driver: `pip install --no-build-isolation .` as the README says, offline
# (--no-index), from a copy of the tracked source files into a temp target;
# then the installed package trains a step and round-trips through NumPy.
#   check_pip.sh SOURCE_DIR PYTHON
set -euo pipefail
source_dir=$1 python=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src"
(cd "$source_dir" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$tmp/src"
# Build type None (no -O flags; setup.py's default is Release): this checks the
# packaging, not speed, and compiles in a quarter of -O3's time.
EMBER_CMAKE_ARGS="-DCMAKE_BUILD_TYPE=None" \
  "$python" -m pip install --quiet --no-build-isolation --no-deps --no-index --target "$tmp/site" "$tmp/src"
cd "$tmp"
PYTHONPATH="$tmp/site" "$python" - <<'PY'
import ember, numpy as np
assert ember.__file__.startswith(__import__("os").getcwd()), ember.__file__
model = ember.nn.Linear(3, 2)
loss = model(ember.from_numpy(np.ones((4, 3), dtype=np.float32))).sum()
loss.backward()
assert model.weight.grad.shape == (2, 3)
print("pip-installed ember works:", ember.__file__)
PY
