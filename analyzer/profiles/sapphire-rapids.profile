# SPDX-License-Identifier: GPL-2.0
#
# kvm-hotpath CPU cost profile: Intel Sapphire Rapids.
# Covers Intel family 6 model 0x8f (INTEL_SAPPHIRERAPIDS_X, intel-family.h
# 6.12:112), Xeon Scalable 4th gen. Emerald Rapids (model 0xcf) has the
# same cpu_vuln_blacklist bits (VMSCAPE only, common.c 6.12:1289) and the
# same feature-driven defaults, but is not separately modelled.
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

name sapphire-rapids
cpu Intel Sapphire Rapids (Xeon Scalable 4th gen, family 6 model 0x8f)
vendor intel
models		6	0x8f

# --- Per-call costs: cycles at core clock ------------------------------
# "Zen 5 measurement" = figures gathered for this project in user space on a
# Zen 5 machine, timing replicas of the kernel's thunks.
# No per-call figure is published for Sapphire Rapids.
# The Zen 5 figures are assumed to carry over. Predicted call/ret/indirect
# cost a few cycles on any recent core (error ~1 cycle). Retpoline and
# safe-RET costs are dominated by one deliberately mispredicted RET, about
# one pipeline refill, which differs per core (an Intel core's refill
# penalty is not Zen 5's) and was not measured: treat them as +-30%. SRSO
# thunks and retpolines are never a default on this part.
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
# cpuid_exit: 1600, an assumption: the public mitigations-on figure; no
# Sapphire Rapids exit was measured for this project. BHI_DIS_S replaces
# the BHB clearing loop and there are no thunks, so the exit path is far
# lighter than Ice Lake-SP's.
# Public kvm-unit-tests vmexit figures gathered for this project:
# ~1000-1100 cycles with mitigations off, 1600+ with them on.
# Included in this baseline (default mitigations):
#  - BHI_DIS_S in SPEC_CTRL (hardware, no loop): spec_ctrl_bhi_dis
#    (bugs.c 6.12:1815-1826, 6.1:1755-1766);
#  - PBRSB: one CALL retired before the first RET after VM exit
#    (RSB_VMEXIT_LITE, bugs.c 6.12:1788-1793, 6.1:1728-1733) unless the CPU
#    reports PBRSB_NO;
#  - host SPEC_CTRL restore, a WRMSR only when the guest's value (IBRS,
#    BHI_DIS_S bits) differs from the host's (vmx/vmenter.S 6.12:276,
#    6.1:243).
# Not on a CPUID exit: VMSCAPE IBPB before the next return to user space
# (common.c 6.12:1287, 6.1:1305; bugs.c 6.12:2993, 6.1:2911).
cpuid_exit		1600	# assumed: public kvm-unit-tests mitigations-on figure (no SPR exit measured)

# --- Default mitigations (a line applies from its version on) ---------
# 6.1.192, bugs.c:
#  spectre_v2 auto (1858): ARCH_CAP_IBRS_ALL -> IBRS_ENHANCED
#    (common.c:1418) -> SPECTRE_V2_EIBRS (1859-1861); thunk calls become
#    call *%reg.
#  retbleed: not in the blacklist (common.c:1305); if ARCH_CAP_RSBA set it,
#    eIBRS covers it (1154-1157): no thunk.
#  ITS: vulnerable_to_its returns false on BHI_CTRL parts (common.c:1374-1376).
#  BHI: X86_BUG_BHI (common.c:1511-1514); BHI_CTRL -> spec_ctrl_bhi_dis
#    (1807, 1755-1766): BHI_DIS_S, no loop.
#  cfi: 6.1 has kCFI only (no FineIBT, no cfi= in kernel/alternative.c).
defaults	6.1	indirect=plain		return=plain		cfi=kcfi	# bugs.c:1859-1861 eIBRS; 1807 BHI_DIS_S; no ITS (common.c:1374-1376)
#
# 6.12.117, bugs.c:
#  spectre_v2 auto (1923): IBRS_ENHANCED (common.c:1405-1408) ->
#    SPECTRE_V2_EIBRS (1924-1926); thunk calls become call *%reg.
#  retbleed: not in the blacklist (common.c:1287); eIBRS would cover RSBA
#    (1184-1187).
#  ITS: false on BHI_CTRL parts (common.c:1358-1360).
#  BHI: X86_BUG_BHI (common.c:1500-1503); BHI_CTRL -> spec_ctrl_bhi_dis
#    (1870, 1815-1826): BHI_DIS_S, no loop.
#  cfi: CFI_AUTO_DEFAULT (arch/x86/Kconfig:2420-2424) -> CFI_AUTO ->
#    FineIBT when HAS_KERNEL_IBT (X86_KERNEL_IBT=y in Debian) and
#    X86_FEATURE_IBT (kernel/alternative.c:1467-1471); Sapphire Rapids has
#    CET-IBT -> fineibt.
defaults	6.12	indirect=plain		return=plain		cfi=fineibt	# bugs.c:1924-1926 eIBRS; 1870 BHI_DIS_S; alternative.c:1467-1471 FineIBT
