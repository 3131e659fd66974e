# SPDX-License-Identifier: GPL-2.0
#
# kvm-hotpath CPU cost profile: AMD Zen 2.
# Covers AMD family 0x17 models 0x30-0x4f, 0x60-0x7f, 0x90-0x91, 0xa0-0xaf,
# the Zen 2 ranges of the Zen-generation switch in amd.c (6.12:492-507,
# 6.1:682-697): EPYC 7002 "Rome" (model 0x31, e.g. the EPYC 7302 of the
# motivating measurement), Ryzen 3000 "Matisse" (0x71). Zen 1 (models
# 0x00-0x2f, 0x50-0x5f) and Hygon family 0x18 take the same bugs.c paths but
# are not modelled.
#
# Trees: Debian linux-source 6.1.192 and 6.12.117 (~/.cache/kvm-hotpath);
# file:line below are in those trees, under arch/x86/kernel/cpu/ unless a
# path is given. Debian's configs (/usr/src/linux-config-*/
# config.amd64_none_amd64.xz):
#   6.1:  GCC 12 build, CFI_CLANG unset, X86_KERNEL_IBT unset; RETPOLINE,
#         RETHUNK, CPU_UNRET_ENTRY, CPU_IBPB_ENTRY, CPU_IBRS_ENTRY, CPU_SRSO,
#         SLS, MITIGATION_{SPECTRE_BHI,ITS,TSA,VMSCAPE}=y. The tree has no
#         call depth tracking at all.
#   6.12: GCC 12 build, CFI_CLANG unset, X86_KERNEL_IBT=y; MITIGATION_
#         {RETPOLINE,RETHUNK,UNRET_ENTRY,IBPB_ENTRY,IBRS_ENTRY,SRSO,SLS,
#         SPECTRE_BHI,ITS,TSA,VMSCAPE,CALL_DEPTH_TRACKING}=y, CALL_THUNKS=y
#         (depth tracking is patched in only with retbleed=stuff or
#         indirect_target_selection=stuff).
#   So a Debian kernel never runs kCFI/FineIBT: cfi= below is what a Clang
#   CONFIG_CFI_CLANG build of the same tree would pick.

name zen2
cpu AMD Zen 2 (EPYC 7002 "Rome")
vendor amd
# CPUID features the cost model's cpuid() tests read (/proc/cpuinfo names; -x: absent).
# PerfCtrExtCore since family 0x15; PerfMonV2 from Zen 4 (CPUID 0x80000022).
features perfctr_core -perfmon_v2
models		0x17	0x30-0x4f,0x60-0x7f,0x90-0x91,0xa0-0xaf

