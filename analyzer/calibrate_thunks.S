/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sequences hotpath calibrate times: user-space replicas of the call and
 * return sequences of arch/x86/lib/retpoline.S and asm/nospec-branch.h, each
 * in a loop "void cal_loop_X(uint64_t n)" of n > 0 iterations of CAL_UNROLL
 * copies.  Copies, not one: a loop of up to four calls runs them about free
 * on recent Intel cores, five or more cost some four cycles each, and kernel
 * code is not a four-call loop.  Plain asm, so that no compiler merges,
 * moves or drops them, and the alignment is ours: every loop and callee
 * starts a 64-byte line unless placing it is the point.
 *
 * The retpoline and safe-RET replicas return where their call did not point,
 * on purpose.  This file carries no .note.gnu.property, so the program is
 * never given a shadow stack, which would kill it there.
 */
#ifdef __x86_64__

#include "calibrate.h"

/* A callee's kCFI/FineIBT type hash: any value does. */
#define CAL_HASH	0x5a3c9e17

.macro FUNC name
	.globl	\name
	.type	\name, @function
	.balign	64, 0xcc
\name:
.endm

.macro END name
	.size	\name, . - \name
.endm

	.text

/* uint64_t cal_timed(void (*loop)(uint64_t), uint64_t n): TSC ticks of loop(n). */
FUNC cal_timed
	push	%rbx
	push	%r12
	push	%r13		/* keeps %rsp 16-byte aligned at the call */
	mov	%rdi, %r12
	mov	%rsi, %r13
	lfence			/* what came before is done... */
	rdtsc
	lfence			/* ...and the loop starts after the read */
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, %rbx
	mov	%r13, %rdi
	call	*%r12
	lfence			/* the loop is done before the second read */
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	sub	%rbx, %rax
	pop	%r13
	pop	%r12
	pop	%rbx
	ret
END cal_timed

/*
 * 100 dependent 1-cycle adds an iteration: n * 100 core cycles, whatever
 * the TSC says.  A register operand, not an immediate: Golden Cove and later
 * fold add-immediate chains at rename, several a cycle.  The loop counter
 * is a separate chain, off the critical path.
 */
FUNC cal_loop_adds
	xor	%eax, %eax
	mov	$1, %ecx
1:
	.rept	100
	add	%rcx, %rax
	.endr
	dec	%rdi
	jnz	1b
	ret
END cal_loop_adds

/* The baseline of the totals: the loop alone. */
FUNC cal_loop_empty
1:	dec	%rdi
	jnz	1b
	ret
END cal_loop_empty

	.balign	64, 0xcc
.Lleaf:
	ret
	int3

/* call: a direct call and a plain ret; the baseline of the return extras. */
FUNC cal_loop_call
1:	.rept	CAL_UNROLL
	call	.Lleaf
	.endr
	dec	%rdi
	jnz	1b
	ret
END cal_loop_call

/*
 * A callee with its type hash just before it, where kCFI checks it: the
 * hash is the immediate of a movl, as in the kernel's __cfi_ preambles.
 */
	.balign	64, 0xcc
	.skip	59, 0xcc
	.byte	0xb8		/* movl $CAL_HASH, %eax */
	.long	CAL_HASH
.Lhashed_leaf:
	ret
	int3

/* indirect: a predicted call *%r11; the baseline of the CFI extras. */
FUNC cal_loop_indirect
	lea	.Lhashed_leaf(%rip), %r11
1:	.rept	CAL_UNROLL
	call	*%r11
	.endr
	dec	%rdi
	jnz	1b
	ret
END cal_loop_indirect

/* __x86_indirect_thunk_r11 as RETPOLINE r11 makes it. */
	.balign	64, 0xcc
.Lretpoline_r11:
	call	2f		/* the RSB now predicts the int3... */
	int3
2:	mov	%r11, (%rsp)	/* ...but the ret goes to *%r11 */
	ret
	int3

FUNC cal_loop_retpoline
	lea	.Lleaf(%rip), %r11
1:	.rept	CAL_UNROLL
	call	.Lretpoline_r11
	.endr
	dec	%rdi
	jnz	1b
	ret
END cal_loop_retpoline

/* The retpoline call site as patched for X86_FEATURE_RETPOLINE_LFENCE. */
FUNC cal_loop_retpoline_lfence
	lea	.Lleaf(%rip), %r11
1:	.rept	CAL_UNROLL
	lfence
	call	*%r11
	.endr
	dec	%rdi
	jnz	1b
	ret
END cal_loop_retpoline_lfence

/* __x86_indirect_its_thunk_r11: its jmp in the upper half of a line. */
	.balign	64, 0xcc
	.skip	32, 0xcc
.Lits_r11:
	jmp	*%r11
	int3

FUNC cal_loop_its
	lea	.Lleaf(%rip), %r11
1:	.rept	CAL_UNROLL
	call	.Lits_r11
	.endr
	dec	%rdi
	jnz	1b
	ret
END cal_loop_its

/* A callee built with -mfunction-return=thunk-extern, and the thunk. */
	.balign	64, 0xcc
