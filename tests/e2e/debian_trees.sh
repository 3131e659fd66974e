#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guard rewrite on Debian's linux-source-6.1 and linux-source-6.12, as
# extracted by "make check": exactly the four known call sites change, the
# diff is checkpatch-clean and deterministic, the patched x86.o and nested.o
# build out of tree with KVM and the retpoline/return-thunk mitigations, and
# sparse finds nothing new.  The trees themselves are never written.
#
# Usage: debian_trees.sh [VERSION...]   (default: 6.1 6.12)

. "$(dirname "$0")/../lib.sh"
. "$TOP/analyzer/kbuild.sh"

ktap_require spatch coccinelle
ktap_require gcc gcc
ktap_require sparse sparse
ktap_scratch

versions=("${@:-6.1}")
[ $# -gt 0 ] || versions=(6.1 6.12)
cc=$TOP/cocci/coccicheck
objs=(arch/x86/kvm/x86.o arch/x86/kvm/vmx/nested.o)
cases=12

# The call sites, as "file function" per line, from report mode.
sites_of()
{
	sed -n 's|^\([^:]*\):[0-9:-]*: kvm_pmu_trigger_event() in \([a-z_0-9]*\)() runs.*|\1 \2|p' "$1"
}

# The text of function $2 in file $1, from its opening line to its "}".
function_text()
{
	awk -v fn="$2" '$0 ~ "^[a-z].*[ *]" fn "\\(" { on = 1 } on { print } on && /^}/ { exit }' "$1"
}

expected_sites()
{
	printf '%s\n' "arch/x86/kvm/vmx/nested.c nested_vmx_run" \
		"arch/x86/kvm/x86.c kvm_skip_emulated_instruction" \
		"arch/x86/kvm/x86.c x86_emulate_instruction" \
		"arch/x86/kvm/x86.c x86_emulate_instruction"
}

# The exact change a human would make to kvm_skip_emulated_instruction.
skip_hunk()
{
	local ev=$1

	printf '%s\n' "-	kvm_pmu_trigger_event(vcpu, $ev);" \
		"+	if (unlikely(vcpu->kvm->arch.enable_pmu))" \
		"+		kvm_pmu_trigger_event(vcpu, $ev);"
}

# The added lines of a diff checked by the tree's checkpatch.pl --strict,
# wrapped in a commit message so only the code is judged.
checkpatch_clean()
{
	local kdir=$1 diff=$2 out

	{
		printf 'From: kvm-hotpath test <test@example.org>\nSubject: [PATCH] KVM: x86: Guard PMU triggers\n\n'
		printf 'Guard the PMU trigger calls on VM-exit paths with enable_pmu.\n\n'
		printf 'Signed-off-by: kvm-hotpath test <test@example.org>\n---\n'
		cat "$diff"
	} >"$diff.patch"
	out=$(cd "$kdir" && perl scripts/checkpatch.pl --strict --no-tree "$diff.patch")
	grep -q '^total: 0 errors, 0 warnings' <<<"$out" || { echo "$out"; return 1; }
}

sparse_not_worse()
{
	local before=$1 after=$2 f b a rc=0

	for f in arch/x86/kvm/x86.c arch/x86/kvm/vmx/nested.c; do
		b=$(grep -c "^$f:" "$before")
		a=$(grep -c "^$f:" "$after")
		echo "$f: sparse warnings $b before, $a after"
		[ "$a" -le "$b" ] || rc=1
	done
	[ $rc = 0 ] || diff "$before" "$after"
	return $rc
}

longest_added()
{
	grep '^+[^+]' "$1" | sed 's/^+//' | expand -t 8 | awk '{ if (length > m) m = length } END { print m + 0 }'
}

ktap_print_header
ktap_set_plan $((cases * ${#versions[@]}))

for v in "${versions[@]}"; do
	kdir=$CACHE/linux-source-$v
	w=$CACHE/e2e-$v
	s=$SCRATCH/$v
	mkdir -p "$w" "$s"
	if [ ! -f "$kdir/Makefile" ]; then
		ktap_exit_fail_msg "$kdir missing: run 'make check', which extracts linux-source-$v"
	fi
	case $v in
	6.1) ev=PERF_COUNT_HW_INSTRUCTIONS ;;
	*) ev=kvm_pmu_eventsel.INSTRUCTIONS_RETIRED ;;
	esac
	ktap_print_msg "linux-source-$v: $kdir"
	tree_manifest "$kdir" >"$s/manifest.before"

	"$cc" -j 2 "$kdir" >"$s/diff" 2>"$s/err"
	"$cc" -m report "$kdir" >"$s/report" 2>>"$s/err"
	sites_of "$s/report" | LC_ALL=C sort >"$s/sites"
	ktap_check "$v: exactly the 4 known call sites are rewritten" eval \
		'diff <(expected_sites) "$s/sites" &&
		 test "$(grep -c "^-[[:space:]]*kvm_pmu_trigger_event(" "$s/diff")" = 4'
	ktap_check "$v: pmu.c is not touched" eval '! grep -q "^+++ b/arch/x86/kvm/pmu.c" "$s/diff"'

	# arch/x86/kvm before and after: every change the diff makes is there.
	cp -r "$kdir/arch/x86/kvm" "$s/kvm.orig" && cp -r "$s/kvm.orig" "$s/kvm.new" &&
		patch -s -p4 -d "$s/kvm.new" -i "$s/diff" >"$s/patch.log" 2>&1
	ktap_check "$v: kvm_skip_emulated_instruction gets exactly the guard" eval \
		'diff <(function_text "$s/kvm.orig/x86.c" kvm_skip_emulated_instruction) \
		      <(function_text "$s/kvm.new/x86.c" kvm_skip_emulated_instruction) |
		 grep "^[<>]" | sed "s/^< /-/; s/^> /+/" | diff <(skip_hunk "$ev") -'
	ktap_check "$v: added lines fit in 100 columns" \
		test "$(longest_added "$s/diff")" -le 100
	ktap_check "$v: checkpatch.pl --strict: no errors or warnings" \
		checkpatch_clean "$kdir" "$s/diff"
	"$cc" -j 1 "$kdir" >"$s/diff.j1" 2>/dev/null
	ktap_check "$v: -j 1 and -j 2 give byte-identical diffs" cmp "$s/diff" "$s/diff.j1"

	# The patched tree: a hard-link overlay with the patched files swapped in.
	ov=$w/overlay
	ktap_check "$v: the kernel's own make coccicheck runs the rule, same sites" eval \
		'kb_overlay "$kdir" "$ov" &&
		 make -s -C "$ov" coccicheck MODE=report COCCI="$TOP/cocci/pmu_guard.cocci" \
			M=arch/x86/kvm J=2 >"$s/kernel-coccicheck" 2>&1 &&
		 sites_of "$s/kernel-coccicheck" | LC_ALL=C sort | diff <(expected_sites) -'
	ktap_check "$v: the diff applies to an overlay of the tree" eval \
		'test ! -s "$s/patch.log" &&
		 for f in $(sed -n "s|^+++ b/||p" "$s/diff"); do
			kb_overlay_put "$ov" "$f" "$s/kvm.new/${f#arch/x86/kvm/}" || exit 1
		 done'
	ktap_check "$v: the rewrite leaves the patched tree as it is (exit 0, no message)" eval \
		'"$cc" "$ov" >"$s/again.diff" 2>"$s/again.err" &&
		 test ! -s "$s/again.diff" && test ! -s "$s/again.err" || { cat "$s/again.err"; false; }'
	ktap_check "$v: patched x86.o and nested.o build (O=, KVM=m, retpoline, rethunk)" eval \
		'kb_config "$ov" "$w/build-patched" && kb_prepare "$w/build-patched" &&
		 kb_objs "$w/build-patched" "${objs[@]}"'
	ktap_check "$v: sparse (C=2) finds no more warnings than on the originals" eval \
		'kb_config "$kdir" "$w/build" && kb_prepare "$w/build" &&
		 kb_sparse "$w/build" "${objs[@]}" >"$s/sparse.before" &&
		 kb_sparse "$w/build-patched" "${objs[@]}" >"$s/sparse.after" &&
		 sparse_not_worse "$s/sparse.before" "$s/sparse.after"'
	ktap_check "$v: the tree is left exactly as it was" eval \
		'kb_overlay_verify "$ov" && tree_manifest "$kdir" | diff "$s/manifest.before" -'
done

ktap_finished
