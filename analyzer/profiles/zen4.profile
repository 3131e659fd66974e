# SPDX-License-Identifier: GPL-2.0
#
# kvm-hotpath CPU cost profile: AMD Zen 4.
# Covers AMD family 0x19 models 0x10-0x1f, 0x60-0x7f and 0xa0-0xaf, the Zen 4
# ranges of the Zen-generation switch in amd.c (6.12:517-520, 6.1:707-710):
# EPYC 9004 "Genoa" (model 0x11), EPYC 8004/97x4 "Siena"/"Bergamo" (0xa0-0xaf),
# Ryzen 7000 (0x61). Zen 4 is the first core with AutoIBRS.
# Caveat, 6.12 only: with SEV-SNP host support enabled by the BIOS (RMP table
# reserved, amd.c:bsp_determine_snp 349-367), cpu_set_bug_bits does not use
# AutoIBRS (common.c:1402-1408) and spectre_v2 falls back to the generic
# retpoline (indirect=retpoline). That configuration is not modelled.
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

name zen4
cpu AMD Zen 4 (EPYC 9004 "Genoa")
vendor amd
# CPUID features the cost model's cpuid() tests read (/proc/cpuinfo names; -x: absent).
# PerfCtrExtCore since family 0x15; PerfMonV2 from Zen 4 (CPUID 0x80000022).
features perfctr_core perfmon_v2
models		0x19	0x10-0x1f,0x60-0x7f,0xa0-0xaf

