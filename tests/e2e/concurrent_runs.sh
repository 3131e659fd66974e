#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs that meet on one tree and cache: make analyze finding the build's
# lock held says so once and waits (the lock is held here, and released
# when the run has said it: no sleep decides anything), then finishes; two
# make analyze at once both succeed with byte-identical callgraph.json.

. "$(dirname "$0")/../lib.sh"

ktap_require flock util-linux
ktap_scratch
ktap_print_header
ktap_set_plan 2

k12=$CACHE/linux-source-6.12
name=$("$TOP/analyzer/kprep.sh" --name "$k12")
lock=$CACHE/.build-$name.lock

# Hold the lock, start a run, and let go once the run says it waits.
exec 7>"$lock"
flock 7
make -s -C "$TOP" analyze KDIR="$k12" REPORTS="$SCRATCH/held" >/dev/null 2>"$SCRATCH/held.err" &
pid=$!
for _ in $(seq 600); do
	grep -q '^  WAIT    ' "$SCRATCH/held.err" && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
said=$(grep -c '^  WAIT    ' "$SCRATCH/held.err")
flock -u 7
wait $pid
rc=$?
ktap_check "a run that finds the build locked says so once, waits, then finishes" eval \
	'[ "$said" = 1 ] && [ $rc = 0 ] &&
	 grep -qx "  WAIT    another run holds $lock; waiting for it to finish" "$SCRATCH/held.err" &&
	 [ -s "$SCRATCH/held/$name/callgraph.json" ]'

make -s -C "$TOP" analyze KDIR="$k12" REPORTS="$SCRATCH/a" >/dev/null 2>&1 &
a=$!
make -s -C "$TOP" analyze KDIR="$k12" REPORTS="$SCRATCH/b" >/dev/null 2>&1
rcb=$?
wait $a
rca=$?
ktap_check "two make analyze at once on one tree and cache: both succeed, byte-identical callgraph.json" eval \
	'[ $rca = 0 ] && [ $rcb = 0 ] && cmp "$SCRATCH/a/$name/callgraph.json" "$SCRATCH/b/$name/callgraph.json" &&
	 cmp "$SCRATCH/a/$name/callgraph.json" "$SCRATCH/held/$name/callgraph.json"'

ktap_finished
