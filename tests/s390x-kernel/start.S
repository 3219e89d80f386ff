/* SPDX-License-Identifier: MIT */
/*
 * The test kernel's entry, interruption handlers and probes.
 *
 * Entry: QEMU's -kernel starts at the ELF entry in z/Architecture mode;
 * Hercules starts from the IPL PSW at absolute 0 in ESA/390 mode. The
 * first instructions are valid in both: SIGNAL PROCESSOR "set
 * architecture" switches to z/Architecture (QEMU, already there, refuses
 * it), then SET ADDRESSING MODE 64.
 *
 * Probes: one access, at a virtual address, with DAT on. They live in the
 * page .probe, which every test address space maps at its own address. A
 * program check during the access arrives in pgm_handler with DAT off;
 * pgm_check() (main.c) records it and resumes at probe_fault.
 */
#define LC_SAVE		0xe00	/* 16 registers saved by the handlers */
#define LC_CPUADDR	0xe80	/* STORE CPU ADDRESS scratch */
#define LC_EXT_OLD	0x130
#define LC_PGM_OLD	0x150

	.section .lowcore, "aw"
	/* IPL PSW, ESA/390 format: 31-bit addressing, start at _start. */
	.long	0x00080000, 0x80000000 + _start

	.section .text.start, "ax"
	.globl	_start
_start:
	lhi	%r1,1			/* parameter: z/Architecture */
	stap	LC_CPUADDR
	lh	%r3,LC_CPUADDR
	sigp	%r1,%r3,0x12		/* set architecture */
	sam64
	/* Clear .bss (the stacks are there) before anything uses it. */
	larl	%r2,__bss_start
	larl	%r3,_end
	lghi	%r0,0
1:	clgr	%r2,%r3
	jhe	2f
	stg	%r0,0(%r2)
	aghi	%r2,8
	j	1b
2:	larl	%r15,boot_stack_top
	aghi	%r15,-160
	brasl	%r14,kmain
0:	j	0b

	.text
/* Program check: save, call pgm_check() on its own stack, resume with
 * the old PSW (which pgm_check() may have redirected). */
	.globl	pgm_handler
pgm_handler:
	stmg	%r0,%r15,LC_SAVE
	larl	%r15,irq_stack_top
	aghi	%r15,-160
	brasl	%r14,pgm_check
	lmg	%r0,%r15,LC_SAVE
	lpswe	LC_PGM_OLD

/* External interruption: ext_interrupt() (sclp.c) notes it; the old PSW,
 * an enabled wait, is resumed without its wait and external-mask bits. */
	.globl	ext_handler
ext_handler:
	stmg	%r0,%r15,LC_SAVE
	larl	%r15,irq_stack_top
	aghi	%r15,-160
	brasl	%r14,ext_interrupt
	lmg	%r0,%r15,LC_SAVE
	ni	LC_EXT_OLD,0xfe		/* PSW bit 7: external mask off */
	ni	LC_EXT_OLD + 1,0xfd	/* PSW bit 14: wait off */
	lpswe	LC_EXT_OLD

/* Any other interruption is unexpected: stop with a disabled wait. */
	.globl	other_handler
other_handler:
	larl	%r1,dead_psw
	lpswe	0(%r1)

/* void disabled_wait(uint64_t code): stop the CPU for good. */
	.globl	disabled_wait
disabled_wait:
	larl	%r1,end_psw
	stg	%r2,8(%r1)
	lpswe	0(%r1)

	.section .probe, "ax"
/* int probe_read(uint64_t va, uint64_t *val): 0, or -1 after a program
 * check (pgm_check() recorded it). %r1 addresses the scratch byte that
 * STOSM / STNSM store the old system mask into: real with DAT off, the
 * same virtual address with DAT on, as the page is mapped to itself. */
	.globl	probe_read, probe_read_insn
probe_read:
	larl	%r1,probe_scratch
	stosm	0(%r1),0x04		/* PSW bit 5: DAT on */
probe_read_insn:
	lg	%r0,0(%r2)
	stnsm	0(%r1),0xfb		/* DAT off */
	stg	%r0,0(%r3)
	lghi	%r2,0
	br	%r14

/* int probe_write(uint64_t va, uint64_t val) */
	.globl	probe_write, probe_write_insn
probe_write:
	larl	%r1,probe_scratch
	stosm	0(%r1),0x04
probe_write_insn:
	stg	%r3,0(%r2)
	stnsm	0(%r1),0xfb
	lghi	%r2,0
	br	%r14

/* int probe_ifetch(uint64_t va): executes the instruction at @va, which
 * the caller made "br %r4" (0x07f4); an exception there is reported
 * with the old PSW pointing at @va. */
	.globl	probe_ifetch
probe_ifetch:
	larl	%r1,probe_scratch
	stosm	0(%r1),0x04
	basr	%r4,%r2
	stnsm	0(%r1),0xfb
	lghi	%r2,0
	br	%r14

/* Where pgm_check() resumes a probe that took a program check (DAT off). */
	.globl	probe_fault
probe_fault:
	lghi	%r2,-1
	br	%r14

	.balign	8
probe_scratch:
	.quad	0

	.section .data
	.balign	8
/* Disabled wait, z/Architecture PSW: wait bit, 64-bit addressing. */
end_psw:
	.quad	0x0002000180000000, 0
dead_psw:
	.quad	0x0002000180000000, 0xdead

	.section .bss
	.balign	4096
	.space	16384
boot_stack_top:
	.space	8192
irq_stack_top:

	.section .note.GNU-stack,"",@progbits
