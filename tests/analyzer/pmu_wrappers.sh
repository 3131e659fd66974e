#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hotpath audit on mainline's PMU shape, from the rule's own fixtures
# (tests/cocci/mainline_pmu.c and mainline_x86.c) built as a tiny KVM
# module with the kernel's code-generation flags: the static trigger is
# reached through the exported kvm_pmu_instruction_retired() and
# kvm_pmu_branch_retired().  Their callers are the unguarded PMU triggers;
# the wrappers' own calls of the trigger are not, in audit.json, audit.md,
# audit.html and audit.sarif.  A wrapper's saving is its call and return
# plus what it and the trigger do on their cheapest path, the trigger's
# work counted once: gcc tail-calls it, as a .isra clone.

. "$(dirname "$0")/../lib.sh"

ktap_require python3 python3
ktap_require gcc gcc
ktap_require objdump binutils
ktap_require npm npm
ktap_scratch
hp=$TOP/analyzer/hotpath
src=$TESTS/cocci
if [ ! -x "$hp" ]; then
	ktap_print_header
	ktap_exit_fail_msg "$hp not built: run 'make -C analyzer' (make check does)"
fi

# The module: Kbuild's objects and kvm.mod, and the compilation database.
kvm=$SCRATCH/build/arch/x86/kvm
kvm_module "$src" mainline_pmu.c=pmu.o mainline_x86.c=x86.o
echo +run_fixture >"$SCRATCH/roots"

ktap_print_header
ktap_set_plan 12

# The shape the pricing below is about; a compiler that emits another
# fails here with what it did instead.
ktap_check "gcc tail-calls the static trigger from each wrapper, as a clone" eval \
	'test "$(objdump -d --no-show-raw-insn "$kvm/pmu.o" |
		 grep -cE "jmp +[0-9a-f]+ <kvm_pmu_trigger_event\.isra\.[0-9]+>")" = 2 ||
	 objdump -d --no-show-raw-insn "$kvm/pmu.o" | grep -A12 "<kvm_pmu_instruction_retired>:"'

mkdir "$SCRATCH/a"
"$hp" callgraph --cdb "$SCRATCH/db" --srctree "$src" --scope "" --name linux-7.3 \
	--roots "$SCRATCH/roots" --quiet --output "$SCRATCH/cg.json" &&
	"$hp" audit --build "$SCRATCH/build" --profile "$TOP/analyzer/profiles/zen2.profile" \
		--profile "$TOP/analyzer/profiles/icelake-sp.profile" --output-dir "$SCRATCH/a" \
		"$SCRATCH/cg.json" 2>"$SCRATCH/audit.err"
ktap_check "hotpath audit writes the audit of the fixture module" eval \
	'test -s "$SCRATCH/a/audit.json" || { cat "$SCRATCH/audit.err"; false; }'

# json PYTHON: assertions on audit.json, loaded as a; site(caller, callee).
json()
{
	python3 -c "
import json, sys
a = json.load(open(sys.argv[1]))
def site(caller, callee):
	s = [s for s in a['sites'] if s['caller'] == caller and s['callee'] == callee]
	assert len(s) == 1, (caller, callee, s)
	return s[0]
def cost(s, prof):
	return [c for c in s['cost'] if c['profile'] == prof][0]
def prof(name):
	return [p for p in a['profiles'] if p['name'] == name][0]
$1" "$SCRATCH/a/audit.json"
}

callers='[("kvm_pmu_emulate_rdpmc", "kvm_pmu_instruction_retired"),
	   ("kvm_skip_emulated_instruction", "kvm_pmu_instruction_retired"),
	   ("nested_vmx_run", "kvm_pmu_branch_retired"),
	   ("x86_emulate_instruction", "kvm_pmu_branch_retired"),
	   ("x86_emulate_instruction", "kvm_pmu_instruction_retired")]'
ktap_check "audit.json: the wrappers' callers are the unguarded triggers, not the wrappers" json "
got = sorted((s['caller'], s['callee']) for s in a['sites'] if s['pmu_trigger'])
assert got == $callers, got
assert all(s['pmu_trigger'] == 'unguarded' for s in a['sites'] if s['pmu_trigger'])
for w in ('kvm_pmu_instruction_retired', 'kvm_pmu_branch_retired'):
	assert site(w, 'kvm_pmu_trigger_event')['pmu_trigger'] is None, w"

