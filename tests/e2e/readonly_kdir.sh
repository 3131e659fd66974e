#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every target that takes a plain tree, on Debian's 6.12 tree mounted
# read-only over itself (a bind mount: the same paths, the caches still
# valid, any write into it an EROFS): make coccicheck, analyze, validate,
# audit and measure all work.  make patches and make review run on
# read-only plain trees and git checkouts in patch_series.sh and review.sh.

. "$(dirname "$0")/../lib.sh"

ktap_require mountpoint util-linux
ktap_scratch
ktap_print_header

k12=$CACHE/linux-source-6.12
[ -f "$k12/Makefile" ] || ktap_exit_fail_msg "$k12 missing: run 'make check', which extracts it"
if ! ro_bind "$k12"; then
	ktap_skip_all "cannot bind-mount $k12 read-only here (not root?)"
	exit "$KSFT_SKIP"
fi
trap 'ro_unbind "$k12"; rm -rf "$SCRATCH"' EXIT
ktap_set_plan 5

name=$("$TOP/analyzer/kprep.sh" --name "$k12")
ktap_check "make coccicheck on a read-only KDIR: the guards, nothing on stderr" eval \
	'make -s -C "$TOP" coccicheck KDIR="$k12" >"$SCRATCH/cocci.diff" 2>"$SCRATCH/cocci.err" &&
	 grep -q "^+.*if (unlikely(vcpu->kvm->arch.enable_pmu))" "$SCRATCH/cocci.diff" &&
	 [ ! -s "$SCRATCH/cocci.err" ] || cat "$SCRATCH/cocci.err"'
ktap_check "make validate (and analyze) on a read-only KDIR" eval \
	'make -s -C "$TOP" validate KDIR="$k12" REPORTS="$SCRATCH/r" FUNCTIONS=kvm_skip_emulated_instruction \
		>"$SCRATCH/validate" 2>"$SCRATCH/validate.err" &&
	 grep -q "^validate $name: " "$SCRATCH/validate" && [ -s "$SCRATCH/r/$name/callgraph.json" ] ||
	 tail -n3 "$SCRATCH/validate.err"'
ktap_check "make audit on a read-only KDIR" eval \
	'make -s -C "$TOP" audit KDIR="$k12" REPORTS="$SCRATCH/r" >/dev/null 2>"$SCRATCH/audit.err" &&
	 [ -s "$SCRATCH/r/$name/audit.json" ] || tail -n3 "$SCRATCH/audit.err"'
# On a host whose KVM cannot run the guest, make measure stops with one
# line naming why; what matters here is that it got past the build.
make -s -C "$TOP" measure KDIR="$k12" REPORTS="$SCRATCH/r" TESTS=cpuid RUNS=1 TICKS=16 \
	>"$SCRATCH/measure" 2>"$SCRATCH/measure.err"
rc=$?
ktap_check "make measure on a read-only KDIR: the selftest built from it, and run" eval \
	'grep -q "^  RUN     .*/exit_cost " "$SCRATCH/measure.err" &&
	 { [ $rc = 0 ] || grep -q "^measure: " "$SCRATCH/measure.err"; } || tail -n3 "$SCRATCH/measure.err"'
ktap_check "the mount is read-only still, and the tree was not written" eval \
	'! touch "$k12/Makefile" 2>/dev/null && [ -z "$(find "$k12" -newer "$SCRATCH/cocci.diff" -print -quit)" ]'

ktap_finished
