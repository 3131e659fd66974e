#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Loops priced by trip counts derived from the code, on fixtures of our own
# (tests/analyzer/trips/, built as a tiny KVM module with the kernel's
# code-generation flags):
#  - a loop over a bitmap that AMD's refresh fills whatever enable_pmu is
#    and Intel's only after an early return on !enable_pmu: 6 iterations
#    on an AMD profile (PERFCTR_CORE), none on an Intel one, and Intel's 8
#    under a scenario with the PMU on;
#  - a counter loop with a constant bound: 4;
#  - a bitmap set only when the vCPU has an APIC: a range by default, 3 or
#    0 under a fact about vcpu->apic;
#  - counts nothing derives (a bitmap as wide as the hardware says, a
#    while loop): a range, the low end ranking, "trip count unknown";
# and a malformed fact, or one about no field the code has, in one line.

. "$(dirname "$0")/../lib.sh"

ktap_require python3 python3
ktap_require gcc gcc
ktap_require objdump binutils
ktap_scratch
hp=$TOP/analyzer/hotpath
src=$TESTS/analyzer/trips
if [ ! -x "$hp" ]; then
	ktap_print_header
	ktap_exit_fail_msg "$hp not built: run 'make -C analyzer' (make check does)"
fi

# The module: Kbuild's objects and kvm.mod, and the compilation database.
kvm_module "$src" arch/x86/kvm/pmu.c=pmu.o arch/x86/kvm/x86.c=x86.o \
	arch/x86/kvm/svm/pmu.c=svm/pmu.o arch/x86/kvm/vmx/pmu_intel.c=vmx/pmu_intel.o
echo +handle_exit_fixture >"$SCRATCH/roots"

ktap_print_header
ktap_set_plan 10

"$hp" callgraph --cdb "$SCRATCH/db" --srctree "$src" --scope "" --name linux-7.3 \
	--roots "$SCRATCH/roots" --quiet --output "$SCRATCH/cg.json" 2>"$SCRATCH/cg.err"

# audit DIR [SCENARIO]: the audit on zen2 and icelake-sp into SCRATCH/DIR.
audit()
{
	mkdir -p "$SCRATCH/$1"
	"$hp" audit --build "$SCRATCH/build" --profile "$TOP/analyzer/profiles/zen2.profile" \
		--profile "$TOP/analyzer/profiles/icelake-sp.profile" ${2:+--scenario "$2"} \
		--output-dir "$SCRATCH/$1" "$SCRATCH/cg.json" 2>"$SCRATCH/$1.err"
}
audit a
cat >"$SCRATCH/pmu-on.txt" <<'EOS'
# The VM has a PMU; the vCPU an APIC.
kvm->arch.enable_pmu = 1
vcpu->apic != NULL
EOS
audit on "$SCRATCH/pmu-on.txt"
printf 'vcpu->apic = NULL\n' >"$SCRATCH/noapic.txt"
audit noapic "$SCRATCH/noapic.txt"
ktap_check "hotpath audit writes the audit of the fixture module, by default and under two scenarios" eval \
	'for d in a on noapic; do test -s "$SCRATCH/$d/audit.json" || { cat "$SCRATCH/cg.err" "$SCRATCH/$d.err"; exit 1; }; done'

# json DIR PYTHON: assertions on DIR's audit.json, loaded as a, with
# trip(func, prof) the loop of func on prof, site(caller, callee), cost(s, prof),
# line(file, text) the line of text in a fixture file.
json()
{
	python3 -c "
import json, sys
a = json.load(open(sys.argv[1]))
def trip(func, prof):
	l = [l for l in a['loops'] if l['func'] == func]
	assert len(l) == 1, (func, l)
	return [t for t in l[0]['trips'] if t['profile'] == prof][0]
def site(caller, callee):
	s = [s for s in a['sites'] if s['caller'] == caller and s['callee'] == callee]
	assert len(s) == 1, (caller, callee, s)
	return s[0]
def cost(s, prof):
	return [c for c in s['cost'] if c['profile'] == prof][0]
def prof(name):
	return [p for p in a['profiles'] if p['name'] == name][0]
def line(file, text):
	return [i + 1 for i, l in enumerate(open('$src/arch/x86/kvm/' + file)) if text in l][0]
$2" "$SCRATCH/$1/audit.json"
}

