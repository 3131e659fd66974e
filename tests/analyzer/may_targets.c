// SPDX-License-Identifier: GPL-2.0
/*
 * May-targets, field-sensitively: what any ops initializer or assignment put
 * in a field, what static_call_update() put behind a key (an ops field, as
 * kvm_ops_update() does, or a function), and what a table was initialized
 * with through enum designators.  A pointer parameter stays unknown.
 */
struct vcpu;

#define __SCT__(name)	__SCT__##name
#define static_call(name)	({ (void)0; (&__SCT__(name)); })
#define static_call_update(name, func) ({ \
	typeof(&__SCT__(name)) __F = (func); \
	__static_call_update((void *)0, &__SCT__(name), __F); })

void __static_call_update(void *key, void *tramp, void *func);
extern int __SCT__vm_run(struct vcpu *v);
extern int __SCT__vm_flush(struct vcpu *v);

struct vm_ops {
	int (*run)(struct vcpu *v);
	int (*flush)(struct vcpu *v);
	struct {
		int (*refill)(struct vcpu *v);
	} nested;
};

enum { EXIT_IO = 2, EXIT_HLT = 12 };

int a_run(struct vcpu *v);
int b_run(struct vcpu *v);
int b_flush(struct vcpu *v);
int late_run(struct vcpu *v);
int a_refill(struct vcpu *v);
int on_io(struct vcpu *v);
int on_hlt(struct vcpu *v);
int flush_all(struct vcpu *v);

static const struct vm_ops a_ops = {
	.run = a_run,
	.nested = { .refill = a_refill },
};

static const struct vm_ops b_ops = {
	.run = b_run,
	.flush = b_flush,
};

static int (*const exit_handlers[])(struct vcpu *v) = {
	[EXIT_IO] = on_io,
	[EXIT_HLT] = on_hlt,
};

static struct vm_ops vm_ops;

void setup(int late)
{
	if (late)
		vm_ops.run = late_run;
	if (vm_ops.run == a_run)
		vm_ops.flush = 0;
	static_call_update(vm_run, vm_ops.run);
	static_call_update(vm_flush, flush_all);
}

int exit_loop(struct vcpu *v, int reason, int (*cb)(struct vcpu *))
{
	int r = static_call(vm_run)(v);

	r += static_call(vm_flush)(v);
	r += exit_handlers[reason](v);
	r += vm_ops.nested.refill(v);
	return r + cb(v);
}

/*
 * check-name: may-targets from initializers, assignments, static_call_update and tables
 * check-output-start
func setup may_targets.c:56
func exit_loop may_targets.c:66
call setup may_targets.c:62:2 direct __static_call_update macro static_call_update
call setup may_targets.c:63:2 direct __static_call_update macro static_call_update
call exit_loop may_targets.c:68:10 static_call vm_run macro static_call targets a_run b_run late_run
call exit_loop may_targets.c:70:7 static_call vm_flush macro static_call targets flush_all
call exit_loop may_targets.c:71:7 indirect exit_handlers[reason] targets on_hlt on_io
call exit_loop may_targets.c:72:7 indirect vm_ops.nested.refill field struct vm_ops.nested.refill targets a_refill
call exit_loop may_targets.c:73:13 indirect cb targets (unknown)
 * check-output-end
 */