# --- Per-call costs: cycles at core clock ------------------------------
# "Genoa measurement" = hotpath calibrate (analyzer/calibrate.c, user-space
# replicas of the kernel's sequences in calibrate_thunks.S) run on an AMD
# EPYC of family 0x19 model 0x11 (Zen 4, Genoa): a 2-vCPU guest whose kernel
# reported spectre_v2 "Mitigation: Retpolines" and spec_rstack_overflow
# "Safe RET". Three runs, each the median of 31; a single figure is the same
# in all three, a range is the lowest to the highest, and the profile takes
# its midpoint. TSC ticks were turned into core cycles by calibrate's
# dependent-add ratio, so a figure is as good as that guest's clock.
# These replaced the Zen 5 figures carried over before (retpoline 36,
# srso_safe_ret and srso_alias 35, call 3, indirect 5, kcfi 1.5): the
# mispredicted RET costs about half on Zen 4.
# What that changes in make audit CPU=zen4 (Debian's trees, default
# mitigations indirect=plain return=srso_alias; before -> now):
#   the seed site, kvm_skip_emulated_instruction -> kvm_pmu_trigger_event,
#   the guard's saving: 6.12 (x86.c:8503) 60.0 -> 46.1 cycles a call
#   (call 3 -> 4.3, return 35 -> 19.8, body 23); 6.1 (x86.c:8740)
#   41.0 -> 27.1;
#   the top site, task_switch_interception -> kvm_task_switch: 6.12
#   (svm.c:2625) 1061.0 -> 820.7 cycles per exit; 6.1 (svm.c:2486)
#   1032.0 -> 791.7.
call			4.3	# Genoa measurement: direct call + ret, 4.3 in all three runs
indirect		4.3	# Genoa measurement: predicted call *%r11 + ret, 4.3 in all three runs
# retpoline: call __x86_indirect_thunk_rax = call 1f; mov %rax,(%rsp); ret
# (lib/retpoline.S 6.12:19-31, 6.1:17-29), the ret mispredicted by design.
# The thunk's own RET is `jmp __x86_return_thunk` (asm/linkage.h RET) and is
# patched like any return site; where return=srso_* that ret already is the
# mispredicted one, so it adds only a call+lea (~2, not included).
retpoline		22.2	# Genoa measurement: thunk call + ret, 20.8-23.5 over three runs
retpoline_lfence	28.7	# Genoa measurement: lfence; call *%r11 + ret, 28.7 in all three runs
# its: call __x86_indirect_its_thunk_rax (or a per-site copy from
# its_allocate_thunk); the thunk is `jmp *%rax` in the upper half of a
# cacheline (lib/retpoline.S 6.12:391-423, 6.1:342-374). return_thunk: the
# ret becomes `jmp its_return_thunk` (or retbleed_return_thunk), an aligned
# plain ret. Neither was measured on Zen 4 (calibrate's figures for them
# were not part of the report): reasoned from the sequence, one extra
# direct branch (~1-2 cycles) over indirect / over a plain ret. Only sites
# whose branch ends in the lower 32 bytes of a line take a thunk
# (kernel/alternative.c: cpu_wants_indirect_its_thunk_at 6.12:782 / 6.1:588,
# cpu_wants_rethunk_at 6.12:954 / 6.1:764), about half; the others become a
# plain call *%reg / ret. Charging every site is an upper bound. ITS is
# Intel-only (common.c:vulnerable_to_its).
its			5.8	# sequence: indirect (4.3, Genoa measurement) + one direct call/jmp (~1.5)
return_thunk		1.5	# sequence: one extra direct jmp to an aligned ret, ~1-2
# srso_safe_ret: srso_return_thunk = call srso_safe_ret; ud2, and
# srso_safe_ret = lea 8(%rsp),%rsp; ret (lib/retpoline.S 6.12:222-245,
# 6.1:309-333): the ret is predicted to the ud2 and always mispredicts.
# srso_alias: srso_alias_return_thunk does the same call/lea/ret through
# srso_alias_safe_ret, placed to alias srso_alias_untrain_ret in the BTB
# (6.12:159-197, 6.1:97-205); calibrate's replica puts its safe_ret at the
# same bits (2, 8, 14, 20) of a 2M page.
srso_safe_ret		19.1	# Genoa measurement: extra per return, 18.1-20.1 over three runs
srso_alias		19.8	# Genoa measurement: extra per return, 19.8 in all three runs
# call_depth: a call is sent to an accounting thunk in the callee's
# padding, `sarq $5, %gs:call_depth` (asm/nospec-branch.h
# INCREMENT_CALL_DEPTH); the return jumps to call_depth_return_thunk,
# `shlq $5, %gs:call_depth; jz 1f; ret` (lib/retpoline.S 6.12:358-385).
# calibrate's replica is the balanced steady state, without the 16-call RSB
# refill that runs only after ~12 unbalanced returns (~0 on a shallow exit
# path). Never a default here: 6.1 lacks it; 6.12 uses it only with
# retbleed=stuff (bugs.c:1089-1093, 1159-1165) or
# indirect_target_selection=stuff (1324-1331).
call_depth		3.2	# Genoa measurement: extra per call+return, 3.2 in all three runs
# kcfi: caller `movl $-hash,%r10d; addl -15(%r11),%r10d; je 1f; ud2`, a load
# of the callee's preamble bytes (kernel/alternative.c 6.12:1226-1250).
# fineibt (6.12 only): caller `movl $hash,%r10d; sub $16,%r11; nop4`,
# callee preamble `endbr64; subl $hash,%r10d; je` (kernel/alternative.c
# 6.12:1226-1280): ~5 simple uops, no load, a predicted jcc; assumed 1.
# Zen 4 does not enumerate IBT, so FineIBT never runs here.
# The FineIBT paper
# ("FineIBT: Fine-grain Control-flow Enforcement with Indirect
# Branch Tracking") reports ~0-1.94% slowdowns on SPEC CPU2017.
kcfi			1.7	# Genoa measurement: extra per indirect call, 1.7 in all three runs
fineibt			1	# assumption from the sequence above
ipc			1	# model assumption: kernel code run once per VM exit, not hot in the uop cache; see README
# guard: if (unlikely(vcpu->kvm->arch.enable_pmu)): two dependent L1-hit
# loads feeding a predicted not-taken branch; out-of-order execution hides
# most of the load latency behind the surrounding exit-path work.
guard			1	# two L1-hit loads + predicted not-taken branch, mostly hidden
# cpuid_exit: 2100, an assumption: no Zen 4 exit was timed (the Genoa
# calibrate report gave no cpuid_exit); with the safe-RET now measured at
# 19.8 rather than 35, the figure below is likely high by the ~15 cycles
# saved on each of an exit's few dozen returns. The Zen 2 derived
# figure (57 cycles = +2.7% on EPYC 7302) is carried over because the
# dominant per-exit cost, a mispredicted safe-RET on every return, is also
# a default here. Zen 4 has no retpolines and no RSB fill, so this is likely
# high by those (a few tens of cycles).
# Public kvm-unit-tests vmexit figures gathered for this project:
# ~1000-1100 cycles with mitigations off, 1600+ with them on.
# Included in this baseline (default mitigations):
#  - AutoIBRS (EFER.AIBRSE, bugs.c 6.12:1975-1977, 6.1:1909-1911); no RSB
#    fill: 6.12 fills only for RSB_VMEXIT, which eIBRS mode does not set
#    (bugs.c:1786-1793, AMD is NO_EIBRS_PBRSB), 6.1 only for RETPOLINE
#    (svm/vmenter.S:210);
#  - untraining after #VMEXIT -> srso_alias_untrain_ret (svm/vmenter.S
#    6.12:224, 6.1:223);
#  - TSA: family 0x19 is TSA (common.c 6.12:1303, 6.1:1320); with the fixed
#    microcode a VERW before every VMRUN (bugs.c 6.12:2237-2239,
#    6.1:2171-2173; svm/vmenter.S 6.12:173, 6.1:170).
# Not on a CPUID exit: VMSCAPE IBPB before the next return to user space
# (6.12:2993, 6.1:2911).
cpuid_exit		2100	# assumed: Zen 2 derived figure carried over (safe-RET on every return)

