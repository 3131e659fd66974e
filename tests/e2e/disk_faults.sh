#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make audit, make analyze and make patches with REPORTS, CACHE or PATCHES
# on a full or a read-only filesystem (tmpfs mounts of the test's own):
# one line naming the folder or file and the system's reason, a non-zero
# exit, nothing half-written; and once there is room again, the same
# output as a run that never failed.

. "$(dirname "$0")/../lib.sh"

ktap_require patch patch
ktap_scratch
ktap_print_header

k12=$CACHE/linux-source-6.12
[ -f "$k12/Makefile" ] || ktap_exit_fail_msg "$k12 missing: run 'make check', which extracts it"
mkdir -p "$SCRATCH/m1" "$SCRATCH/m2" "$SCRATCH/m3"
if ! mount -t tmpfs -o size=12m tmpfs "$SCRATCH/m1" 2>/dev/null; then
	ktap_skip_all "cannot mount a tmpfs here (not root?): the faults need one"
	exit "$KSFT_SKIP"
fi
trap 'for m in m1 m2 m3; do umount "$SCRATCH/$m" 2>/dev/null; done; rm -rf "$SCRATCH"' EXIT
ktap_set_plan 8

name=$("$TOP/analyzer/kprep.sh" --name "$k12")
make -s -C "$TOP" audit KDIR="$k12" REPORTS="$SCRATCH/ref" CPU=zen2,icelake-sp >/dev/null 2>"$SCRATCH/ref.err" ||
	ktap_exit_fail_msg "make audit on 6.12 failed: $(tail -n1 "$SCRATCH/ref.err")"

# one_line WANT ERRFILE: besides progress lines, hotpath's summaries and
# make's closing line, ERRFILE holds one line, and it says WANT.
one_line()
{
	grep -vE '^  [A-Z]+ |^hotpath: [0-9]+ |^hotpath: linux-[^ ]*: [0-9]+ sites|^make(\[[0-9]+\])?: \*\*\* ' \
		"$2" >"$2.1"
	[ "$(wc -l <"$2.1")" = 1 ] && grep -qF -- "$1" "$2.1" || { cat "$2"; return 1; }
}

# --- REPORTS: callgraph.json fits in 12 MB, the audit's reports do not ---
m1=$SCRATCH/m1
make -s -C "$TOP" audit KDIR="$k12" REPORTS="$m1" CPU=zen2,icelake-sp >/dev/null 2>"$SCRATCH/e1"
rc=$?
ktap_check "REPORTS full: one line naming the file and the reason, exit non-zero, no report and no temporary" eval \
	'[ $rc != 0 ] &&
	 one_line "$m1/$name/audit.json: writing it failed (No space left on device); it was left as it was" "$SCRATCH/e1" &&
	 [ "$(ls -A "$m1/$name")" = callgraph.json ]'
mount -o remount,size=64m "$m1"
make -s -C "$TOP" audit KDIR="$k12" REPORTS="$m1" CPU=zen2,icelake-sp >/dev/null 2>"$SCRATCH/e2"
rc=$?
ktap_check "REPORTS with room again: the reports of a run that never failed" eval \
	'[ $rc = 0 ] && same_reports "$m1/$name" "$SCRATCH/ref/$name" || tail -n2 "$SCRATCH/e2"'
mount -o remount,ro "$m1"
make -s -C "$TOP" audit KDIR="$k12" REPORTS="$m1" CPU=zen2 >/dev/null 2>"$SCRATCH/e3"
rc3=$?
make -s -C "$TOP" analyze KDIR="$k12" REPORTS="$m1/new" >/dev/null 2>"$SCRATCH/e4"
rc4=$?
ktap_check "REPORTS read-only: one line naming the file, or the folder it cannot create; the reports as they were" eval \
	'[ $rc3 != 0 ] && [ $rc4 != 0 ] &&
	 one_line "$m1/$name/callgraph.json: cannot write it (Read-only file system)" "$SCRATCH/e3" &&
	 one_line "kvm-hotpath: cannot create REPORTS folder $m1/new/$name: Read-only file system" "$SCRATCH/e4" &&
	 same_reports "$m1/$name" "$SCRATCH/ref/$name"'

# --- CACHE: a copy of the build with x86.o to redo, and no room for it ---
m2=$SCRATCH/m2
mount -t tmpfs -o size=1g tmpfs "$m2"
b=$(build_of "$k12")
cp -a "$b" "$m2/" && rm -f "$m2/${b##*/}/arch/x86/kvm/x86.o" "$m2/${b##*/}/arch/x86/kvm/.x86.o.cmd" ||
	ktap_exit_fail_msg "cannot copy $b into $m2"
