# SPDX-License-Identifier: GPL-2.0
#
# kvm-hotpath CPU cost profile: AMD Zen 5.
# Covers AMD family 0x1a models 0x00-0x2f, 0x40-0x4f, 0x60-0x7f and
# 0xd0-0xd7, the Zen 5 ranges of amd.c (6.12:526-536; 6.1 has no Zen 5
# case): EPYC 9005 "Turin", Ryzen 9000.
# Caveat, 6.12 only: with SEV-SNP host support enabled by the BIOS,
# cpu_set_bug_bits does not use AutoIBRS (common.c:1402-1408) and
# spectre_v2 falls back to the generic retpoline. Not modelled.
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

name zen5
cpu AMD Zen 5 (EPYC 9005 "Turin")
vendor amd
# CPUID features the cost model's cpuid() tests read (/proc/cpuinfo names; -x: absent).
# PerfCtrExtCore since family 0x15; PerfMonV2 from Zen 4 (CPUID 0x80000022).
features perfctr_core perfmon_v2
models		0x1a	0x00-0x2f,0x40-0x4f,0x60-0x7f,0xd0-0xd7

# --- Per-call costs: cycles at core clock ------------------------------
# "Zen 5 measurement" = figures gathered for this project in user space on a
# Zen 5 machine, timing replicas of the kernel's thunks.
# These are this core's own figures (user space, not in-kernel; kernel text
# run once per exit is colder, which the ipc assumption below covers).
call			3	# Zen 5 measurement: direct call + ret ~3
indirect		5	# Zen 5 measurement: predicted call *%rax + ret ~5
# retpoline: call __x86_indirect_thunk_rax = call 1f; mov %rax,(%rsp); ret
# (lib/retpoline.S 6.12:19-31, 6.1:17-29), the ret mispredicted by design.
# The thunk's own RET is `jmp __x86_return_thunk` (asm/linkage.h RET) and is
# patched like any return site; where return=srso_* that ret already is the
# mispredicted one, so it adds only a call+lea (~2, not included).
retpoline		36	# Zen 5 measurement: thunk call + ret ~36
retpoline_lfence	25	# Zen 5 measurement: lfence; call *%rax + ret 24-26
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
srso_safe_ret		35	# Zen 5 measurement: ~35 extra per return
srso_alias		35	# srso_safe_ret figure reused: same call/lea/mispredicted ret
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
kcfi			1.5	# Zen 5 measurement: 1-2 extra per indirect call
fineibt			1	# assumption from the sequence above
ipc			1	# model assumption: kernel code run once per VM exit, not hot in the uop cache; see README
# guard: if (unlikely(vcpu->kvm->arch.enable_pmu)): two dependent L1-hit
# loads feeding a predicted not-taken branch; out-of-order execution hides
# most of the load latency behind the surrounding exit-path work.
guard			1	# two L1-hit loads + predicted not-taken branch, mostly hidden
# cpuid_exit: 1600, the public mitigations-on figure: no Zen 5 exit was
# measured for this project. Zen 5's defaults add almost nothing per exit,
# so the truth is probably between that and the mitigations-off figure.
# Public kvm-unit-tests vmexit figures gathered for this project:
# ~1000-1100 cycles with mitigations off, 1600+ with them on.
# Included in this baseline (default mitigations):
#  - AutoIBRS, no RSB fill after #VMEXIT (6.12: RSB_VMEXIT not set in eIBRS
#    mode, bugs.c:1786-1793; 6.1: svm/vmenter.S:210 fills only for
#    RETPOLINE), no untraining (UNRET not set);
#  - 6.12: SRSO "Reduced Speculation": BP_CFG[BpSpecReduce] set by KVM
#    while VMs exist; no instruction per exit, a host-wide cost;
#  - 6.12: TSA VERW before VMRUN only if the CPU lacks the TSA_*_NO CPUID
#    bits (family 0x1a is TSA in common.c:1304; amd.c:tsa_init 416-433
#    does not set them for Zen 5). 6.1 sets TSA_SQ_NO/L1_NO for every
#    family but 0x19 (amd.c:600-611): no VERW.
# Not on a CPUID exit: 6.12's VMSCAPE IBPB before the next return to user
# space (common.c:1304, bugs.c:2993-3011); 6.1 does not list family 0x1a.
cpuid_exit		1600	# assumed: public kvm-unit-tests mitigations-on figure (no Zen 5 exit measured)

# --- Default mitigations (a line applies from its version on) ---------
# 6.1.192, bugs.c:
#  spectre_v2 auto (1858): AUTOIBRS -> IBRS_ENHANCED (common.c:1418) ->
#    SPECTRE_V2_EIBRS (1859-1861); thunk calls become call *%reg.
#  retbleed, SRSO: cpu_vuln_blacklist stops at family 0x19
#    (common.c:1316-1320), so family 0x1a gets neither X86_BUG_RETBLEED nor
#    X86_BUG_SRSO: retbleed_select_mitigation (1048) and
#    srso_select_mitigation (2738) return early, no return thunk.
#  ITS: Intel only (vulnerable_to_its, common.c:1371). BHI: AMD whitelisted
#    NO_BHI (common.c:1217), no clearing loop.
#  cfi: 6.1 has kCFI only (no FineIBT, no cfi= in kernel/alternative.c).
defaults	6.1	indirect=plain		return=plain		cfi=kcfi	# bugs.c:1859-1861 AutoIBRS; no SRSO/RETBLEED bug for 0x1a (common.c:1316-1320)
#
# 6.12.117, bugs.c:
#  spectre_v2 auto (1923): AUTOIBRS -> IBRS_ENHANCED unless SEV-SNP
#    (common.c:1402-1408) -> SPECTRE_V2_EIBRS (1924-1926); thunk calls
#    become call *%reg.
#  retbleed: not RETBLEED (common.c:1299-1304).
#  SRSO: family 0x1a is SRSO (common.c:1304); default safe-ret (2788), but
#    Zen 5 reports SRSO_USER_KERNEL_NO (CPUID 0x80000021 EAX[30]; AMD's QEMU
#    "EPYC-Turin" model and the "SRSO handling for Zen5 CPUs" stable
#    backports) -> goto ibpb_on_vmexit (2859-2860) -> SRSO_BP_SPEC_REDUCE
#    (2914-2918): no return thunk, no IBPB. srso.rst (Documentation/
#    admin-guide/hw-vuln, 6.12:107-120) says BpSpecReduce is present on all
#    such machines; without it the path is IBPB on every VM exit
#    (2920-2931). A Zen 5 without SRSO_USER_KERNEL_NO would instead take
#    srso_return_thunk (family != 0x19, 2873-2875): return=srso_safe_ret.
#  ITS: Intel only (vulnerable_to_its, common.c:1355). BHI: AMD whitelisted
#    NO_BHI (common.c:1200), no clearing loop.
#  cfi: CFI_AUTO_DEFAULT defaults to y (arch/x86/Kconfig:2420-2424), so
#    cfi_mode starts as CFI_AUTO (kernel/alternative.c:1095-1103) and becomes
#    FineIBT only with X86_FEATURE_IBT (1467-1471). AMD parts do not
#    enumerate CET-IBT (AMD's CET is shadow stack only) -> kcfi.
defaults	6.12	indirect=plain		return=plain		cfi=kcfi	# bugs.c:1924-1926 AutoIBRS; 2858-2860+2914-2918 SRSO_USER_KERNEL_NO -> BpSpecReduce