# The wrapper's instructions up to its jump to the trigger: its own path
# can be no longer.
own=$(objdump -d --no-show-raw-insn "$kvm/pmu.o" | awk '
	/<kvm_pmu_instruction_retired>:/ { f = 1; next }
	f && /^ +[0-9a-f]+:/ { n++ }
	f && /jmp .*<kvm_pmu_trigger_event/ { print n; exit }')
ktap_check "a wrapper's call is priced: call, the default return, the wrapper's own path" json "
s = site('kvm_skip_emulated_instruction', 'kvm_pmu_instruction_retired')
for p, ret in (('zen2', 'srso_safe_ret'), ('icelake-sp', 'return_thunk')):
	c, costs = cost(s, p), prof(p)['costs']
	assert c['sequence'] == 'call' and c['call'] == costs['call'], c
	assert c['ret'] == costs[ret], c
	assert 0 < c['body'] * costs['ipc'] <= ${own:-0}, (c, 'wrapper: ${own:-?} instructions')"

ktap_check "the trigger's work is counted once: the wrapper's tail call, no call or return" json "
w = site('kvm_pmu_instruction_retired', 'kvm_pmu_trigger_event')
s = site('kvm_skip_emulated_instruction', 'kvm_pmu_instruction_retired')
for p in ('zen2', 'icelake-sp'):
	t, c = cost(w, p), cost(s, p)
	assert t['sequence'] == 'tail call' and t['call'] == 0 and t['ret'] == 0, t
	assert t['body'] > 0, t
	assert abs(c['inner'] - t['total']) < 0.05, (c, t)
	assert abs(c['total'] - (c['call'] + c['ret'] + c['body'] + t['total'])) < 0.05, (c, t)"

ktap_check "zen2 saves tens of cycles a wrapper call, more than icelake-sp" json "
s = site('kvm_skip_emulated_instruction', 'kvm_pmu_instruction_retired')
save = {p: cost(s, p)['total'] - prof(p)['costs']['guard'] for p in ('zen2', 'icelake-sp')}
print('# saving per call: %s' % save)
assert save['zen2'] > 40 and save['zen2'] > save['icelake-sp'] > 0, save"

# The PMU triggers table: "| `file:line` | `caller` | `callee` | status | ...".
ktap_check "audit.md: the PMU triggers table lists the five callers, not the wrappers" eval \
	'diff -u <(python3 -c "print(\"\\n\".join(\" \".join(x) for x in $callers))") \
		<(sed -n "/^## PMU triggers/,/^## /p" "$SCRATCH/a/audit.md" |
		  sed -n "s/^| \`[^\`]*\` | \`\([a-z0-9_]*\)\` | \`\([a-z_]*\)\` | unguarded | .*/\1 \2/p" | sort)'

ktap_check "audit.sarif: one unguarded-pmu-trigger result a caller, none in a wrapper" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["runs"][0]["results"]
pmu = [x for x in r if x["ruleId"] == "unguarded-pmu-trigger"]
where = sorted(x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in pmu)
assert where == ["mainline_pmu.c"] + 4 * ["mainline_x86.c"], where
' "$SCRATCH/a/audit.sarif"

ktap_check "audit.sarif: Microsoft's SARIF Multitool validates it" sarif_valid "$SCRATCH/a/audit.sarif"
ktap_check "audit.html: a row marked unguarded for each caller only" eval \
	'test "$(grep -c "<td class=u>unguarded<" "$SCRATCH/a/audit.html")" = 5'

# The words of make patches, from this audit (kernel-patches/describe).
printf '0001 KVM: x86: Skip the PMU event triggers\n' >"$SCRATCH/patches"
: >"$SCRATCH/offpath"
"$TOP/kernel-patches/describe" cover "$SCRATCH/a/audit.json" "$SCRATCH/patches" \
	"$SCRATCH/offpath" "$SCRATCH/patches" >"$SCRATCH/cover" 2>&1
# joined FILE TEXT: FILE, its lines joined, holds TEXT.
joined()
{
	tr '\n' ' ' <"$1" | grep -qF -- "$2" || { cat "$1"; echo "# no '$2' in it"; false; }
}
save=$(json "
s = site('kvm_skip_emulated_instruction', 'kvm_pmu_instruction_retired')
print('%.1f' % (cost(s, 'zen2')['total'] - prof('zen2')['costs']['guard']))")
ktap_check "the cover letter names the wrappers it guards, and their saving" eval \
	'joined "$SCRATCH/cover" "KVM calls kvm_pmu_branch_retired() and kvm_pmu_instruction_retired() on VM-exit paths" &&
	 joined "$SCRATCH/cover" "zen2             $save cycles a call" &&
	 ! grep -n kvm_pmu_trigger_event "$SCRATCH/cover"'
"$TOP/kernel-patches/describe" patch "$SCRATCH/a/audit.json" "KVM: x86:" mainline_x86.c:27 \
	mainline_x86.c:38 mainline_x86.c:40 >"$SCRATCH/patch" 2>&1
ktap_check "a patch's changelog names the wrapper calls it guards, and their saving" eval \
	'joined "$SCRATCH/patch" "call kvm_pmu_instruction_retired() and kvm_pmu_branch_retired() on the VM-exit paths" &&
	 joined "$SCRATCH/patch" "zen2             $save cycles a call"'

ktap_finished
