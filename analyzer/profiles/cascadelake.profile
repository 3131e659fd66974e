# SPDX-License-Identifier: GPL-2.0
#
# kvm-hotpath CPU cost profile: Intel Cascade Lake / Cooper Lake.
# Covers Intel family 6 model 0x55 (INTEL_SKYLAKE_X) stepping >= 5, the
# parts that enumerate eIBRS (ARCH_CAPABILITIES.IBRS_ALL): Cascade Lake
# (Xeon Scalable 2nd gen; intel-family.h names stepping 7) and Cooper Lake
# (3rd gen, stepping 11).
# Skylake-SP (steppings 0-4) has no eIBRS and defaults differently: spectre_v2
# auto picks IBRS on a RETBLEED-affected Intel part (bugs.c 6.12:1929-1937,
# 6.1:1864-1871). It is not modelled.
# Stepping 5: cpu_vuln_blacklist gives ITS only to steppings >= 6
# (common.c 6.12:1258-1259, 6.1:1277-1278: the 0x0-0x5 entry matches first
# and has no ITS bit; Documentation/admin-guide/hw-vuln/
# indirect-target-selection.rst: "SKYLAKE_X (step >= 6)"), so a stepping-5
# part gets indirect=plain return=plain. The defaults below are for
# steppings >= 6.
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

name cascadelake
cpu Intel Cascade Lake / Cooper Lake (Xeon Scalable 2nd/3rd gen, family 6 model 0x55)
vendor intel
models		6	0x55		# INTEL_SKYLAKE_X; Cascade/Cooper Lake are its steppings >= 5

# --- Per-call costs: cycles at core clock ------------------------------
# "Zen 5 measurement" = figures gathered for this project in user space on a
# Zen 5 machine, timing replicas of the kernel's thunks.
# No per-call figure is published for Cascade Lake.
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
# cpuid_exit: 4300, an assumption: no Cascade Lake figure exists; the Ice
# Lake-SP derived figure (26 cycles = +0.6%: 26/0.006 = ~4300) is carried
# over because the default exit path is the same (eIBRS, ITS thunks, BHB
# clearing loop, PBRSB call) on an older core.
# Public kvm-unit-tests vmexit figures gathered for this project:
# ~1000-1100 cycles with mitigations off, 1600+ with them on.
# Included in this baseline (default mitigations):
#  - BHB clearing loop clear_bhb_loop (entry/entry_64.S 6.12:1537,
#    6.1:1571) at CLEAR_BRANCH_HISTORY_VMEXIT (kvm/vmx/vmenter.S 6.12:278,
#    6.1:245): eIBRS -> X86_BUG_BHI (common.c 6.12:1500-1503, 6.1:1511-1514),
#    no BHI_CTRL -> CLEAR_BHB_LOOP_ON_VMEXIT (bugs.c 6.12:1881, 6.1:1811);
#  - PBRSB: one CALL retired before the first RET after VM exit
#    (RSB_VMEXIT_LITE, bugs.c 6.12:1788-1793, 6.1:1728-1733; vmx/vmenter.S
#    6.12:270, 6.1:237) unless the CPU reports PBRSB_NO;
#  - host SPEC_CTRL restore, a WRMSR only when the guest's value differs
#    (vmx_spec_ctrl_restore_host, vmx/vmenter.S 6.12:276, 6.1:243);
#  - VERW before VM entry only for VMs with an assigned device
#    (mmio_stale_data_clear, kvm/vmx/vmx.c 6.12:7299, 6.1:7177): the part is
#    MDS_NO and Debian boots with TSX off (X86_INTEL_TSX_MODE_OFF=y), so no
#    MDS/TAA VERW.
# Not on a CPUID exit: VMSCAPE IBPB before the next return to user space
# (SKYLAKE_X has VMSCAPE, common.c 6.12:1258-1259; bugs.c 6.12:2993,
# 6.1:2911).
cpuid_exit		4300	# assumed: Ice Lake-SP derived figure carried over (same exit-path mitigations)

# --- Default mitigations (a line applies from its version on) ---------
# 6.1.192, bugs.c:
#  spectre_v2 auto (1858): ARCH_CAP_IBRS_ALL -> IBRS_ENHANCED
#    (common.c:1418) -> SPECTRE_V2_EIBRS (1859-1861); no RETPOLINE feature.
#  retbleed: SKYLAKE_X is RETBLEED (common.c:1277-1278) but eIBRS covers it:
#    RETBLEED_MITIGATION_EIBRS (1154-1157), no return thunk from retbleed.
#  ITS: stepping >= 6 is ITS (common.c:1278, vulnerable_to_its 1366-1390);
#    default on (its_cmd 1190) -> ALIGNED_THUNKS (1264-1270): no RETPOLINE ->
#    X86_FEATURE_INDIRECT_THUNK_ITS, RETHUNK + its_return_thunk. Indirect
#    sites ending in a lower half-line call an ITS thunk, the rest become
#    call *%reg (kernel/alternative.c:588, 625); returns likewise (764).
#  BHI: X86_BUG_BHI (common.c:1511-1514), no BHI_CTRL -> clearing loop on
#    syscall and VM exit (1791-1813): per exit, not per call.
#  cfi: 6.1 has kCFI only (no FineIBT, no cfi= in kernel/alternative.c).
defaults	6.1	indirect=its		return=thunk		cfi=kcfi	# bugs.c:1859-1861 eIBRS; 1264-1270 ITS aligned thunks + its_return_thunk
#
# 6.12.117, bugs.c:
#  spectre_v2 auto (1923): IBRS_ENHANCED (common.c:1405-1408) ->
#    SPECTRE_V2_EIBRS (1924-1926).
#  retbleed: RETBLEED (common.c:1258-1259) -> RETBLEED_MITIGATION_EIBRS
#    (1184-1187), no thunk.
#  ITS: stepping >= 6 is ITS (common.c:1259, 1350-1374); no RETPOLINE and no
#    CALL_DEPTH (1266-1272); default on (its_cmd 1226-1227) ->
#    ALIGNED_THUNKS (1317-1322): INDIRECT_THUNK_ITS + its_return_thunk, on
#    lower-half-line sites only (kernel/alternative.c:782, 811, 954).
#  BHI: X86_BUG_BHI (common.c:1500-1503), no BHI_CTRL -> clearing loop on
#    syscall and VM exit (1854-1881): per exit, not per call.
#  cfi: CFI_AUTO_DEFAULT (arch/x86/Kconfig:2420-2424) -> CFI_AUTO, FineIBT
#    only with X86_FEATURE_IBT (kernel/alternative.c:1467-1471); Cascade/
#    Cooper Lake have no CET-IBT (Intel's first server part with CET is
#    Sapphire Rapids) -> kcfi.
defaults	6.12	indirect=its		return=thunk		cfi=kcfi	# bugs.c:1924-1926 eIBRS; 1317-1322 ITS aligned thunks + its_return_thunk
