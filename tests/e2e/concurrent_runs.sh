#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs that meet on one tree and cache: make analyze finding the build's
# lock held says so once and waits (the lock is held here, and released
# when the run has said it: no sleep decides anything), then finishes; two
# make analyze at once both succeed with byte-identical callgraph.json; two
# KCONFIGs of one tree at once get a build each; two make audit into one
# folder leave one whole set; of two make review at once, one waits.

. "$(dirname "$0")/../lib.sh"

ktap_require flock util-linux
ktap_scratch
ktap_print_header
ktap_set_plan 6

k12=$CACHE/linux-source-6.12
name=$("$TOP/analyzer/kprep.sh" --name "$k12")
lock=$CACHE/.build-$(key_of "$k12").lock

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

# One tree, two configurations at once: the default, and the user's
# .config without KVM_AMD.  Neither build is the other's.
b0=$(build_of "$k12")
sed 's/^CONFIG_KVM_AMD=m$/# CONFIG_KVM_AMD is not set/' "$b0/.config" >"$SCRATCH/noamd.config"
bn=$(build_of "$k12" "$SCRATCH/noamd.config")
x86=$(stat -c %y "$b0/arch/x86/kvm/x86.o")
make -s -C "$TOP" analyze KDIR="$k12" KCONFIG="$SCRATCH/noamd.config" REPORTS="$SCRATCH/n" \
	>/dev/null 2>"$SCRATCH/n.err" &
n=$!
make -s -C "$TOP" analyze KDIR="$k12" REPORTS="$SCRATCH/d" >/dev/null 2>"$SCRATCH/d.err"
rcd=$?
wait $n
rcn=$?
ktap_check "two KCONFIGs of one tree at once: two builds, each run its own, the default's objects untouched" eval \
	'[ $rcd = 0 ] && [ $rcn = 0 ] && [ "$b0" != "$bn" ] &&
	 grep -q "^  CONFIG  $bn from $SCRATCH/noamd.config\$" "$SCRATCH/n.err" &&
	 grep -qx "  CONFIG  $b0" "$SCRATCH/d.err" && ! grep -q "$bn" "$SCRATCH/d.err" &&
	 [ "$(stat -c %y "$b0/arch/x86/kvm/x86.o")" = "$x86" ] &&
	 ! grep -q "^CONFIG_KVM_AMD=" "$bn/.config" && grep -q "^CONFIG_KVM_AMD=m" "$b0/.config" &&
	 cmp "$SCRATCH/d/$name/callgraph.json" "$SCRATCH/a/$name/callgraph.json" &&
	 python3 -c "
import json, sys
svm = lambda f: sum(x[\"file\"].startswith(\"arch/x86/kvm/svm/\") for x in json.load(open(f))[\"functions\"])
assert svm(sys.argv[1]) == 0 and svm(sys.argv[2]) > 0
" "$SCRATCH/n/$name/callgraph.json" "$SCRATCH/d/$name/callgraph.json" || { tail -n3 "$SCRATCH/n.err" "$SCRATCH/d.err"; false; }'

# Two make audit at once into one REPORTS folder: both succeed, and the
# folder holds one whole set, a sequential run's.
make -s -C "$TOP" audit KDIR="$k12" REPORTS="$SCRATCH/aa" >/dev/null 2>"$SCRATCH/aa1.err" &
a=$!
make -s -C "$TOP" audit KDIR="$k12" REPORTS="$SCRATCH/aa" >/dev/null 2>"$SCRATCH/aa2.err"
rc2=$?
wait $a
rc1=$?
make -s -C "$TOP" audit KDIR="$k12" REPORTS="$SCRATCH/as" >/dev/null 2>&1
ktap_check "two make audit at once into one folder: both succeed, one whole set, a sequential run's" eval \
	'[ $rc1 = 0 ] && [ $rc2 = 0 ] && [ -z "$(find "$SCRATCH/aa" -name "*.tmp*")" ] &&
	 for f in callgraph.json audit.json audit.md audit.html audit.sarif exit-paths.folded; do
		cmp "$SCRATCH/aa/$name/$f" "$SCRATCH/as/$name/$f" || exit 1
	 done'

# Two make review of one series at once: one waits for the other and says
# so, both succeed, with byte-identical reviews.
git_test_identity
# (A comment of its own: review.sh stops the audit of its own comment's
# state, which must not be cached by then.)
mkseries "$SCRATCH/series" "$k12" arch/x86/kvm/x86.c "KVM: x86: A comment of the concurrent runs" \
	's = s.replace("int kvm_skip_emulated_instruction(", "/* A comment of the concurrent runs. */\nint kvm_skip_emulated_instruction(", 1)'
make -s -C "$TOP" review KDIR="$k12" SERIES="$SCRATCH/series" REPORTS="$SCRATCH/ra" >/dev/null 2>"$SCRATCH/ra.err" &
a=$!
make -s -C "$TOP" review KDIR="$k12" SERIES="$SCRATCH/series" REPORTS="$SCRATCH/rb" >/dev/null 2>"$SCRATCH/rb.err"
rcb=$?
wait $a
rca=$?
ktap_check "two make review of one series at once: one says it waits, both succeed, the same review" eval \
	'[ $rca = 0 ] && [ $rcb = 0 ] && [ "$(cat "$SCRATCH/ra.err" "$SCRATCH/rb.err" | grep -c "^  WAIT    ")" = 1 ] &&
	 diff -r "$SCRATCH/ra/$name/review" "$SCRATCH/rb/$name/review" ||
	 tail -n2 "$SCRATCH/ra.err" "$SCRATCH/rb.err"'

# make's own closing line aside, a KCONFIG that is not there is one line.
analyze_bad()
{
	make -s -C "$TOP" analyze "$@" 2>&1 >/dev/null | grep -vE '^make(\[[0-9]+\])?: \*\*\* ' >&2
	return "${PIPESTATUS[0]}"
}
ktap_check "bad input: a KCONFIG that is not there: one line naming it" \
	ktap_fails_with "KCONFIG $SCRATCH/nope.config is not a readable file" \
	analyze_bad KDIR="$k12" KCONFIG="$SCRATCH/nope.config" REPORTS="$SCRATCH/x"

ktap_finished