.Lleaf_rethunk:
	jmp	.Lreturn_thunk

	.balign	64, 0xcc
.Lreturn_thunk:
	ret
	int3

FUNC cal_loop_return_thunk
1:	.rept	CAL_UNROLL
	call	.Lleaf_rethunk
	.endr
	dec	%rdi
	jnz	1b
	ret
END cal_loop_return_thunk

/*
 * srso_return_thunk and srso_safe_ret: the call leaves the RSB predicting
 * the ud2, the lea drops that return address, and the ret goes to the
 * callee's caller, mispredicted on every return.
 */
	.balign	64, 0xcc
.Lleaf_srso:
	jmp	.Lsrso_return_thunk

	.balign	64, 0xcc
.Lsrso_safe_ret:
	lea	8(%rsp), %rsp
	ret
	int3
.Lsrso_return_thunk:
	call	.Lsrso_safe_ret
	ud2

FUNC cal_loop_srso_safe_ret
1:	.rept	CAL_UNROLL
	call	.Lleaf_srso
	.endr
	dec	%rdi
	jnz	1b
	ret
END cal_loop_srso_safe_ret

/*
 * The same as srso_alias_return_thunk and srso_alias_safe_ret, as a block
 * that refers to nothing outside it: calibrate.c copies it so that
 * cal_alias_safe_ret lands at an address with bits 2, 8, 14 and 20 set in a
 * 2M-aligned page, where the kernel's linker script puts it.  The block
 * starts with its loop.
 */
FUNC cal_alias_begin
1:	.rept	CAL_UNROLL
	call	.Lalias_leaf
	.endr
	dec	%rdi
	jnz	1b
	ret

	.balign	64, 0xcc
.Lalias_leaf:
	jmp	.Lalias_return_thunk

	.balign	64, 0xcc
	.skip	4, 0xcc		/* bit 2 set, as in the kernel */
	.globl	cal_alias_safe_ret
cal_alias_safe_ret:
.Lalias_safe_ret:
	lea	8(%rsp), %rsp
	ret
	int3
.Lalias_return_thunk:
	call	.Lalias_safe_ret	/* local: no relocation, the block moves */
	ud2
	.globl	cal_alias_end
cal_alias_end:
END cal_alias_begin

/*
 * Call depth tracking: the counter that the kernel keeps per CPU, here one
 * for the process.  -1 is full credit (CREDIT_CALL_DEPTH), 0 an underflow.
 */
	.data
	.balign	64
.Ldepth:
	.quad	-1
	.text

/*
 * A callee reached through its call-thunk padding, which does
 * INCREMENT_CALL_DEPTH, and returning through call_depth_return_thunk.
 */
	.balign	64, 0xcc
.Lleaf_depth:
	sarq	$5, .Ldepth(%rip)
	jmp	.Ldepth_return_thunk

	.balign	64, 0xcc
.Ldepth_return_thunk:
	shlq	$5, .Ldepth(%rip)
	jz	1f
	ret
	int3
1:				/* underflow: refill the RSB with 16 traps */
	.rept	16
	call	2f
	int3
2:
	.endr
	add	$(8 * 16), %rsp
	movq	$-1, .Ldepth(%rip)
	ret
	int3

/*
 * The first call of the loop starts from an underflow, so each run takes
 * the refill path once (and proves the stack balanced); the rest are the
 * steady state of balanced calls, which never refill.
 */
FUNC cal_loop_call_depth
	movq	$0, .Ldepth(%rip)
	call	.Lleaf_depth
1:	.rept	CAL_UNROLL
	call	.Lleaf_depth
	.endr
	dec	%rdi
	jnz	1b
	ret
END cal_loop_call_depth

/* kCFI's caller check (arch/x86/kernel/alternative.c), then the call. */
FUNC cal_loop_kcfi
	lea	.Lhashed_leaf(%rip), %r11
1:	.rept	CAL_UNROLL
	movl	$-CAL_HASH, %r10d
	addl	-4(%r11), %r10d
	je	2f
	ud2
2:	call	*%r11
	.endr
	dec	%rdi
	jnz	1b
	ret
END cal_loop_kcfi

/* FineIBT: the caller passes the hash, the callee's preamble checks it. */
	.balign	64, 0xcc
.Lfineibt_leaf:
	endbr64			/* a nop without CET */
	subl	$CAL_HASH, %r10d
	je	2f
	ud2
2:	ret
	int3

FUNC cal_loop_fineibt
	lea	.Lfineibt_leaf(%rip), %r11
1:	.rept	CAL_UNROLL
	movl	$CAL_HASH, %r10d
	call	*%r11
	.endr
	dec	%rdi
	jnz	1b
	ret
END cal_loop_fineibt

/* cpuid leaf 0: in a guest, a VM exit each. */
FUNC cal_loop_cpuid
	push	%rbx
1:	.rept	CAL_UNROLL
	xor	%eax, %eax
	xor	%ecx, %ecx
	cpuid
	.endr
	dec	%rdi
	jnz	1b
	pop	%rbx
	ret
END cal_loop_cpuid

#endif /* __x86_64__ */

	.section .note.GNU-stack, "", %progbits
