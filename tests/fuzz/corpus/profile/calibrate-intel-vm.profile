# SPDX-License-Identifier: GPL-2.0
# Measured by hotpath calibrate on Intel(R) Xeon(R) Processor, 6.18.44-fc-v669.
# Cycles from rdtsc x 1.505 core cycles per TSC tick (dependent-add chain); median of 31 runs of 1024.
name		native
cpu		Intel(R) Xeon(R) Processor
vendor		intel
models		0x6	0xa7	# this CPU: family, model
call		3.5	# measured: direct call + ret
indirect	4.5	# measured: predicted call *%r11 + ret
retpoline	39.0	# measured: call to a retpoline thunk (call; int3; mov %r11,(%rsp); ret) + ret
retpoline_lfence	22.9	# measured: lfence; call *%r11 + ret
its		5.2	# measured: call to a thunk whose jmp *%r11 is in a cacheline's upper half + ret
return_thunk	1.5	# measured: extra per return, jmp to an aligned ret; int3
srso_safe_ret	29.8	# measured: extra per return, jmp to call safe_ret; ud2 (lea 8(%rsp),%rsp; ret)
srso_alias	29.8	# measured: extra per return, srso_safe_ret's sequence, safe_ret at bits 2, 8, 14, 20 of a 2M page (aliasing matters on Zen 3/4 only)
call_depth	8.5	# measured: extra per call+return, sarq $5 on call, shlq $5 in a return thunk (balanced: no RSB refill)
kcfi		0.5	# measured: extra per indirect call, mov $hash,%r10d; add -4(%r11),%r10d; je; ud2
fineibt		0.2	# measured: extra per indirect call, mov $hash,%r10d + endbr64; sub $hash,%r10d; je; ud2
ipc		1.0	# not measured: model assumption, see README
guard		1.0	# not measured: model assumption, see README
cpuid_exit	25312.6	# measured: cpuid leaf 0 in a guest (hypervisor bit set): a CPUID exit round trip
defaults 6.18	indirect=retpoline return=thunk cfi=kcfi	# from /sys/devices/system/cpu/vulnerabilities:
#   spectre_v2: Mitigation: Retpolines; STIBP: disabled; RSB filling; PBRSB-eIBRS: Not affected; BHI: Retpoline
#   retbleed: Vulnerable
#   spec_rstack_overflow: Not affected
#   indirect_target_selection: Mitigation: Aligned branch/return thunks
