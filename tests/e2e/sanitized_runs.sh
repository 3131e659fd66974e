#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make analyze, make audit and make review on Debian's 6.12 tree with the
# analyzer built SANITIZE=1 (ASan and UBSan, stopping at the first
# report): every run succeeds, no sanitizer says anything, and the call
# graph and the audit are byte for byte those of the normal build.  The
# sanitized analyzer's TU results are its own (the cache is keyed by the
# analyzer's bytes), so every TU is parsed under the sanitizers.

. "$(dirname "$0")/../lib.sh"

ktap_require git git
ktap_scratch
ktap_print_header
ktap_set_plan 4

k12=$CACHE/linux-source-6.12
[ -f "$k12/Makefile" ] || ktap_exit_fail_msg "$k12 missing: run 'make check', which extracts it"
name=$("$TOP/analyzer/kprep.sh" --name "$k12")
git_test_identity

# The normal build's call graph and audit, to compare with.
make -s -C "$TOP" audit KDIR="$k12" REPORTS="$SCRATCH/ref" CPU=zen2,icelake-sp >/dev/null 2>"$SCRATCH/ref.err" ||
	ktap_exit_fail_msg "make audit on 6.12 failed: $(tail -n1 "$SCRATCH/ref.err")"

# What the sanitized runs add to the cache (TU results and review audits
# of their own analyzer) goes again at the end, so that every run of this
# test parses every TU under the sanitizers.
cached()
{
	find "$CACHE" -mindepth 2 -maxdepth 3 -type f \( -path "$CACHE/tu-*/*" -o -path "$CACHE/review-*/audits/*" \) |
		LC_ALL=C sort
}
cached >"$SCRATCH/cached.before"
trap 'cached | comm -13 "$SCRATCH/cached.before" - | xargs -r rm -f; rm -rf "$SCRATCH"' EXIT

# A copy of the project whose analyzer is built SANITIZE=1: make passes
# the variable down to make -C analyzer, and reports/review's own make.
top=$SCRATCH/top
mkdir -p "$top" && cp -r "$TOP"/Makefile "$TOP"/analyzer "$TOP"/cocci "$TOP"/reports "$TOP"/kernel-patches "$top/" &&
	make -s -C "$top/analyzer" clean >/dev/null ||
	ktap_exit_fail_msg "cannot copy the project into $top"
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:exitcode=86
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86
san='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:'

make -s -C "$top" analyzer SANITIZE=1 >/dev/null 2>"$SCRATCH/build.err"
ktap_check "the analyzer built SANITIZE=1" eval \
	'nm "$top/analyzer/hotpath" | grep -q __asan_report_load && nm "$top/analyzer/hotpath" | grep -q __ubsan_handle_ ||
	 tail -n3 "$SCRATCH/build.err"'

make -s -C "$top" audit SANITIZE=1 KDIR="$k12" REPORTS="$SCRATCH/san" CPU=zen2,icelake-sp \
	>/dev/null 2>"$SCRATCH/audit.err"
rc=$?
ktap_check "make analyze and make audit under ASan/UBSan: every TU parsed, no report, the normal build's outputs" eval \
	'[ $rc = 0 ] && ! grep -qE "$san" "$SCRATCH/audit.err" &&
	 grep -q "^hotpath: 42 TUs (42 parsed, 0 reused; 0 unparsable, 0 with errors)" "$SCRATCH/audit.err" &&
	 same_reports "$SCRATCH/san/$name" "$SCRATCH/ref/$name" || { grep -m5 -E "$san|^hotpath" "$SCRATCH/audit.err"; false; }'

# A change to review: kvm_skip_emulated_instruction's static call made a
# call through kvm_x86_ops, a New finding (exit 2: the gate fails).
mkseries "$SCRATCH/ptr" "$k12" arch/x86/kvm/x86.c "KVM: x86: Call skip_emulated_instruction through kvm_x86_ops" \
	's = s.replace("r = kvm_x86_call(skip_emulated_instruction)(vcpu);", "r = kvm_x86_ops.skip_emulated_instruction(vcpu);")' ||
	ktap_exit_fail_msg "cannot write the series"
make -s -C "$top" review SANITIZE=1 KDIR="$k12" SERIES="$SCRATCH/ptr" REPORTS="$SCRATCH/san" \
	>/dev/null 2>"$SCRATCH/review.err"
rc=$?
rv=$SCRATCH/san/$name/review
ktap_check "make review under ASan/UBSan: both states audited, no report, the New finding and the gate" eval \
	'[ $rc = 2 ] && ! grep -qE "$san" "$SCRATCH/review.err" &&
	 [ "$(grep -c "^  AUDIT   [01]/1 " "$SCRATCH/review.err")" = 2 ] &&
	 grep -qx "review: the gate failed (FAIL_ON=new): 1 new finding" "$SCRATCH/review.err" &&
	 python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
new = [f for f in r[\"findings\"] if f[\"status\"] == \"new\"]
assert len(new) == 1 and new[0][\"rule\"] == \"thunked-indirect-call\", new
" "$rv/review.json" || { grep -m5 -E "$san|^review|^  " "$SCRATCH/review.err"; false; }'

ktap_check "the detector itself: an out-of-bounds read under these options exits 86 with a report it greps for" eval \
	'printf "int main(void) { int a[2]; volatile int i = 2; return a[i]; }\n" >"$SCRATCH/oob.c" &&
	 gcc -fsanitize=address -o "$SCRATCH/oob" "$SCRATCH/oob.c" && { "$SCRATCH/oob" 2>"$SCRATCH/oob.err"; [ $? = 86 ]; } &&
	 grep -qE "$san" "$SCRATCH/oob.err"'

ktap_finished