# --- Per-call costs: cycles at core clock ------------------------------
# "Zen 5 measurement" = figures gathered for this project in user space on a
# Zen 5 machine, timing replicas of the kernel's thunks.
# No per-call figure is published for Zen 2.
# The Zen 5 figures are assumed to carry over. Predicted call/ret/indirect
# cost a few cycles on any recent core (error ~1 cycle). Retpoline and
# safe-RET costs are dominated by one deliberately mispredicted RET, about
# one pipeline refill, which differs per core and was not measured here:
# treat them as +-30%.
call			3	# Zen 5 measurement: direct call + ret ~3, carried over
indirect		5	# Zen 5 measurement: predicted call *%rax + ret ~5, carried over
# retpoline: call __x86_indirect_thunk_rax = call 1f; mov %rax,(%rsp); ret
# (lib/retpoline.S 6.12:19-31, 6.1:17-29), the ret mispredicted by design.
# The thunk's own RET is `jmp __x86_return_thunk` (asm/linkage.h RET) and is
# patched like any return site; where return=srso_* that ret already is the
# mispredicted one, so it adds only a call+lea (~2, not included).
retpoline		36	# Zen 5 measurement: thunk call + ret ~36, carried over
retpoline_lfence	25	# Zen 5 measurement: lfence; call *%rax + ret 24-26, carried over
# its: call __x86_indirect_its_thunk_rax (or a per-site copy from
# its_allocate_thunk); the thunk is `jmp *%rax` in the upper half of a
# cacheline (lib/retpoline.S 6.12:391-423, 6.1:342-374). return_thunk: the
# ret becomes `jmp its_return_thunk` (or retbleed_return_thunk), an aligned
# plain ret. No measurement of either: reasoned from the sequence, one extra
# direct branch (~1-2 cycles) over indirect / over a plain ret. Only sites
# whose branch ends in the lower 32 bytes of a line take a thunk
# (kernel/alternative.c: cpu_wants_indirect_its_thunk_at 6.12:782 / 6.1:588,
# cpu_wants_rethunk_at 6.12:954 / 6.1:764), about half; the others become a
# plain call *%reg / ret. Charging every site is an upper bound. ITS is
# Intel-only (common.c:vulnerable_to_its).
its			6.5	# sequence: indirect (5) + one direct call/jmp (~1.5)
return_thunk		1.5	# sequence: one extra direct jmp to an aligned ret, ~1-2
# srso_safe_ret: srso_return_thunk = call srso_safe_ret; ud2, and
# srso_safe_ret = lea 8(%rsp),%rsp; ret (lib/retpoline.S 6.12:222-245,
# 6.1:309-333): the ret is predicted to the ud2 and always mispredicts.
# srso_alias: srso_alias_return_thunk does the same call/lea/ret through
# srso_alias_safe_ret, placed to alias srso_alias_untrain_ret in the BTB
# (6.12:159-197, 6.1:97-205); no separate measurement, same mispredicted ret.
srso_safe_ret		35	# Zen 5 measurement: ~35 extra per return, carried over
srso_alias		35	# srso_safe_ret figure reused: same call/lea/mispredicted ret, carried over
# call_depth: no measurement. A call is sent to an accounting thunk in the
# callee's padding, `sarq $5, %gs:call_depth` (asm/nospec-branch.h
# INCREMENT_CALL_DEPTH); the return jumps to call_depth_return_thunk,
# `shlq $5, %gs:call_depth; jz 1f; ret` (lib/retpoline.S 6.12:358-385).
# Two per-CPU read-modify-writes chained through store forwarding plus one
# extra jmp per pair: assumed 4. The 16-call RSB refill runs only after ~12
# unbalanced returns, ~0 on a shallow exit path. Never a default here: 6.1
# lacks it; 6.12 uses it only with retbleed=stuff (bugs.c:1089-1093,
# 1159-1165) or indirect_target_selection=stuff (1324-1331).
call_depth		4	# assumption from the sequence above
# kcfi: caller `movl $-hash,%r10d; addl -15(%r11),%r10d; je 1f; ud2`, a load
# of the callee's preamble bytes (kernel/alternative.c 6.12:1226-1250).
# fineibt (6.12 only): caller `movl $hash,%r10d; sub $16,%r11; nop4`,
# callee preamble `endbr64; subl $hash,%r10d; je` (kernel/alternative.c
# 6.12:1226-1280): ~5 simple uops, no load, a predicted jcc; assumed 1.
# The FineIBT paper
# ("FineIBT: Fine-grain Control-flow Enforcement with Indirect
# Branch Tracking") reports ~0-1.94% slowdowns on SPEC CPU2017.
kcfi			1.5	# Zen 5 measurement: 1-2 extra per indirect call, carried over
fineibt			1	# assumption from the sequence above
ipc			1	# model assumption: kernel code run once per VM exit, not hot in the uop cache; see README
# guard: if (unlikely(vcpu->kvm->arch.enable_pmu)): two dependent L1-hit
# loads feeding a predicted not-taken branch; out-of-order execution hides
# most of the load latency behind the surrounding exit-path work.
guard			1	# two L1-hit loads + predicted not-taken branch, mostly hidden
# cpuid_exit: ~2100, derived from the motivating patch: guarding
# kvm_pmu_trigger_event() saved 57 cycles = +2.7% on an EPYC 7302, and
# 57/0.027 = ~2100.
# Public kvm-unit-tests vmexit figures gathered for this project:
# ~1000-1100 cycles with mitigations off, 1600+ with them on.
# Included in this baseline (default mitigations), besides the per-call
# costs above on every call and return of the path:
#  - RSB fill (32 entries) after #VMEXIT: FILL_RETURN_BUFFER in
#    kvm/svm/vmenter.S (6.12:212 on RSB_VMEXIT, set for retpoline at
#    bugs.c:1801; 6.1:210 on X86_FEATURE_RETPOLINE);
#  - return untraining after #VMEXIT: UNTRAIN_RET_VM / UNTRAIN_RET
#    (svm/vmenter.S 6.12:224, 6.1:223) -> entry_untrain_ret ->
#    srso_untrain_ret (X86_FEATURE_SRSO);
#  - host SPEC_CTRL restore, an MSR write only when the guest's value
#    differs (RESTORE_HOST_SPEC_CTRL, svm/vmenter.S 6.12:215, 6.1:214);
#  - STIBP always-on, forced to complement retbleed=unret (bugs.c
#    6.12:1598-1604, 6.1:1539): an SMT-wide cost, not per exit.
# Not on a CPUID exit: the VMSCAPE IBPB before the next return to user space
# (vmscape_select_mitigation 6.12:2993, 6.1:2911), paid only by exits that
# reach the VMM in user space.
cpuid_exit		2100	# derived: 57 cycles = +2.7% on EPYC 7302 (motivating patch)

