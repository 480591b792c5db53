#!/usr/bin/env bash
# ctest gdb/step_through: runs gdb in batch mode on program/step_through.cpp
# (built -g -O0), stops in a backward formula, prints tensors through the
# pretty-printers that libember's .debug_gdb_scripts section auto-loads, calls
# ember_debug_print, and checks the text and that the user's main is on the stack.
#   check_gdb.sh PROGRAM SOURCE LIBEMBER_DIR        exit 77 (skipped) without gdb
set -uo pipefail
program=$1 source=$2 libdir=$3
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v gdb >/dev/null || ! gdb -batch -nx -ex 'python print(1)' >/dev/null 2>&1; then
  echo "SKIP: gdb (with Python) is not installed (scripts/setup installs it)"
  exit 77
fi
# A container without ptrace (e.g. docker without SYS_PTRACE) cannot debug anything: skip, saying why.
if ! probe=$(gdb -batch -nx -ex run --args /bin/true 2>&1) || grep -qiE "ptrace|not permitted" <<<"$probe"; then
  echo "SKIP: gdb cannot run a program here (ptrace refused): $probe"
  exit 77
fi
line=$(grep -n "BREAK HERE" "$source" | cut -d: -f1)
out=$(timeout 300 gdb -batch -nx -iex "add-auto-load-safe-path $libdir" \
        -ex "break $(basename "$source"):$line" -x "$here/commands.gdb" "$program" 2>&1)
echo "$out"
failed=0
expect() {  # expect SECTION TEXT: TEXT appears between "=== SECTION" and the next "==="
  local body
  body=$(awk -v s="=== $1" '$0 == s {on = 1; next} /^=== / {on = 0} on' <<<"$out")
  if ! grep -qF -- "$2" <<<"$body"; then
    echo "FAILED: section '$1' lacks: $2"
    failed=1
  fi
}
expect tensor '$1 = tensor([[ 0.2000,  4.0000, -7.0000],'
expect tensor '        [ 8.0000,  0.5000, 12.0000]], shape=[2, 3], dtype=float32, device=cpu, requires_grad=True, grad_fn=MulBackward)'
expect "debug print" '        [ 8.0000,  0.5000, 12.0000]], grad_fn=<MulBackward>)'
expect "debug print" 'shape=[2, 3] strides=[3, 1] offset=0 contiguous=true numel=6'
expect "debug print" 'grad_fn=MulBackward (#'
expect shape '= [2, 3]'
expect dtype '= float32'
expect device '= cpu'
expect grad '= tensor([[1., 1., 1.],'
expect node 'MulBackward #'
expect node 'recorded in mul, inputs: [AccumulateGrad #'
expect backtrace 'Square::backward'
expect backtrace 'ember::autograd::backward'
expect backtrace ' main () at '
# The printers must read memory only: the same values as the program's own printing.
[ "$failed" = 0 ] && echo "gdb/step_through: all checks passed"
exit "$failed"
