#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make analyze and make audit stopped by SIGINT or SIGTERM at points the
# runs print (sent to the whole session, as a terminal's ^C or a CI
# runner's stop is): in the Kbuild step ("  KVM"), in the parse (the 5th
# "  PARSE" line), as the audit starts ("  JSON") and as it writes its
# reports (hotpath's "priced on" line).  After each: no half-written or
# temporary file, the folder's previous reports whole; the next run gives
# byte-identical results to a run never interrupted.  make patches and
# make review are stopped the same way in patch_series.sh and review.sh.
#
# The Kbuild and parse points run on a copy of 6.12's build in a scratch
# cache, with x86.o removed (so Kbuild has work) and no TU cache (so the
# parse has all 42 TUs to do).

. "$(dirname "$0")/../lib.sh"

ktap_require setsid util-linux
ktap_scratch
ktap_print_header
ktap_set_plan 5

k12=$CACHE/linux-source-6.12
[ -f "$k12/Makefile" ] || ktap_exit_fail_msg "$k12 missing: run 'make check', which extracts it"
name=$("$TOP/analyzer/kprep.sh" --name "$k12")
ref=$SCRATCH/ref/$name
make -s -C "$TOP" audit KDIR="$k12" REPORTS="$SCRATCH/ref" CPU=zen2,icelake-sp >/dev/null 2>"$SCRATCH/ref.err" ||
	ktap_exit_fail_msg "make audit on 6.12 failed: $(tail -n1 "$SCRATCH/ref.err")"

# Nothing half-written or left over below DIR: no temporary file, no
# hidden folder.
no_leftovers()
{
	[ -z "$(find "$1" \( -name '*.tmp*' -o -name '.*' \) ! -path "$1" -print -quit)" ]
}

sc=$SCRATCH/cache
b=$(build_of "$k12")
mkdir -p "$sc" && cp -a "$b" "$sc/" &&
	rm -f "$sc/${b##*/}/arch/x86/kvm/x86.o" "$sc/${b##*/}/arch/x86/kvm/.x86.o.cmd" ||
	ktap_exit_fail_msg "cannot copy $b into $sc"
sa=$SCRATCH/sa

interrupt_at '^  KVM ' INT "$SCRATCH/i1.err" make -s -C "$TOP" analyze KDIR="$k12" CACHE="$sc" REPORTS="$sa"
r1=$?
interrupt_at -n 5 '^  PARSE ' TERM "$SCRATCH/i2.err" make -s -C "$TOP" analyze KDIR="$k12" CACHE="$sc" REPORTS="$sa"
r2=$?
ktap_check "make analyze, SIGINT in the Kbuild step, SIGTERM after 5 TUs parsed: no callgraph.json, nothing left over" eval \
	'[ $r1 = 0 ] && [ $r2 = 0 ] && [ ! -e "$sa/$name/callgraph.json" ] && no_leftovers "$sa" ||
	 { echo "interrupt_at: $r1 $r2"; tail -n2 "$SCRATCH/i1.err" "$SCRATCH/i2.err"; false; }'

make -s -C "$TOP" audit KDIR="$k12" CACHE="$sc" REPORTS="$sa" CPU=zen2,icelake-sp >/dev/null 2>"$SCRATCH/i3.err"
rc=$?
tus=$(sed -n 's/^hotpath: 42 TUs (\([0-9]*\) parsed, \([0-9]*\) reused; 0 unparsable, 0 with errors).*/\1 \2/p' "$SCRATCH/i3.err")
ktap_check "the next make audit: the TUs finished before reused, the rest parsed; byte-identical callgraph.json and audit" eval \
	'[ $rc = 0 ] && [ -f "$sc/${b##*/}/arch/x86/kvm/x86.o" ] &&
	 [ -n "$tus" ] && [ "${tus% *}" -ge 1 ] && [ "${tus#* }" -ge 5 ] &&
	 [ -z "$(find "$sc"/tu-* -name "*.tmp")" ] &&
	 same_reports "$sa/$name" "$ref" ||
	 { grep "^hotpath" "$SCRATCH/i3.err"; false; }'

# make audit into a folder that holds zen2's reports, stopped with
# zen2+icelake-sp's half done: zen2's set, whole.
ar=$SCRATCH/ar
make -s -C "$TOP" audit KDIR="$k12" REPORTS="$SCRATCH/z" CPU=zen2 >/dev/null 2>&1 &&
	make -s -C "$TOP" audit KDIR="$k12" REPORTS="$ar" CPU=zen2 >/dev/null 2>&1 ||
	ktap_exit_fail_msg "make audit CPU=zen2 failed"
interrupt_at '^  JSON ' INT "$SCRATCH/i4.err" make -s -C "$TOP" audit KDIR="$k12" REPORTS="$ar" CPU=zen2,icelake-sp
r4=$?
ktap_check "make audit, SIGINT as the audit starts: the previous reports whole, nothing left over" eval \
	'[ $r4 = 0 ] && same_reports "$ar/$name" "$SCRATCH/z/$name" && no_leftovers "$ar" ||
	 { echo "interrupt_at: $r4"; tail -n2 "$SCRATCH/i4.err"; false; }'

# As the reports are written: the old set or the new one, never a mix.
r5=
for i in 1 2 3; do
	interrupt_at '^hotpath: .* priced on ' TERM "$SCRATCH/i5.err" \
		make -s -C "$TOP" audit KDIR="$k12" REPORTS="$ar" CPU=zen2,icelake-sp
	r5+=" $?"
	same_reports "$ar/$name" "$SCRATCH/z/$name" "$ref" && no_leftovers "$ar" || r5+=" mixed"
	make -s -C "$TOP" audit KDIR="$k12" REPORTS="$ar" CPU=zen2 >/dev/null 2>&1
done
ktap_check "make audit, SIGTERM as it writes (3 times): the old set or the new one, whole, nothing left over" eval \
	'[ "$r5" = " 0 0 0" ] || { echo "interrupt_at:$r5"; tail -n2 "$SCRATCH/i5.err"; false; }'

make -s -C "$TOP" audit KDIR="$k12" REPORTS="$ar" CPU=zen2,icelake-sp >/dev/null 2>&1
ktap_check "the next make audit: byte-identical to a run never interrupted" eval \
	'same_reports "$ar/$name" "$ref"'

ktap_finished
