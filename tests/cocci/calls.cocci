// SPDX-License-Identifier: GPL-2.0
/// For pmu_guard_fixtures.sh: every PMU-trigger call spatch parsed, as
/// LINE NAME.  spatch exits 0 and changes nothing in a function it cannot
/// parse, so "the rule left the file as it was" needs this to tell "left
/// alone" from "never seen".
//
// Options: --no-includes --include-headers

@r@
identifier fn = {kvm_pmu_trigger_event, kvm_pmu_instruction_retired,
		 kvm_pmu_branch_retired};
position p;
@@
fn@p(...)

@script:python@
fn << r.fn;
p << r.p;
@@
print("%s %s" % (p[0].line, fn))
