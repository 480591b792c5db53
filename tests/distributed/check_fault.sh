#!/usr/bin/env bash
# The fault tests of issue 6, run by ctest: starts tests/distributed/fault_job.cpp
# under mpirun -np 3 and checks how the job ends.
#   check_fault.sh MPIRUN FAULT_JOB dead_rank TIMEOUT_S
#     rank 1 exits abruptly: ranks 0 and 2 must exit non-zero within TIMEOUT_S + 30 s,
#     each printing an error that names the collective and the timeout.
#   check_fault.sh MPIRUN FAULT_JOB mismatch TIMEOUT_S
#     rank 1's model differs: all 3 ranks must fail at construction, naming the parameter.
set -uo pipefail
mpirun=$1 job=$2 mode=$3 timeout_s=$4
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
# --mca orte_abort_on_non_zero_status 0 (with --enable-recovery): mpirun must not kill
# the surviving ranks when rank 1 dies; they have to notice it themselves.
# With recovery on, mpirun's own status says nothing of the ranks': each rank's
# status is printed by the bash around it.
timeout $((timeout_s + 60)) "$mpirun" --oversubscribe --allow-run-as-root --enable-recovery \
  --mca orte_abort_on_non_zero_status 0 -np 3 \
  bash -c '"$0" "$@"; s=$?; echo "check_fault: rank $OMPI_COMM_WORLD_RANK exited with $s"; exit $s' \
  "$job" "$mode" "$timeout_s" >"$log" 2>&1
status=$?
elapsed=$(( $(date +%s) - start ))
cat "$log"
echo "check_fault: mpirun exited with $status after ${elapsed} s"
fail() { echo "check_fault: FAILED: $*"; exit 1; }
[ "$status" -ne 124 ] || fail "the job hung past the timeout + 60 s"
[ "$elapsed" -le $((timeout_s + 30)) ] || fail "took ${elapsed} s, more than the timeout + 30 s"
if [ "$mode" = dead_rank ]; then
  for r in 0 2; do
    grep -E "^check_fault: rank $r exited with [1-9]" "$log" >/dev/null || fail "rank $r did not exit non-zero"
    grep -E "^rank $r: .*(all_reduce|broadcast).*timed out after $((timeout_s * 1000)) ms" "$log" >/dev/null ||
      fail "rank $r did not report the collective and the timeout"
  done
  grep -q "finished without an error" "$log" && fail "a rank finished"
else
  for r in 0 1 2; do
    grep -E "^check_fault: rank $r exited with [1-9]" "$log" >/dev/null || fail "rank $r did not exit non-zero"
    grep -E "^rank $r: DistributedDataParallel: expected the same parameters and buffers on every rank, got parameter '0.weight' \[32, 16\] float32 on rank 0 and parameter '0.weight' \[33, 16\] float32 on rank 1" "$log" >/dev/null ||
      fail "rank $r did not fail at construction naming 0.weight"
  done
fi
echo "check_fault: ok"
