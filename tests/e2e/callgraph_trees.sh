#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make analyze on Debian's linux-source-6.1 and linux-source-6.12: every KVM
# TU parses, the call sites the issue names are classified as the compiler
# emits them, static calls lead to the vmx_ and svm_ implementations, the
# exit-handler tables give the roots, kvm_pmu_trigger_event is on an exit
# path made of real edges, a rerun reuses every TU and gives the same JSON,
# and the tree is left as it was.
#
# Usage: callgraph_trees.sh [VERSION...]   (default: 6.1 6.12)

. "$(dirname "$0")/../lib.sh"

ktap_require python3 python3
ktap_require clang-16 clang-16
ktap_scratch

versions=("${@:-6.1}")
[ $# -gt 0 ] || versions=(6.1 6.12)
cases=9

# check CALLGRAPH PYTHON: assertions on the parsed JSON, bound to d.
check()
{
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
f = {x['name']: x for x in d['functions']}
calls = {}
for c in d['calls']:
	calls.setdefault(c['caller'], []).append(c)
$2" "$1"
}

ktap_print_header
ktap_set_plan $((cases * ${#versions[@]}))

for v in "${versions[@]}"; do
	kdir=$CACHE/linux-source-$v
	[ -f "$kdir/Makefile" ] ||
		ktap_exit_fail_msg "$kdir missing: run 'make check', which extracts linux-source-$v"
	name=$("$TOP/analyzer/kprep.sh" --name "$kdir")
	out=$SCRATCH/$v
	cg=$out/$name/callgraph.json
	ktap_print_msg "$name: $kdir"
	tree_manifest "$kdir" >"$SCRATCH/manifest.$v"

	make -s -C "$TOP" analyze KDIR="$kdir" REPORTS="$out" >"$SCRATCH/analyze.$v" 2>&1
	ktap_check "$v: make analyze writes $name/callgraph.json" eval \
		'test -s "$cg" || { cat "$SCRATCH/analyze.$v"; false; }'
	ktap_check "$v: every KVM TU parses without errors" \
		grep -qE '^hotpath: [0-9]+ TUs \([0-9]+ parsed, [0-9]+ reused; 0 unparsable, 0 with errors\)' \
		"$SCRATCH/analyze.$v"
	ktap_check "$v: kvm_skip_emulated_instruction: two static calls, a direct call to kvm_pmu_trigger_event" \
		check "$cg" '
cs = calls["kvm_skip_emulated_instruction"]
sc = sorted(c["static_call"] for c in cs if c["kind"] == "static_call")
assert sc == ["kvm_x86_get_rflags", "kvm_x86_skip_emulated_instruction"], sc
assert [c for c in cs if c["kind"] == "direct" and c["callee"] == "kvm_pmu_trigger_event"], cs
assert not [c for c in cs if c["kind"] in ("indirect", "indirect_wrapper")], cs'
	ktap_check "$v: static_call(kvm_x86_skip_emulated_instruction) leads to vmx_ and svm_" \
		check "$cg" '
t = [c["may_targets"] for c in calls["kvm_skip_emulated_instruction"]
     if c.get("static_call") == "kvm_x86_skip_emulated_instruction"][0]
assert {"vmx_skip_emulated_instruction", "svm_skip_emulated_instruction"} <= set(t), t'
	ktap_check "$v: roots: both exit-handler tables (nVMX's entries too), vmx/svm_handle_exit, the run loop" \
		check "$cg" '
why = {r["name"]: r["why"] for r in d["roots"]}
exits = {r["name"]: r["exits"] for r in d["roots"]}
assert why.get("handle_vmlaunch") == "in kvm_vmx_exit_handlers[]", why.get("handle_vmlaunch")
assert exits["handle_vmlaunch"] == ["EXIT_REASON_VMLAUNCH"], exits["handle_vmlaunch"]
assert f["nested_vmx_run"]["path"][0] in ("handle_vmlaunch", "handle_vmresume"), f["nested_vmx_run"]
assert why.get("handle_exception_nmi") == "in kvm_vmx_exit_handlers[]", why.get("handle_exception_nmi")
assert why.get("pf_interception") == "in svm_exit_handlers[]", why.get("pf_interception")
assert why.get("kvm_emulate_cpuid", "").endswith("exit_handlers[]"), why.get("kvm_emulate_cpuid")
assert why.get("vmx_handle_exit", "").startswith("static_call(kvm_x86_handle_exit)"), why
assert why.get("svm_handle_exit", "").startswith("static_call(kvm_x86_handle_exit)"), why
assert why.get("vcpu_enter_guest", "").startswith("the run loop"), why'
	ktap_check "$v: kvm_pmu_trigger_event is on an exit path of real edges" check "$cg" '
roots = {r["name"] for r in d["roots"]}
p = f["kvm_pmu_trigger_event"]["path"]
assert p and p[0] in roots and p[-1] == "kvm_pmu_trigger_event", p
for a, b in zip(p, p[1:]):
	assert any(c["callee"] == b or b in c.get("may_targets", []) for c in calls[a]), (a, b)
print("# path:", " -> ".join(p))'
	"$TOP/analyzer/hotpath" paths --to kvm_pmu_trigger_event "$cg" >"$SCRATCH/paths.$v" 2>&1
	ktap_check "$v: hotpath paths: that path, with a call site for every step" check "$cg" '
import re
p = f["kvm_pmu_trigger_event"]["path"]
lines = open("'"$SCRATCH/paths.$v"'").read().splitlines()
assert lines[0].startswith("kvm_pmu_trigger_event (arch/x86/kvm/pmu.c:"), lines
assert lines[1].split()[0] == p[0], (lines, p)
for name, line in zip(p[1:], lines[2:]):
	assert re.fullmatch(r"  -> %s +arch/x86/kvm/\S+:[0-9]+:[0-9]+ (direct|static_call|indirect)" % name,
			    line), line
assert len(lines) == len(p) + 1, lines'
	cat "$SCRATCH/paths.$v" | sed 's/^/# /'
	cp "$cg" "$SCRATCH/first.json"
	make -s -C "$TOP" analyze KDIR="$kdir" REPORTS="$out" >"$SCRATCH/again.$v" 2>&1
	ktap_check "$v: a rerun reuses every TU and writes byte-identical JSON" eval \
		'grep -qE "\(0 parsed, [0-9]+ reused" "$SCRATCH/again.$v" && cmp "$SCRATCH/first.json" "$cg"'
	ktap_check "$v: the tree is left exactly as it was" eval \
		'tree_manifest "$kdir" | diff "$SCRATCH/manifest.$v" -'
done

ktap_finished
