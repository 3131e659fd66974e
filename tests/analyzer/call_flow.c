// SPDX-License-Identifier: GPL-2.0
/*
 * When each call runs on its function's cheapest path, and which calls a
 * condition on enable_pmu guards: the shapes KVM's exit handlers use, with
 * likely()/unlikely() and WARN_ON() written the way the kernel writes them.
 */
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define WARN_ON(x)	({ int __ret = !!(x); if (unlikely(__ret)) warn(); unlikely(__ret); })
#define EXIT_REASON_CPUID	10
#define EXIT_REASON_HLT		12

struct kvm_arch { int enable_pmu; };
struct kvm { struct kvm_arch arch; };
struct vcpu { struct kvm *kvm; int mode; };

int enable_pmu;

void warn(void);
void pmu_trigger(struct vcpu *v);
int skip(struct vcpu *v);
int step(struct vcpu *v);
void log_exit(struct vcpu *v);
void slow_path(struct vcpu *v);
void each(struct vcpu *v);

/* The motivating shape: the trigger after an unlikely early return. */
static int skip_emulated(struct vcpu *v)
{
	int r = skip(v);

	if (unlikely(!r))
		return 0;
	pmu_trigger(v);
	return r;
}

/* Guarded three ways, and two conditions that guard nothing. */
static void guarded(struct vcpu *v, int a)
{
	if (unlikely(v->kvm->arch.enable_pmu))
		pmu_trigger(v);
	if (a && v->kvm->arch.enable_pmu)
		pmu_trigger(v);
	if (a || enable_pmu)
		pmu_trigger(v);
	if (!v->kvm->arch.enable_pmu)
		pmu_trigger(v);
	else
		pmu_trigger(v);
}

static void early_guard(struct vcpu *v)
{
	if (!enable_pmu || v->mode)
		return;
	pmu_trigger(v);
}

/* Branches, loops, cases, && and ?: put their calls under conditions. */
static int shapes(struct vcpu *v, int n)
{
	int i;

	log_exit(v);
	if (v->mode)
		slow_path(v);
	else if (likely(n))
		each(v);
	for (i = 0; i < n; i++)
		each(v);
	do {
		step(v);
	} while (0);
	while (step(v))
		each(v);
	switch (n) {
	case 1:
		each(v);
		break;
	}
	if (v->mode && skip(v))
		log_exit(v);
	n = v->mode ? skip(v) : step(v);
	if (WARN_ON(n < 0))
		return -1;
	log_exit(v);
	if (v->mode)
		goto out;
	slow_path(v);
out:
	return skip(v);
}

static int (*const demo_exit_handlers[])(struct vcpu *v) = {
	[EXIT_REASON_CPUID] = skip_emulated,
	[EXIT_REASON_HLT] = step,
};

void use(struct vcpu *v)
{
	guarded(v, 1);
	early_guard(v);
	shapes(v, 2);
	demo_exit_handlers[v->mode](v);
}

/*
 * check-name: call_flow: when calls run, guards, exit reasons of table roots
 * check-output-start
func skip_emulated call_flow.c:28 static
func guarded call_flow.c:39 static
func early_guard call_flow.c:53 static
func shapes call_flow.c:61 static
func use call_flow.c:100
call skip_emulated call_flow.c:30:10 direct skip
call skip_emulated call_flow.c:34:2 direct pmu_trigger when likely
call guarded call_flow.c:42:3 direct pmu_trigger when unlikely guard enable_pmu
call guarded call_flow.c:44:3 direct pmu_trigger when conditional guard enable_pmu
call guarded call_flow.c:46:3 direct pmu_trigger when conditional
call guarded call_flow.c:48:3 direct pmu_trigger when conditional
call guarded call_flow.c:50:3 direct pmu_trigger when conditional guard enable_pmu
call early_guard call_flow.c:57:2 direct pmu_trigger when conditional guard enable_pmu
call shapes call_flow.c:65:2 direct log_exit
call shapes call_flow.c:67:3 direct slow_path when conditional
call shapes call_flow.c:69:3 direct each when conditional
call shapes call_flow.c:71:3 direct each when conditional
call shapes call_flow.c:73:3 direct step
call shapes call_flow.c:75:9 direct step
call shapes call_flow.c:76:3 direct each when conditional
call shapes call_flow.c:79:3 direct each when conditional
call shapes call_flow.c:82:17 direct skip when conditional
call shapes call_flow.c:83:3 direct log_exit when conditional
call shapes call_flow.c:84:16 direct skip when conditional
call shapes call_flow.c:84:26 direct step when conditional
call shapes call_flow.c:85:6 direct warn macro WARN_ON when unlikely
call shapes call_flow.c:87:2 direct log_exit when likely
call shapes call_flow.c:90:2 direct slow_path when conditional
call shapes call_flow.c:92:9 direct skip
call use call_flow.c:102:2 direct guarded
call use call_flow.c:103:2 direct early_guard
call use call_flow.c:104:2 direct shapes
call use call_flow.c:105:2 indirect demo_exit_handlers[v->mode] targets skip_emulated step
root skip_emulated (in demo_exit_handlers[]) EXIT_REASON_CPUID
path skip_emulated: skip_emulated
 * check-output-end
 */
