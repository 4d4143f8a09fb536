/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ult library's hand-written x86-64 context switch.
 *
 * void ult_switch_asm(void **save_sp, void *new_sp);
 *
 * Pushes the System V callee-saved registers (rbp, rbx, r12-r15) on the
 * current stack, stores rsp in *save_sp, loads new_sp and pops the same
 * registers from there; "ret" then continues wherever that thread called
 * ult_switch_asm(). Caller-saved registers need no saving: the C caller
 * already assumes they are clobbered. The x87 control word and MXCSR are
 * callee-saved too, but no ult thread changes them, so they are shared.
 *
 * A new thread's stack is prepared by ult.c to look like a switched-out
 * one: six zeroed register slots (r12 holding its struct ult) and a
 * return address of ult_start_asm (M:1) or ult_mn_start_asm (M:N), with
 * rsp 16-byte aligned after "ret". The two differ only in the C function
 * they call, so neither runtime's threads test which runtime they are in.
 */
	.text

	.globl	ult_switch_asm
	.type	ult_switch_asm, @function
ult_switch_asm:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	ult_switch_asm, . - ult_switch_asm

/* First code a new thread runs: ult_entry(struct ult *) never returns. */
	.globl	ult_start_asm
	.type	ult_start_asm, @function
ult_start_asm:
	movq	%r12, %rdi
	call	ult_entry
	ud2
	.size	ult_start_asm, . - ult_start_asm

/* The same for an M:N thread: ult_mn_entry(struct ult *). */
	.globl	ult_mn_start_asm
	.type	ult_mn_start_asm, @function
ult_mn_start_asm:
	movq	%r12, %rdi
	call	ult_mn_entry
	ud2
	.size	ult_mn_start_asm, . - ult_mn_start_asm

	.section .note.GNU-stack, "", @progbits