# --- Default mitigations (a line applies from its version on) ---------
# 6.1.192, bugs.c:
#  spectre_v2 auto (1858): no IBRS_ENHANCED (AutoIBRS starts with Zen 4);
#    the IBRS branch is Intel-only (1864-1871) -> spectre_v2_select_retpoline
#    (1670-1677) = SPECTRE_V2_RETPOLINE, X86_FEATURE_RETPOLINE (1936); the
#    lfence form only with spectre_v2=retpoline,lfence. Sites keep calling the
#    generic thunk (kernel/alternative.c:patch_retpoline 625).
#  retbleed: family 0x17 is RETBLEED in cpu_vuln_blacklist (common.c:1318);
#    auto on AMD with CPU_UNRET_ENTRY=y -> UNRET (1081-1086),
#    retbleed_return_thunk (1106).
#  SRSO: family 0x17 is SRSO (common.c:1318); default safe-ret (2712); SMT
#    possible, so no SRSO_NO (2764); family != 0x19 -> srso_return_thunk
#    (2789-2803), replacing retbleed's thunk (SRSO is selected after retbleed,
#    cpu_select_mitigations 149). With SMT off: SRSO_NO, and returns stay on
#    retbleed_return_thunk (return=thunk).
#  ITS: Intel only (vulnerable_to_its, common.c:1371). BHI: AMD whitelisted
#    NO_BHI (common.c:1217), no clearing loop.
#  cfi: 6.1 has kCFI only (no FineIBT, no cfi= in kernel/alternative.c).
defaults	6.1	indirect=retpoline	return=srso_safe_ret	cfi=kcfi	# bugs.c:1873+1936 generic retpoline; 2789-2803 srso_return_thunk
#
# 6.12.117, bugs.c:
#  spectre_v2 auto (1923): no IBRS_ENHANCED; the IBRS branch is Intel-only
#    (1929-1937) -> spectre_v2_select_retpoline (1730-1737), RETPOLINE
#    (2002), no LFENCE; kernel/alternative.c:patch_retpoline (811) keeps the
#    thunk call (no CALL_DEPTH).
#  retbleed: common.c:1301; auto on AMD with MITIGATION_UNRET_ENTRY=y ->
#    UNRET (1105-1109), retbleed_return_thunk (1129).
#  SRSO: common.c:1301; default safe-ret (2788); SMT possible, so the
#    SMT-off exemption (2833) does not apply; Zen 2 has no
#    SRSO_USER_KERNEL_NO (2859-2860); family != 0x19 ->
#    srso_return_thunk (2870-2875), overriding retbleed's. With SMT off:
#    SRSO_NO, returns stay on retbleed_return_thunk (return=thunk).
#  ITS: Intel only (vulnerable_to_its, common.c:1355). BHI: AMD whitelisted
#    NO_BHI (common.c:1200), no clearing loop.
#  cfi: CFI_AUTO_DEFAULT defaults to y (arch/x86/Kconfig:2420-2424), so
#    cfi_mode starts as CFI_AUTO (kernel/alternative.c:1095-1103) and becomes
#    FineIBT only with X86_FEATURE_IBT (1467-1471). AMD parts do not
#    enumerate CET-IBT (AMD's CET is shadow stack only) -> kcfi.
defaults	6.12	indirect=retpoline	return=srso_safe_ret	cfi=kcfi	# bugs.c:1939+2002 generic retpoline; 2858-2875 srso_return_thunk
