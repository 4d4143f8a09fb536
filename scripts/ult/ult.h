/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ult: a small user-level thread library, the user-space half of the
 * "user-level vs kernel-level threads" measurements. It maps user-level
 * threads (ULTs) onto kernel threads in one of three ways, chosen at init:
 *
 *   many-to-one (M:1)  ult_init(): every ULT shares the one kernel thread
 *                      that called it, which becomes the "main" ULT.
 *   many-to-many (M:N) ult_init_mn(nvp): the ULTs run on nvp kernel
 *                      threads, the "virtual processors" (VPs). Each VP has
 *                      its own run queue, idle VPs steal work from the
 *                      others, and a thread may resume on another VP than
 *                      the one it left (ult_vp_id() says which).
 *   two-level          M:N, plus ult_create_bound(): a ULT with a kernel
 *                      thread of its own, scheduled by the kernel, that
 *                      joins and synchronises with the others as any ULT.
 *
 * Each ULT but main has its own mmap()ed stack with a guard page. Threads
 * give up their VP when they yield, join, exit, wait for a mutex or a
 * condition variable, or wait in ult_read(). M:1 has two context switches:
 *
 *   ULT_SWITCH_ASM       hand-written x86-64 switch: saves the callee-saved
 *                        registers and rsp, no system call.
 *   ULT_SWITCH_UCONTEXT  glibc swapcontext(), which also saves and restores
 *                        the signal mask with rt_sigprocmask on each switch.
 *
 * M:N uses the asm switch. A blocking system call blocks the VP it runs
 * on; bracketed by ult_syscall_enter() and ult_syscall_exit(), it lets a
 * monitor thread (ult_monitor_start()) hand that VP's queue to a spare
 * kernel thread, as Go's sysmon does.
 *
 * ult_preempt_start() adds preemption to M:1: a SIGALRM interval timer
 * makes the running thread yield from the signal handler, so threads that
 * never yield still interleave. Threads running under preemption must not
 * call functions that are not async-signal-safe (malloc, stdio, ...), and
 * they share errno, as every M:1 library's threads do.
 *
 * M:1 is not thread-safe: use it from one kernel thread only. In M:N the
 * library's calls may be made from any ULT, bound or not, but not from
 * other kernel threads of the process. errno belongs to the kernel thread:
 * read it right after the call that set it, before anything that can
 * switch (ult_syscall_exit() keeps it across a change of kernel thread).
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

/* M:1: make the caller the main ULT and pick the switch; 0 or -1 (errno). */
int ult_init(enum ult_switch_kind kind);
/*
 * M:N: make the caller the main ULT, running on VP 0, and start nvp - 1
 * more VPs (nvp <= 0: one per online CPU, at most ULT_MAX_VPS); 0 or -1
 * (errno).
 */
#define ULT_MAX_VPS	64
int ult_init_mn(int nvp);
/*
 * Leave either mode, called by main: every other ULT must have been
 * joined. In M:N main first moves back to the kernel thread that called
 * ult_init_mn(), so the caller goes on where it started.
 */
void ult_fini(void);
const char *ult_switch_name(enum ult_switch_kind kind);

/*
 * Queue a new thread running fn(arg) at the tail of the caller's VP's
 * run queue (M:N: and wake an idle VP to steal it); NULL (errno) on error.
 */
struct ult *ult_create(ult_fn_t fn, void *arg);
/* The same on VP vp's queue; another VP may still steal it. */
struct ult *ult_create_on(int vp, ult_fn_t fn, void *arg);
/*
 * Two-level: a ULT with a kernel thread of its own (M:N only, else NULL
 * and EINVAL). It blocks its own kernel thread only, in a system call as
 * in a mutex; join it with ult_join().
 */
struct ult *ult_create_bound(ult_fn_t fn, void *arg);
/*
 * Let every other runnable thread run once, round-robin: in M:N those
 * queued on the caller's VP (none: it returns at once; a bound thread
 * calls sched_yield()).
 */
void ult_yield(void);
/* Finish the calling thread; returning from fn does the same. */
void ult_exit(void *ret) __noreturn;
/* Wait for t to finish, free it and return its exit value. */
void *ult_join(struct ult *t);

struct ult *ult_self(void);
int ult_id(const struct ult *t);
/*
 * The VP the caller runs on now: 0 in M:1, 0..nvp-1 in M:N (it can change
 * at any call that switches), -1 in a bound thread.
 */
int ult_vp_id(void);
/* VPs: 1 in M:1, nvp in M:N; 0 before any init. */
int ult_nvp(void);
/* The thread's stack: [*lo, *hi). Main's is unknown: both NULL. */
void ult_stack_range(const struct ult *t, char **lo, char **hi);
/* Context switches done since ult_init() or ult_init_mn(). */
unsigned long ult_switches(void);

/*
 * Tracing, for timelines (scripts/timeline.sh -s ult): with ULT_TRACE=1
 * in the environment, ult_trace_start() opens tracefs's trace_marker once
 * (ult_init() and ult_init_mn() call it), and from then on every switch
 * between ULTs writes "ult_switch from=A to=B" there (ids; -1 is a VP's
 * idle loop), from the kernel thread that switched, so the trace puts
 * user threads beside the kernel's sched_switch. Without ULT_TRACE no
 * marker is written: a switch tests one integer. ult_trace_start()
 * returns -1 if ULT_TRACE=1 but trace_marker cannot be opened.
 * ult_trace(): a line of the caller's own (say, "ult_name id=3
 * name=reader"), when tracing is on; not async-signal-safe.
 */
