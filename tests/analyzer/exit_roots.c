// SPDX-License-Identifier: GPL-2.0
/*
 * Exit-path roots found from the code: the functions of an exit-handler
 * table, the targets of the handle_exit and vcpu_run ops (through the ops
 * initializer and static_call_update()), and the run loop making the
 * vcpu_run static call.  Every function gets its shortest path from a root.
 */
struct vcpu;

#define __SCT__(name)	__SCT__##name
#define static_call(name)	({ (void)0; (&__SCT__(name)); })
#define kvm_x86_call(op)	static_call(kvm_x86_##op)
#define static_call_update(name, func) ({ \
	typeof(&__SCT__(name)) __F = (func); \
	__static_call_update((void *)0, &__SCT__(name), __F); })

void __static_call_update(void *key, void *tramp, void *func);
extern int __SCT__kvm_x86_vcpu_run(struct vcpu *v);
extern int __SCT__kvm_x86_handle_exit(struct vcpu *v, int fastpath);

struct kvm_x86_ops {
	int (*vcpu_run)(struct vcpu *v);
	int (*handle_exit)(struct vcpu *v, int fastpath);
};

static void pmu_trigger(struct vcpu *v)
{
	(void)v;
}

static int skip_instruction(struct vcpu *v)
{
	pmu_trigger(v);
	return 1;
}

static int handle_cpuid(struct vcpu *v)
{
	return skip_instruction(v);
}

static int handle_hlt(struct vcpu *v)
{
	return v != 0;
}

static int (*const demo_exit_handlers[])(struct vcpu *v) = {
	[10] = handle_cpuid,
	[12] = handle_hlt,
};

static int exit_fastpath(struct vcpu *v)
{
	return skip_instruction(v);
}

static int demo_vcpu_run(struct vcpu *v)
{
	return exit_fastpath(v);
}

static int demo_handle_exit(struct vcpu *v, int fastpath)
{
	return fastpath ? 1 : demo_exit_handlers[fastpath](v);
}

static const struct kvm_x86_ops demo_x86_ops = {
	.vcpu_run = demo_vcpu_run,
	.handle_exit = demo_handle_exit,
};

static struct kvm_x86_ops kvm_x86_ops;

void ops_update(void)
{
	kvm_x86_ops = demo_x86_ops;
	static_call_update(kvm_x86_vcpu_run, kvm_x86_ops.vcpu_run);
	static_call_update(kvm_x86_handle_exit, kvm_x86_ops.handle_exit);
}

int enter_guest(struct vcpu *v)
{
	int fastpath = kvm_x86_call(vcpu_run)(v);

	return kvm_x86_call(handle_exit)(v, fastpath);
}

int ioctl_only(struct vcpu *v)
{
	return handle_hlt(v);
}

/*
 * check-name: roots from tables, ops and the run loop; shortest paths from them
 * check-roots: +ioctl_only -handle_hlt
 * check-output-start
func pmu_trigger exit_roots.c:26 static
func skip_instruction exit_roots.c:31 static
func handle_cpuid exit_roots.c:37 static
func handle_hlt exit_roots.c:42 static
func exit_fastpath exit_roots.c:52 static
func demo_vcpu_run exit_roots.c:57 static
func demo_handle_exit exit_roots.c:62 static
func ops_update exit_roots.c:74
func enter_guest exit_roots.c:81
func ioctl_only exit_roots.c:88
call skip_instruction exit_roots.c:33:2 direct pmu_trigger
call handle_cpuid exit_roots.c:39:9 direct skip_instruction
call exit_fastpath exit_roots.c:54:9 direct skip_instruction
call demo_vcpu_run exit_roots.c:59:9 direct exit_fastpath
call demo_handle_exit exit_roots.c:64:24 indirect demo_exit_handlers[fastpath] when conditional targets handle_cpuid handle_hlt
call ops_update exit_roots.c:77:2 direct __static_call_update macro static_call_update
call ops_update exit_roots.c:78:2 direct __static_call_update macro static_call_update
call enter_guest exit_roots.c:83:17 static_call kvm_x86_vcpu_run macro kvm_x86_call targets demo_vcpu_run
call enter_guest exit_roots.c:85:9 static_call kvm_x86_handle_exit macro kvm_x86_call targets demo_handle_exit
call ioctl_only exit_roots.c:90:9 direct handle_hlt
root demo_handle_exit (static_call(kvm_x86_handle_exit) target)
root demo_vcpu_run (static_call(kvm_x86_vcpu_run) target)
root enter_guest (the run loop: calls static_call(kvm_x86_vcpu_run))
root handle_cpuid (in demo_exit_handlers[]) 10
root ioctl_only (roots file)
path pmu_trigger: pmu_trigger <- skip_instruction <- handle_cpuid
path skip_instruction: skip_instruction <- handle_cpuid
path handle_cpuid: handle_cpuid
path handle_hlt: handle_hlt <- demo_handle_exit
path exit_fastpath: exit_fastpath <- demo_vcpu_run
path demo_vcpu_run: demo_vcpu_run
path demo_handle_exit: demo_handle_exit
path enter_guest: enter_guest
path ioctl_only: ioctl_only
 * check-output-end
 */