ktap_check "a bitmap AMD's refresh fills whatever enable_pmu is: 6 iterations on zen2 (PERFCTR_CORE)" json a "
t = trip('kvm_pmu_trigger_event', 'zen2')
assert t['derived'] and t['low'] == t['high'] == 6, t
want = 'kvm_pmu->all_valid: 6 bits, set by amd_pmu_refresh() (svm/pmu.c:%d), which runs whatever kvm->arch.enable_pmu' % line('svm/pmu.c', 'bitmap_set(')
assert t['why'].startswith(want), (t['why'], want)"

ktap_check "Intel's refresh returns first: none on icelake-sp, and why, at the fixture's lines" json a "
t = trip('kvm_pmu_trigger_event', 'icelake-sp')
assert t['derived'] and t['low'] == t['high'] == 0, t
want = ('intel_pmu_refresh() returns early when !kvm->arch.enable_pmu (vmx/pmu_intel.c:%d), before its bitmap_set() (vmx/pmu_intel.c:%d)'
	% (line('vmx/pmu_intel.c', 'if (!vcpu->kvm->arch.enable_pmu)'), line('vmx/pmu_intel.c', 'bitmap_set(')))
assert want in t['why'], (t['why'], want)
assert 'zeroed with the whole struct by kvm_pmu_init() (pmu.c:%d)' % line('pmu.c', 'memset(') in t['why'], t"

ktap_check "each iteration is charged: zen2's call costs its call, return and body plus 6 iterations" json a "
s = site('handle_exit_fixture', 'kvm_pmu_trigger_event')
z, i = cost(s, 'zen2'), cost(s, 'icelake-sp')
pz, pi = prof('zen2')['costs'], prof('icelake-sp')['costs']
# An iteration makes at least the retpolined indirect call and its safe-RET.
assert z['inner'] >= 6 * (pz['retpoline'] + pz['srso_safe_ret']), (z, pz)
assert abs(z['total'] - (z['call'] + z['ret'] + z['body'] + z['inner'])) < 0.05, z
# On icelake-sp only the loop head's find_next_bit() call: no iteration.
assert abs(i['inner'] - (pi['call'] + pi['return_thunk'])) < 0.05 and i['total_high'] == i['total'], i
print('# per call: zen2 %.1f, icelake-sp %.1f cycles' % (z['total'], i['total']))"

ktap_check "under a scenario with the PMU on, Intel's refresh fills 8 bits; AMD's 6 as before" json on "
assert [f['fact'] for f in a['scenario']['facts']] == ['kvm->arch.enable_pmu = 1', 'kvm_vcpu->apic != 0'], a['scenario']
ti, tz = trip('kvm_pmu_trigger_event', 'icelake-sp'), trip('kvm_pmu_trigger_event', 'zen2')
assert ti['derived'] and ti['low'] == 8 and tz['low'] == 6, (ti, tz)
assert 'set by intel_pmu_refresh() (vmx/pmu_intel.c:%d)' % line('vmx/pmu_intel.c', 'bitmap_set(') in ti['why'], ti"

ktap_check "a counter loop with a constant bound: 4 iterations, the constant named" json a "
for p in ('zen2', 'icelake-sp'):
	t = trip('walk_constant', p)
	assert t['derived'] and t['low'] == 4, t
	assert t['why'] == '4 iterations: up to the constant NUM_COUNTERS (4)', t"