int ult_trace_start(void);
void ult_trace(const char *fmt, ...) __printf(1, 2);

/* What the M:N runtime did since ult_init_mn(); all zero in M:1. */
struct ult_mn_stats {
	unsigned long steals;	/* threads moved by idle VPs */
	unsigned long parks;	/* waits parked in the user-level scheduler */
	unsigned long handoffs;	/* VPs the monitor took from a system call */
	unsigned long np_wakes;	/* threads the netpoller made runnable */
	unsigned long act_events;	/* activation events read */
	unsigned long act_handoffs;	/* VPs taken on "blocked" events */
	int kthreads;		/* kernel threads made: VPs, spares, bound */
};

void ult_mn_stats(struct ult_mn_stats *s);

/*
 * M:N: bracket a system call that may block. In between, the thread must
 * not call the library. Should the monitor hand the VP on while the call
 * blocks, ult_syscall_exit() queues the thread on a VP again (errno kept)
 * and the kernel thread it blocked on becomes a spare. No-ops in M:1 and
 * in bound threads.
 */
void ult_syscall_enter(void);
void ult_syscall_exit(void);

/*
 * M:N: a monitor thread that every so often looks for a VP that has been
 * in a bracketed system call for threshold_us or longer with threads
 * queued, and hands it to a spare kernel thread (made if none is idle).
 * Go's sysmon: threshold 20 us, and its sleep doubles from 20 us up to
 * max_sleep_us (Go: 10 ms) while it finds nothing. 0 or -1 (errno).
 */
int ult_monitor_start(unsigned int threshold_us, unsigned int max_sleep_us);
void ult_monitor_stop(void);

/*
 * M:N: scheduler activations, with ktd_activations.ko loaded. The kernel
 * tells an upcall thread the moment a kernel thread blocks; if it blocked
 * in a bracketed system call with threads queued on its VP, the VP goes
 * to a spare kernel thread at once (the monitor's handoff, without the
 * wait). Can run beside the monitor. 0 or -1 (errno: EINVAL in M:1, EBUSY
 * if started already, open()'s errors for /dev/ktd_activations: ENOENT
 * without the module, EACCES when not root).
 */
int ult_activations_start(void);
void ult_activations_stop(void);

/*
 * M:N: Go's netpoller. From now until ult_fini(), ult_read() in a ULT on
 * a VP parks the thread on one epoll set instead of blocking its VP; idle
 * VPs poll the set and run the threads whose fds are ready, so K blocked
 * readers need no kernel thread each. Bound threads still block in
 * poll(). 0 or -1 (errno: EINVAL in M:1, EBUSY if started already).
 */
int ult_netpoll_start(void);

/*
 * A mutex and a condition variable for ULTs (bound ones too). A thread
 * that has to wait parks in the user-level scheduler, which runs another
 * thread; in M:N a locker first spins a little, as Go's sync.Mutex does,
 * if there are other VPs (one may be running the owner) and nothing else
 * is queued on its own. Unlocking wakes one waiter,
 * which then competes for the lock again. Initialise with the
 * initialisers or the init functions; nothing to destroy.
 */
struct ult_mutex {
	int state;		/* 0 free, 1 locked, 2 locked with waiters (M:N) */
	int wait_lock;		/* M:N: guards the waiters */
	struct ult *head, *tail;	/* waiters, FIFO */
};

struct ult_cond {
	int wait_lock;
	struct ult *head, *tail;
};

#define ULT_MUTEX_INITIALIZER	{ 0 }
#define ULT_COND_INITIALIZER	{ 0 }

void ult_mutex_init(struct ult_mutex *m);
void ult_mutex_lock(struct ult_mutex *m);
/* 1 if it took the lock, 0 if it is held. */
int ult_mutex_trylock(struct ult_mutex *m);
void ult_mutex_unlock(struct ult_mutex *m);
void ult_cond_init(struct ult_cond *c);
/* Unlock m, wait for a signal, lock m again; wake-ups may be spurious. */
void ult_cond_wait(struct ult_cond *c, struct ult_mutex *m);
void ult_cond_signal(struct ult_cond *c);
void ult_cond_broadcast(struct ult_cond *c);

/* M:1: preempt the running thread every interval_us (SIGALRM); 0 or -1. */
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
 * for kernel threads. In M:N, unless ult_netpoll_start() was called, the
 * thread waits in poll() inside ult_syscall_enter()/ult_syscall_exit(), so
 * it blocks its VP unless the monitor hands the VP on.
 */
ssize_t ult_read(int fd, void *buf, size_t count);

/*
 * Internal: the hand-written switch (ult_switch_x86_64.S) and the C entry
 * points a new thread's first "ret" leads to (M:1, M:N).
 */
void ult_switch_asm(void **save_sp, void *new_sp);
void ult_start_asm(void);
void ult_mn_start_asm(void);
void ult_entry(struct ult *t) __noreturn;
void ult_mn_entry(struct ult *t) __noreturn;

#endif /* ULT_H */
