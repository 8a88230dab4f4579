#!/usr/bin/env bash
# A real full disk (issue 9): the example job writes its output to a small tmpfs that a filler
# file has filled to the last byte. The sink's writes fail with ENOSPC, its task fails and the
# job restarts from its last checkpoint, again and again; then the filler is deleted (the disk
# has space again) and the job must end FINISHED with its output exactly once. The test asserts
# that the disk really was full (ENOSPC in the log, restarts counted) before it made room.
# Needs root to mount the tmpfs: without it the test is skipped (exit 77), never passed.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"

disk=$work/disk
mkdir -p "$disk"
if ! mount -t tmpfs -o size=2m tmpfs "$disk" 2>/dev/null; then
  echo "SKIP: cannot mount a tmpfs here (not root?)"
  exit 77
fi
trap 'umount -l "$disk" 2>/dev/null; cluster_cleanup; [ -n "${FJORD_KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
mkdir -p "$disk/out"
# Fill it: dd stops at ENOSPC.
dd if=/dev/zero of="$disk/filler" bs=4k 2>/dev/null || true
free=$(df --output=avail -B1 "$disk" | tail -1 | tr -d ' ')
[ "$free" -lt 8192 ] || fail "the tmpfs still has $free bytes free after filling it"

"$fjord" run "$spec" --no-progress --log-level warn \
  -D restart-strategy.attempts=10000 -D restart-strategy.delay=100ms \
  --set numbers.to=24000 --set numbers.rate_per_subtask=2000 \
  --set "out.output_dir=$disk/out" > run.out 2> run.err &
run=$!
cluster_pids+=($run)

# The disk is full: the sink fails with ENOSPC and the job restarts, more than once.
cluster_wait 1 "No space left on device.*(restart 3 of" run.err 300 \
  || fail "no 3 restarts for ENOSPC while the disk was full: $(tail -5 run.err)"
kill -0 $run 2>/dev/null || fail "fjord run ended while the disk was full: $(tail -3 run.out)"
rm -f "$disk/filler"
echo "ok - the full disk failed the sink ($(grep -c "No space left on device" run.err) times); space made"

rc=0
wait $run || rc=$?
[ $rc -eq 0 ] || fail "fjord run exited $rc: $(tail -5 run.out)"
grep -q "FINISHED" run.out || fail "the job did not finish: $(tail -3 run.out)"
restarts=$(grep -o "restarts [0-9]*" run.out | head -1 | awk '{print $2}')
[ "${restarts:-0}" -ge 3 ] || fail "not 3 restarts counted: $(cat run.out)"
verdict=$(check_sum "$disk/out" --set numbers.to=24000) || fail "output not exactly once: $verdict"
echo "ok - once the disk had space again the job finished after $restarts restart(s), exactly once ($verdict)"
