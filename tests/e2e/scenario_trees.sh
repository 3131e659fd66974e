#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The PMU trigger on Debian's 6.1 and 6.12 trees under the default scenario
# (the VM's PMU off), per vendor, with the derivation of its loop's trip
# count checked against the trees' own refresh functions:
#  - 6.1: amd_pmu_refresh() sets kvm_pmu->all_valid_pmc_idx without testing
#    enable_pmu, so on Zen 2 the trigger makes a static call per counter
#    (6: PERFCTR_CORE); intel_pmu_refresh() returns first, so none on Ice
#    Lake-SP;
#  - 6.12: kvm_pmu_refresh() clears the bitmap and returns before either
#    vendor's refresh: no iteration, and the seed site's estimate within
#    15% of the 57 (Zen 2) and 26 (Ice Lake-SP) cycles measured;
# a SCENARIO= with the PMU on and no counter programmed; and the same
# reports from a rerun.  Reuses the trees' analyses callgraph_trees.sh left.

. "$(dirname "$0")/../lib.sh"

ktap_require python3 python3
ktap_require objdump binutils
ktap_scratch

for v in 6.1 6.12; do
	[ -f "$CACHE/linux-source-$v/Makefile" ] ||
		ktap_exit_fail_msg "$CACHE/linux-source-$v missing: run 'make check', which extracts it"
done

# audit V DIR [SCENARIO]: make audit of linux-source-V into SCRATCH/DIR.
audit()
{
	make -s -C "$TOP" audit KDIR="$CACHE/linux-source-$1" REPORTS="$SCRATCH/$2" \
		CPU=zen2,icelake-sp ${3:+SCENARIO="$3"} >/dev/null 2>"$SCRATCH/$2.err"
}

# json V DIR PYTHON: assertions on the audit.json of V in DIR: a; trip(prof),
# the trigger's loop on prof; seed(); cost(site, prof); at(file, text), the
# tree's "file:line" where text is (file under arch/x86/kvm/).
json()
{
	local d
	d=$(ls -d "$SCRATCH/$2"/linux-*) || return 1
	python3 -c "
import json, sys
a = json.load(open(sys.argv[1] + '/audit.json'))
def trip(prof):
	l = [l for l in a['loops'] if l['func'] == 'kvm_pmu_trigger_event']
	assert len(l) == 1, l
	return [t for t in l[0]['trips'] if t['profile'] == prof][0]
def seed():
	s = [x for x in a['sites'] if x['caller'] == 'kvm_skip_emulated_instruction'
	     and x['callee'] == 'kvm_pmu_trigger_event']
	assert len(s) == 1, s
	return s[0]
def cost(site, prof):
	return [c for c in site['cost'] if c['profile'] == prof][0]
def at(file, text, after=None):
	lines = open('$CACHE/linux-source-$1/arch/x86/kvm/' + file).read().split('\n')
	start = [i for i, l in enumerate(lines) if after in l][0] if after else 0
	return '%s:%d' % (file, [i for i, l in enumerate(lines) if i >= start and text in l][0] + 1)
$3" "$d"
}

ktap_print_header
ktap_set_plan 8

audit 6.1 d61 && audit 6.12 d612
ktap_check "make audit of 6.1 and 6.12 under the default scenario" eval \
	'[ -s "$SCRATCH/d61/linux-6.1.192/audit.json" ] && [ -s "$SCRATCH/d612/linux-6.12.117/audit.json" ] ||
	 { cat "$SCRATCH/d61.err" "$SCRATCH/d612.err"; false; }'
json 6.1 d61 '
for p in ("zen2", "icelake-sp"):
	t = trip(p)
	print("# 6.1 %s: seed site %.1f cycles; %s" % (p, cost(seed(), p)["total"], t["why"]))'
json 6.12 d612 '
for p in ("zen2", "icelake-sp"):
	t = trip(p)
	print("# 6.12 %s: seed site %.1f cycles; %s" % (p, cost(seed(), p)["total"], t["why"]))'

ktap_check "6.1 zen2: 6 iterations, set by amd_pmu_refresh() without testing enable_pmu" json 6.1 d61 '
t = trip("zen2")
assert t["derived"] and t["low"] == 6, t
want = "kvm_pmu->all_valid_pmc_idx: 6 bits, set by amd_pmu_refresh() (%s), which runs whatever kvm->arch.enable_pmu" % \
	at("svm/pmu.c", "bitmap_set(pmu->all_valid_pmc_idx, 0, pmu->nr_arch_gp_counters)")
