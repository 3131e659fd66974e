// SPDX-License-Identifier: GPL-2.0
/*
 * Every call kind the analyzer tells apart, written with the same
 * mechanisms the kernel uses: a static-call trampoline named __SCT__<key>,
 * an ops structure, a table of handlers and an INDIRECT_CALL-style wrapper.
 */
struct vcpu;

#define likely(x)	__builtin_expect(!!(x), 1)
#define __SCT__(name)	__SCT__##name
#define static_call(name)	({ (void)0; (&__SCT__(name)); })
#define vm_call(op)	static_call(vm_##op)
#define INDIRECT_CALL_1(f, f1, ...) \
	(likely(f == f1) ? f1(__VA_ARGS__) : f(__VA_ARGS__))

extern int __SCT__vm_skip(struct vcpu *v);
extern int __SCT__vm_get_flags(struct vcpu *v);

struct ops {
	int (*handle)(struct vcpu *v);
};

int counted(struct vcpu *v);
static inline int cheap(struct vcpu *v)
{
	return v != 0;
}

static int handle_io(struct vcpu *v)
{
	return counted(v);
}

static int handle_hlt(struct vcpu *v)
{
	return cheap(v);
}

static int (*const handlers[])(struct vcpu *v) = {
	handle_io,
	handle_hlt,
};

int run(struct vcpu *v, const struct ops *ops, int reason, int (*fn)(struct vcpu *))
{
	int r = vm_call(skip)(v);

	r += static_call(vm_get_flags)(v);
	r += handlers[reason](v);
	r += ops->handle(v);
	r += fn(v);
	r += INDIRECT_CALL_1(fn, handle_io, v);
	return r + cheap(v);
}

/*
 * check-name: direct, inline, static_call, indirect (table, member, pointer) and wrapper calls
 * check-output-start
func cheap call_kinds.c:24 inline static
func handle_io call_kinds.c:29 static
func handle_hlt call_kinds.c:34 static
func run call_kinds.c:44
call handle_io call_kinds.c:31:9 direct counted
call handle_hlt call_kinds.c:36:9 direct cheap inline
call run call_kinds.c:46:10 static_call vm_skip macro vm_call targets (unknown)
call run call_kinds.c:48:7 static_call vm_get_flags macro static_call targets (unknown)
call run call_kinds.c:49:7 indirect handlers[reason] targets handle_hlt handle_io
call run call_kinds.c:50:7 indirect ops->handle field struct ops.handle targets (unknown)
call run call_kinds.c:51:7 indirect fn targets (unknown)
call run call_kinds.c:52:7 direct handle_io macro INDIRECT_CALL_1 when likely
call run call_kinds.c:52:7 indirect_wrapper fn macro INDIRECT_CALL_1 when unlikely targets (unknown)
call run call_kinds.c:53:13 direct cheap inline
 * check-output-end
 */