ktap_check "a writer that runs only when a fact holds: a range by default, 3 or 0 under a fact" eval '
	json a "t = trip(\"walk_lbr\", \"zen2\"); assert not t[\"derived\"] and (t[\"low\"], t[\"high\"]) == (0, 3), t" &&
	json on "t = trip(\"walk_lbr\", \"zen2\"); assert t[\"derived\"] and t[\"low\"] == 3, t" &&
	json noapic "t = trip(\"walk_lbr\", \"icelake-sp\"); assert t[\"derived\"] and t[\"low\"] == 0, t"'

ktap_check "counts nothing derives: a range from the loop not run to the bound, or open; low end ranks" json a "
t = trip('walk_hw', 'zen2')
assert not t['derived'] and t['low'] == 0 and t['high'] == 64 and 'trip count unknown' in t['why'], t
w = trip('walk_while', 'zen2')
assert not w['derived'] and w['high'] is None and w['why'].startswith('trip count unknown'), w
s = site('handle_exit_fixture', 'walk_hw')
c = cost(s, 'zen2')
assert c['total_high'] > c['total'] and c['trip_unknown'] == 'arch/x86/kvm/x86.c:%d' % line('x86.c', 'for_each_set_bit(i, vcpu->pmu->hw_valid'), c
c = cost(site('handle_exit_fixture', 'walk_while'), 'zen2')
assert c['total_high'] is None and c['per_exit'] == c['total'], c"

ktap_check "audit.md: the scenario's facts, and a range where a count is not derived" eval '
	grep -q "^- \`kvm->arch.enable_pmu = 0\` (the VM'"'"'s PMU is disabled)" "$SCRATCH/a/audit.md" &&
	grep -q "^- \`kvm_vcpu->apic != 0\` (.*pmu-on.txt:3)" "$SCRATCH/on/audit.md" &&
	grep -qE "\| [0-9.]+ to [0-9.]+ \| \`arch/x86/kvm/x86.c:[0-9]+\` \| \`handle_exit_fixture\` \| call \`walk_hw\`" "$SCRATCH/a/audit.md"'

# bad FILE WANT: the audit under SCENARIO=FILE fails with WANT, one line, no report.
bad()
{
	rm -rf "$SCRATCH/bad" && mkdir "$SCRATCH/bad"
	ktap_fails_with "$2" "$hp" audit --build "$SCRATCH/build" \
		--profile "$TOP/analyzer/profiles/zen2.profile" --scenario "$1" --output-dir "$SCRATCH/bad" \
		"$SCRATCH/cg.json" && [ -z "$(ls -A "$SCRATCH/bad")" ]
}
printf '# comment\nkvm->arch.enable_pmu 0\n' >"$SCRATCH/nop.txt"
printf 'kvm->arch.enable_pmu = 0\r\nvcpu->arch.apicx != NULL\n' >"$SCRATCH/unknown.txt"
printf 'kvm->arch.enable_pmu = maybe\n' >"$SCRATCH/value.txt"
printf 'kvm->arch.enable_pmu = 0\nkvm->arch.enable_pmu = 1\n' >"$SCRATCH/twice.txt"
ktap_check "bad input: a malformed fact, an unknown field, a bad value, a fact twice, no file: one line each" eval '
	bad "$SCRATCH/nop.txt" "nop.txt:2: kvm->arch.enable_pmu: no \"=\" or \"!=\" after it" &&
	bad "$SCRATCH/unknown.txt" "unknown.txt:2: vcpu->arch.apicx: no condition, write or loop in the analysed code reads or sets it" &&
	bad "$SCRATCH/value.txt" "value.txt:1: kvm->arch.enable_pmu: the value is a number, true, false or NULL" &&
	bad "$SCRATCH/twice.txt" "twice.txt:2: kvm->arch.enable_pmu: a second fact about it" &&
	bad "$SCRATCH/nosuch.txt" "SCENARIO=$SCRATCH/nosuch.txt: cannot read it: No such file or directory"'

ktap_finished
