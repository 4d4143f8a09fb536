/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ult: a small many-to-one (M:1) user-level thread library, the user-space
 * half of the "user-level vs kernel-level threads" measurements.
 *
 * All user-level threads (ULTs) of a process share the one kernel thread
 * that called ult_init(); that caller becomes the "main" ULT. Each other
 * ULT has its own mmap()ed stack with a guard page. A round-robin run queue
 * decides who runs next; threads give up the CPU when they yield, join,
 * exit or wait in ult_read(). Two context switches are available:
 *
 *   ULT_SWITCH_ASM       hand-written x86-64 switch: saves the callee-saved
 *                        registers and rsp, no system call.
 *   ULT_SWITCH_UCONTEXT  glibc swapcontext(), which also saves and restores
 *                        the signal mask with rt_sigprocmask on each switch.
 *
 * ult_preempt_start() adds preemption: a SIGALRM interval timer makes the
 * running thread yield from the signal handler, so threads that never
 * yield still interleave. Threads running under preemption must not call
 * functions that are not async-signal-safe (malloc, stdio, ...), and they
 * share errno, as every M:1 library's threads do.
 *
 * Not thread-safe: use it from one kernel thread only.
 */
#ifndef ULT_H
#define ULT_H

#include <stddef.h>
#include <sys/types.h>

enum ult_switch_kind {
	ULT_SWITCH_ASM,
	ULT_SWITCH_UCONTEXT,
};

/* The kernel's attribute spellings, as tools/include/linux/compiler.h has. */
#ifndef __noreturn
#define __noreturn	__attribute__((__noreturn__))
#endif
#ifndef __printf
#define __printf(a, b)	__attribute__((__format__(printf, a, b)))
#endif
#ifndef noinline
#define noinline	__attribute__((__noinline__))
#endif

struct ult;
typedef void *(*ult_fn_t)(void *arg);

/* Make the caller the main ULT and pick the switch; 0 or -1 (errno). */
int ult_init(enum ult_switch_kind kind);
/* Free the cached stacks; every ULT but main must have been joined. */
void ult_fini(void);
const char *ult_switch_name(enum ult_switch_kind kind);

/* Queue a new thread running fn(arg) at the tail; NULL (errno) on error. */
struct ult *ult_create(ult_fn_t fn, void *arg);
/* Let every other runnable thread run once, round-robin. */
void ult_yield(void);
/* Finish the calling thread; returning from fn does the same. */
void ult_exit(void *ret) __noreturn;
/* Wait for t to finish, free it and return its exit value. */
void *ult_join(struct ult *t);

struct ult *ult_self(void);
int ult_id(const struct ult *t);
/* The thread's stack: [*lo, *hi). Main's is unknown: both NULL. */
void ult_stack_range(const struct ult *t, char **lo, char **hi);
/* Context switches done since ult_init(). */
unsigned long ult_switches(void);

/* Preempt the running thread every interval_us (SIGALRM); 0 or -1. */
int ult_preempt_start(unsigned int interval_us);
void ult_preempt_stop(void);
/* Preemptions done (ticks that switched) and skipped (in the library). */
unsigned long ult_preemptions(void);

/*
 * read() that blocks only the calling ULT: when there is nothing to read
 * the thread parks on the fd and the others run. The fd's file flags are
 * left alone (no O_NONBLOCK: the read is made non-blocking with
 * RWF_NOWAIT, or waited for with poll()). The scheduler checks the parked
 * fds with epoll now and then, and sleeps in epoll_wait() when no thread
 * is runnable. Closing an fd a thread waits on is undefined, as it is
 * for kernel threads.
 */
ssize_t ult_read(int fd, void *buf, size_t count);

/*
 * Internal: the hand-written switch (ult_switch_x86_64.S) and the C entry
 * point a new thread's first "ret" lands in.
 */
void ult_switch_asm(void **save_sp, void *new_sp);
void ult_start_asm(void);
void ult_entry(struct ult *t) __noreturn;

#endif /* ULT_H */