# --- Default mitigations (a line applies from its version on) ---------
# 6.1.192, bugs.c:
#  spectre_v2 auto (1858): X86_FEATURE_AUTOIBRS -> IBRS_ENHANCED
#    (common.c:1418, no SEV-SNP check in 6.1) -> SPECTRE_V2_EIBRS
#    (1859-1861), EFER.AUTOIBRS set (1909-1911); no X86_FEATURE_RETPOLINE,
#    so patch_retpoline (kernel/alternative.c:625) turns every thunk call
#    into call *%reg.
#  retbleed: family 0x19 is not RETBLEED (common.c:1316-1320).
#  SRSO: family 0x19 is SRSO (common.c:1320); default safe-ret (2712,
#    2789); family == 0x19 -> srso_alias_return_thunk (2798-2800).
#  ITS: Intel only (vulnerable_to_its, common.c:1371). BHI: AMD whitelisted
#    NO_BHI (common.c:1217), no clearing loop.
#  cfi: 6.1 has kCFI only (no FineIBT, no cfi= in kernel/alternative.c).
defaults	6.1	indirect=plain		return=srso_alias	cfi=kcfi	# common.c:1418 + bugs.c:1859-1861 AutoIBRS; 2789-2800 srso_alias_return_thunk
#
# 6.12.117, bugs.c:
#  spectre_v2 auto (1923): AUTOIBRS -> IBRS_ENHANCED unless SEV-SNP is
#    enabled (common.c:1402-1408) -> SPECTRE_V2_EIBRS (1924-1926); no
#    RETPOLINE feature, thunk calls become call *%reg
#    (kernel/alternative.c:patch_retpoline 811).
#  retbleed: not RETBLEED (common.c:1299-1304).
#  SRSO: family 0x19 is SRSO (common.c:1303); default safe-ret (2788); Zen 4
#    does not report SRSO_USER_KERNEL_NO (AMD's own QEMU "EPYC-Turin" model
#    lists srso-user-kernel-no as new over the previous generation), so no
#    jump to ibpb_on_vmexit (2859-2860); family == 0x19 ->
#    srso_alias_return_thunk (2870-2872).
#  ITS: Intel only (vulnerable_to_its, common.c:1355). BHI: AMD whitelisted
#    NO_BHI (common.c:1200), no clearing loop.
#  cfi: CFI_AUTO_DEFAULT defaults to y (arch/x86/Kconfig:2420-2424), so
#    cfi_mode starts as CFI_AUTO (kernel/alternative.c:1095-1103) and becomes
#    FineIBT only with X86_FEATURE_IBT (1467-1471). AMD parts do not
#    enumerate CET-IBT (AMD's CET is shadow stack only) -> kcfi.
defaults	6.12	indirect=plain		return=srso_alias	cfi=kcfi	# bugs.c:1924-1926 AutoIBRS; 2858-2872 srso_alias_return_thunk