assert t["why"].startswith(want), (t["why"], want)'

ktap_check "6.1 icelake-sp: none, intel_pmu_refresh() returns early when !enable_pmu, before its bitmap_set()" \
	json 6.1 d61 '
t = trip("icelake-sp")
assert t["derived"] and t["low"] == 0, t
for want in ("zeroed with the whole struct by kvm_pmu_init() (%s)" % at("pmu.c", "memset(pmu, 0, sizeof(*pmu))"),
	     "intel_pmu_refresh() returns early when !\u2026 || !kvm->arch.enable_pmu (%s), before its bitmap_set() (%s)"
	     % (at("vmx/pmu_intel.c", "if (!entry || !vcpu->kvm->arch.enable_pmu)"),
		at("vmx/pmu_intel.c", "bitmap_set(pmu->all_valid_pmc_idx,"))):
	assert want in t["why"], (t["why"], want)'

ktap_check "6.1: the trigger costs zen2 its 6 iterations, several times the call alone; icelake-sp none" \
	json 6.1 d61 '
z, i = cost(seed(), "zen2"), cost(seed(), "icelake-sp")
assert z["total"] > 4 * (z["call"] + z["ret"] + z["body"]) and z["total"] == z["total_high"], z
assert i["inner"] < i["call"] + i["ret"], i'

ktap_check "6.12: no iteration on either vendor, kvm_pmu_refresh() clears and returns first" json 6.12 d612 '
for p, r in (("zen2", "amd_pmu_refresh"), ("icelake-sp", "intel_pmu_refresh")):
	t = trip(p)
	assert t["derived"] and t["low"] == 0, t
	for want in ("cleared by kvm_pmu_refresh() (%s)" % at("pmu.c", "bitmap_zero(pmu->all_valid_pmc_idx"),
		     "%s() does not run: kvm_pmu_refresh() returns before calling it when !kvm->arch.enable_pmu (%s)"
		     % (r, at("pmu.c", "if (!vcpu->kvm->arch.enable_pmu)", "void kvm_pmu_refresh("))):
		assert want in t["why"], (t["why"], want)'

ktap_check "6.12: the seed site within 15% of the 57 (Zen 2) and 26 (Ice Lake-SP) cycles measured" \
	json 6.12 d612 '
for p, m in (("zen2", 57), ("icelake-sp", 26)):
	c = cost(seed(), p)
	assert abs(c["total"] - m) <= 0.15 * m and c["total_high"] == c["total"], (p, c)'

cat >"$SCRATCH/pmu-on.txt" <<'EOS'
# The VM has a PMU, six counters as a Zen 2 guest sees them, none enabled.
kvm->arch.enable_pmu = 1
kvm_pmu->nr_arch_gp_counters = 6
kvm_pmu->global_ctrl = 0
EOS
audit 6.1 on61 "$SCRATCH/pmu-on.txt" && audit 6.12 on612 "$SCRATCH/pmu-on.txt"
ktap_check "SCENARIO= with the PMU on and no counter enabled: zen2 walks its 6 counters on both trees" eval '
	json 6.1 on61 "
t = trip(\"zen2\")
assert t[\"derived\"] and t[\"low\"] == 6, t
assert [f[\"fact\"] for f in a[\"scenario\"][\"facts\"]][0] == \"kvm->arch.enable_pmu = 1\", a[\"scenario\"]
print(\"# 6.1 PMU on: zen2 %.1f, icelake-sp %.1f to %s cycles\" % (cost(seed(), \"zen2\")[\"total\"],
      cost(seed(), \"icelake-sp\")[\"total\"], cost(seed(), \"icelake-sp\")[\"total_high\"]))" &&
	json 6.12 on612 "
t = trip(\"zen2\")
assert t[\"derived\"] and t[\"low\"] == 6 and \"bitmap_copy()\" in t[\"why\"], t
assert cost(seed(), \"zen2\")[\"total\"] > 57 * 2, cost(seed(), \"zen2\")
print(\"# 6.12 PMU on: zen2 %.1f cycles; %s\" % (cost(seed(), \"zen2\")[\"total\"], t[\"why\"]))"'

audit 6.12 again
ktap_check "the same reports from a rerun" same_reports "$SCRATCH/again/linux-6.12.117" "$SCRATCH/d612/linux-6.12.117"

ktap_finished
