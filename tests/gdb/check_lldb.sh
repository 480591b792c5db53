#!/usr/bin/env bash
# ctest lldb/step_through: tools/lldb/ember_formatters.py on the gdb test's
# program, stopped in the same backward formula. Exit 77 (skipped) without a
# working lldb with Python (Debian: apt-get install lldb python3-lldb-14).
#   check_lldb.sh PROGRAM SOURCE
set -uo pipefail
program=$1 source=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
# Debian's lldb 14 reports a wrong Python path (lldb -P); point it at the real one.
for dir in /usr/lib/llvm-*/lib/python3.*/dist-packages; do [ -d "$dir/lldb" ] && export PYTHONPATH=$dir; done
if ! command -v lldb >/dev/null || ! lldb -b -o 'script print("py" + "ok")' 2>&1 | grep -q pyok; then
  echo "SKIP: lldb with Python is not installed"
  exit 77
fi
# A container without ptrace cannot debug anything: skip, saying why.
if ! probe=$(lldb -b -o run /bin/true 2>&1) || ! grep -q "exited with status = 0" <<<"$probe"; then
  echo "SKIP: lldb cannot run a program here (ptrace refused?): $probe"
  exit 77
fi
line=$(grep -n "BREAK HERE" "$source" | cut -d: -f1)
out=$(timeout 300 lldb -b -o "command script import $root/tools/lldb/ember_formatters.py" \
        -o "breakpoint set -f $(basename "$source") -l $line" -o run -o "frame variable x" \
        -o "print x.impl_.p_->sizes_" -o "print x.impl_.p_->storage_.p_->device_" -o "bt" -o kill "$program" 2>&1)
echo "$out"
failed=0
for text in '(ember::Tensor) x = tensor([[ 0.2000,  4.0000, -7.0000],' \
            '[ 8.0000,  0.5000, 12.0000]], shape=[2, 3], dtype=float32, device=cpu, requires_grad=True, grad_fn=MulBackward)' \
            '(ember::Shape) $0 = [2, 3]' '(ember::Device) $1 = cpu' 'Square::backward' '`main at step_through.cpp'; do
  grep -qF -- "$text" <<<"$out" || { echo "FAILED: lacks: $text"; failed=1; }
done
exit "$failed"