head -c 2G /dev/zero >"$m2/filler" 2>/dev/null
make -s -C "$TOP" analyze KDIR="$k12" CACHE="$m2" REPORTS="$SCRATCH/c" >/dev/null 2>"$SCRATCH/e5"
rc=$?
ktap_check "CACHE full: one line naming the build and the reason, exit non-zero, no callgraph.json" eval \
	'[ $rc != 0 ] && one_line "No space left on device" "$SCRATCH/e5" &&
	 grep -q "$m2/${b##*/}" "$SCRATCH/e5.1" && [ ! -e "$SCRATCH/c/$name/callgraph.json" ]'
rm -f "$m2/filler"
make -s -C "$TOP" audit KDIR="$k12" CACHE="$m2" REPORTS="$SCRATCH/c" CPU=zen2,icelake-sp >/dev/null 2>"$SCRATCH/e6"
rc=$?
ktap_check "CACHE with room again: x86.o built, every TU parsed, the reports of a run that never failed" eval \
	'[ $rc = 0 ] && [ -f "$m2/${b##*/}/arch/x86/kvm/x86.o" ] && same_reports "$SCRATCH/c/$name" "$SCRATCH/ref/$name" ||
	 tail -n2 "$SCRATCH/e6"'
mount -o remount,ro "$m2"
make -s -C "$TOP" analyze KDIR="$k12" CACHE="$m2" REPORTS="$SCRATCH/c" >/dev/null 2>"$SCRATCH/e7"
rc=$?
ktap_check "CACHE read-only: one line naming it" eval \
	'[ $rc != 0 ] && one_line "cannot create $m2/.build-$(key_of "$k12").lock: Read-only file system" "$SCRATCH/e7"'

# --- PATCHES: a tree whose series is empty (6.12 with the guards in,
# hard links but for the files the guards change), so only the writing
# of summary.txt is left to fail.  The links need the tree's filesystem,
# so the copy is in CACHE, not in SCRATCH (TMPDIR may be a tmpfs) ---
g=$(mktemp -d "$CACHE/test-guarded.XXXXXX") || ktap_exit_fail_msg "cannot create a folder in $CACHE"
trap 'for m in m1 m2 m3; do umount "$SCRATCH/$m" 2>/dev/null; done; rm -rf "$SCRATCH" "$g"' EXIT
rmdir "$g" && cp -al "$k12" "$g" && "$TOP/cocci/coccicheck" "$k12" >"$SCRATCH/guards.diff" &&
	sed -n 's|^+++ b/||p' "$SCRATCH/guards.diff" | while read -r f; do cp --remove-destination "$k12/$f" "$g/$f"; done &&
	patch -s -p1 -d "$g" -i "$SCRATCH/guards.diff" ||
	ktap_exit_fail_msg "cannot make a guarded copy of $k12"
m3=$SCRATCH/m3
mount -t tmpfs -o size=16k tmpfs "$m3" && head -c 1M /dev/zero >"$m3/filler" 2>/dev/null
make -s -C "$TOP" patches KDIR="$g" PATCHES="$m3" REPORTS="$SCRATCH/rp" >/dev/null 2>"$SCRATCH/e8"
rc=$?
ktap_check "PATCHES full: one line naming the folder and the reason, exit non-zero, nothing written" eval \
	'[ $rc != 0 ] && one_line "series: cannot write the series into $m3: No space left on device" "$SCRATCH/e8" &&
	 [ "$(ls -A "$m3")" = filler ]'
rm -f "$m3/filler"
make -s -C "$TOP" patches KDIR="$g" PATCHES="$m3" REPORTS="$SCRATCH/rp" >/dev/null 2>"$SCRATCH/e9"
rc=$?
make -s -C "$TOP" patches KDIR="$g" PATCHES="$SCRATCH/kp" REPORTS="$SCRATCH/rp" >/dev/null 2>&1
ktap_check "PATCHES with room again: the series of a run that never failed" eval \
	'[ $rc = 0 ] && diff -r "$SCRATCH/kp" "$m3" &&
	 grep -q "The series is empty" "$m3/$name/summary.txt" || tail -n2 "$SCRATCH/e9"'

rm -rf "$CACHE/series-$(key_of "$g")"

ktap_finished
