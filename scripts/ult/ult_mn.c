// SPDX-License-Identifier: GPL-2.0
/*
 * ult_mn: the library's M:N runtime (see ult.h): M user-level threads on
 * N kernel threads, the virtual processors (VPs); bound threads; mutexes
 * and condition variables; and Go's answer to blocking system calls, a
 * monitor that hands a stuck VP to a spare kernel thread.
 *
 * VPs and kernel threads. A VP (struct ult_vp) is a run queue and what
 * goes with it (a cache of stack regions, counters); a kernel thread
 * (struct ult_kt, a pthread) runs the threads of the VP it holds. At init
 * kernel thread i holds VP i; kernel thread 0 (kt0) is the caller of
 * ult_init_mn(), whose code goes on as the main ULT. Only blocking system
 * calls change the pairing (below). A VP's fields that have no lock
 * belong to the kernel thread holding it. In Go's words a VP is a P and a
 * kernel thread an M.
 *
 * Switching. A thread that gives up its VP picks the next thread from the
 * VP's queue or, if there is none, its kernel thread's own context
 * (kt->idle: the pthread's stack, an mmap()ed one for kt0) where the idle
 * loop steals and sleeps. The switch is the hand-written one. What must
 * happen to the thread left behind (requeue it, release the lock of the
 * list it now waits on, mark it done and wake its joiner) is done after
 * the switch, by the context switched to, in mn_finish_switch(): until its
 * registers are saved, no other kernel thread may resume it (Linux's
 * finish_task_switch() is there for the same reason).
 *
 * Run queues and stealing. Each VP's queue is a FIFO under a small lock.
 * A new or woken thread goes on the queue of the VP of whoever made or
 * woke it; a yield goes to the tail of its own VP's queue, and returns at
 * once when that queue is empty. A VP with nothing queued spins: it sweeps
 * the other VPs a few times, taking half of the first queue it finds
 * non-empty, oldest threads first; then it sleeps on a futex. Whoever
 * queues a thread (made, yielding, or woken where threads wait already,
 * see mn_wake()), and a VP entering a system call with threads queued,
 * wakes a sleeping VP unless one is spinning already (Go's "spinning M"
 * rule, which keeps wake-ups, system calls, rare). A VP about to sleep
 * counts itself asleep and then looks at every queue again under that
 * queue's lock, so a thread queued meanwhile is seen by one or the other.
 *
 * Parking. A thread that waits (join, mutex, condition variable) puts
 * itself on the object's list under the object's lock and switches away;
 * the lock is released in mn_finish_switch(). The waker takes it off the
 * list under the same lock and queues it. A bound thread has no VP to
 * give up: it waits on a futex of its own.
 *
 * Blocking system calls. ult_syscall_enter() marks the VP's owner word
 * "in a system call". The monitor, when started, looks at every VP each
 * "delay" (20 us, doubling up to a limit after 50 rounds that found
 * nothing to do, as Go's sysmon does). A VP seen in the same system call
 * for threshold_us or longer, with threads queued, is taken from its
 * kernel thread by compare-and-swap on the owner word, so that the thread
 * coming back from the call and the monitor cannot both win, and given to
 * a spare kernel thread, made if none is parked. The thread that returns
 * finds its VP gone: it takes it back if no one has it yet, else queues
 * itself on it and its kernel thread parks as a spare.
 *
 * The netpoller (ult_netpoll_start(), Go's netpoll). ult_read() then
 * parks a thread whose fd has nothing to read instead of blocking its VP:
 * the thread is listed under its fd in np_waiters[], the fd is armed
 * (EPOLLONESHOT) in one epoll set, and the thread gives its VP to the
 * next, as a mutex waiter does. An idle VP, before it sleeps, checks the
 * set without blocking and queues the waiters of every ready fd on itself;
 * the first VP to find nothing at all sleeps in epoll_wait() instead of on
 * the futex, and mn_wakep() kicks it through an eventfd in the set. So
 * ten thousand threads waiting for sockets cost ten thousand stacks but
 * no kernel thread each. Busy VPs do not poll: a ready fd waits for a VP
 * to go idle (Go's sysmon also polls every 10 ms; the monitor here does
 * not).
 *
 * Scheduler activations (ult_activations_start(), with ktd_activations.ko
 * loaded). The kernel says when a kernel thread blocks, instead of the
 * monitor guessing from how long a call has lasted. Each kernel thread
 * registers itself with /dev/ktd_activations the first time it enters a
 * bracketed call (a VP number per kernel thread, the device's word for
 * what the kernel schedules); an upcall thread reads the device's events
 * and, on "k blocked", takes k's VP by the monitor's compare-and-swap (so
 * the returning thread and the upcall cannot both win) and gives it to a
 * spare at once. The return path is the monitor's: the thread coming back
 * takes its VP back if nobody has it, else queues itself there and its
 * kernel thread parks as a spare. Blocks outside a bracketed call (page
 * faults, the runtime's own futexes) are not handed on: the kernel thread
 * may hold the runtime's locks there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../../ktd_activations.h"
#include "ult.h"
#include "ult_int.h"

#define MN_SWEEPS		4	/* steal sweeps before an idle VP sleeps */
#define MN_CACHE_MAX		64	/* finished regions kept per VP */
#define MN_KT_STACK		(128 * 1024)	/* a kernel thread's own stack */
#define MN_LOCK_SPINS		100	/* mn_lock() spins before it sleeps */
#define MN_MUTEX_SPINS		4	/* Go's active_spin */
#define MN_MUTEX_PAUSES		30	/* Go's active_spin_cnt */
#define MN_MON_START_US		20	/* the monitor's shortest sleep (Go's) */
#define MN_MON_IDLE_ROUNDS	50	/* fruitless rounds before it backs off */
#define MN_NP_EVENTS		64	/* ready fds taken per epoll_wait() */
#define MN_ACT_EVENTS		32	/* activation events per read() */

/* vp->own: the holding kernel thread, | OWN_SYSCALL while in a call. */
#define OWN_SYSCALL		1UL

/* What mn_finish_switch() does with the thread switched away from. */
enum prev_action {
	PREV_NONE,
	PREV_REQUEUE,		/* still runnable: queue it */
	PREV_EXIT,		/* finished: mark it done, wake its joiner */
	PREV_HOME,		/* main, to be resumed by kt0 */
};

struct ult_vp {
	int lock;			/* guards the queue */
	struct ult *head, *tail;
	int nr;				/* queue length, also read unlocked */
	uintptr_t own;			/* struct ult_kt * | OWN_SYSCALL; 0: taken */
	unsigned int sys_seq;		/* system calls entered */
	int id;
	/* the holder's */
	struct ult *cache;
	int ncached;
	unsigned int rand;
	unsigned long nswitches, nsteals, nparks;
	/* the monitor's */
	unsigned int mon_seq;
	int64_t mon_since;		/* first seen in this call; 0: not */
} __attribute__((aligned(64)));

struct ult_kt {
	struct ult *idle;		/* its own context: the idle loop */
	struct ult idle_ctx;		/* ... unless it has an mmap()ed one */
	struct ult *cur;		/* the context running on it */
	struct ult_vp *vp;		/* the VP it holds; NULL: spare, bound */
	struct ult *prev;		/* for mn_finish_switch() */
	enum prev_action prev_action;
	int *prev_unlock;
	int wake;			/* futex word of a parked spare */
	bool spare_listed;
	struct ult_vp *sys_vp;		/* the VP of its last bracketed call */
	bool act_tried;			/* registered with the device, or tried */
	pthread_t pth;
	struct ult_kt *next_all, *next_spare;
};

static struct {
	int nvp;
	struct ult_vp *vps;
	struct ult main;
	struct ult_kt *kt0;		/* the caller of ult_init_mn() */
	struct ult *home;		/* main, waiting to go back to kt0 */
	int stopping;
	int nspinning, nsleeping;	/* idle VPs */
	int idle_seq;			/* futex word of sleeping VPs */
	int kts_lock;			/* guards the two lists, kts_made */
	struct ult_kt *all_kts, *spares;
	int kts_made;
	int nbound;			/* bound kernel threads not yet gone */
	int cache_lock;			/* regions freed by bound threads */
	struct ult *cache;
	int ncached;
	int next_id;
	unsigned int next_vp;		/* round robin for VP-less creators */
	unsigned long handoffs;
	pthread_t mon;
	bool mon_on;
	int mon_stop;			/* futex word the monitor sleeps on */
	int64_t mon_threshold_ns;
	unsigned int mon_max_us;
	/* the netpoller (ult_netpoll_start()) */
	bool np_on;
	int np_epfd, np_evfd;		/* the epoll set; its wake-up eventfd */
	int np_lock;			/* guards the waiter lists */
	struct ult **np_waiters;	/* per fd, linked by ->next */
	int np_len;
	int np_nwait;			/* threads parked on an fd */
	int np_sleeping;		/* 1: an idle VP sleeps in epoll_wait() */
	unsigned long np_wakes;		/* threads it made runnable */
	/* scheduler activations (ult_activations_start()) */
	bool act_on;
	int act_fd, act_evfd;		/* the device; the upcall's stop */
	pthread_t act_thr;		/* the upcall thread */
	int act_next;			/* VP numbers given out */
	struct ult_kt *act_kts[KTD_ACT_MAX_VPS];	/* by VP number */
	unsigned long act_events, act_handoffs;
} mn;

/*
 * ThreadSanitizer (clang -fsanitize=thread) must be told of every switch
 * of stacks, each context being a "fiber" to it; without it these are
 * no-ops. Switching with synchronisation: on one kernel thread what ran
 * before the switch happened before what runs after it.
 */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ULT_TSAN
#endif
#endif

#ifdef ULT_TSAN
#include <sanitizer/tsan_interface.h>

static void tsan_current(struct ult *t)
{
	t->tsan_fiber = __tsan_get_current_fiber();
}

static void tsan_create(struct ult *t)
{
	t->tsan_fiber = __tsan_create_fiber(0);
}

static void tsan_destroy(struct ult *t)
{
	__tsan_destroy_fiber(t->tsan_fiber);
}

static void tsan_switch(struct ult *next)
{
	__tsan_switch_to_fiber(next->tsan_fiber, 0);
}
#else
static inline void tsan_current(struct ult *t) { (void)t; }
static inline void tsan_create(struct ult *t) { (void)t; }
static inline void tsan_destroy(struct ult *t) { (void)t; }
static inline void tsan_switch(struct ult *next) { (void)next; }
#endif

/* The kernel thread running the caller: read only through kt_self(). */
__thread struct ult_kt *ult_kt_tls;

/*
 * A thread may resume on another kernel thread after any switch, and the
 * compiler, which cannot know that, may keep the address of a thread-local
 * variable, or errno's (glibc declares __errno_location() const), in a
 * register across the switch. So read the kernel thread with asm volatile,
 * %fs-relative as the local-exec TLS model has it, each time; and errno
 * through functions the compiler must call each time.
 */
static inline struct ult_kt *kt_self(void)
{
	struct ult_kt *kt;

	__asm__ volatile("movq %%fs:ult_kt_tls@tpoff, %0" : "=r"(kt));
	return kt;
}

static noinline int mn_errno(void)
{
	__asm__ volatile("" : : : "memory");
	return errno;
}

static noinline void mn_set_errno(int err)
{
	__asm__ volatile("" : : : "memory");
	errno = err;
}

static void __noreturn __printf(1, 2) mn_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ult: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

static int64_t mn_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

static void futex_wait(int *word, int val, const struct timespec *ts)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, ts, NULL, 0);
}

/* How many it woke. */
static long futex_wake(int *word, int n)
{
	return syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/*
 * A small lock for the runtime's own lists: spin a little, then sleep on
 * the futex (0 free, 1 held, 2 held and someone may sleep: Drepper's
 * "mutex2"). Short sections only: a holder's kernel thread can be
 * preempted, and the spinners then sleep instead of burning its CPU.
 */
static void mn_lock(int *word)
{
	int c = 0, i;

	if (__atomic_compare_exchange_n(word, &c, 1, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		return;
	for (i = 0; i < MN_LOCK_SPINS; i++) {
		cpu_relax();
		c = 0;
		if (!__atomic_load_n(word, __ATOMIC_RELAXED) &&
		    __atomic_compare_exchange_n(word, &c, 1, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
	}
	while (__atomic_exchange_n(word, 2, __ATOMIC_ACQUIRE))
		futex_wait(word, 2, NULL);
}

static void mn_unlock(int *word)
{
	if (__atomic_exchange_n(word, 0, __ATOMIC_RELEASE) == 2)
		futex_wake(word, 1);
}

/*
 * A thread's state: informative, but for ULT_DONE, which is set under the
 * thread's lock and read under it by its joiner. The other changes are
 * made under other locks or none, hence atomic.
 */
static inline void set_state(struct ult *t, enum ult_state s)
{
	__atomic_store_n(&t->state, s, __ATOMIC_RELAXED);
}

/* A counter only its owner writes and anyone may read. */
static inline void count_add(unsigned long *c, unsigned long n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

/* ---- run queues -------------------------------------------------------- */

/* Append first..last (n threads, linked by ->next) with vp->lock held. */
static void rq_add_locked(struct ult_vp *vp, struct ult *first,
			  struct ult *last, int n)
{
	last->next = NULL;
	if (vp->tail)
		vp->tail->next = first;
	else
		vp->head = first;
	vp->tail = last;
	__atomic_store_n(&vp->nr, vp->nr + n, __ATOMIC_RELAXED);
}

static void rq_push(struct ult_vp *vp, struct ult *t)
{
	mn_lock(&vp->lock);
	rq_add_locked(vp, t, t, 1);
	mn_unlock(&vp->lock);
}

/* The oldest thread on vp's queue, or NULL; no lock taken if it is empty. */
static struct ult *rq_pop(struct ult_vp *vp)
{
	struct ult *t;

	if (!__atomic_load_n(&vp->nr, __ATOMIC_RELAXED))
		return NULL;
	mn_lock(&vp->lock);
	t = vp->head;
	if (t) {
		vp->head = t->next;
		if (!vp->head)
			vp->tail = NULL;
		__atomic_store_n(&vp->nr, vp->nr - 1, __ATOMIC_RELAXED);
	}
	mn_unlock(&vp->lock);
	return t;
}

/*
 * Take half of the first non-empty queue of another VP, starting at a
 * random one: run the oldest stolen thread, queue the rest on me.
 */
static struct ult *mn_steal(struct ult_vp *me)
{
	struct ult *first, *last;
	struct ult_vp *v;
	int i, k, take, start;

	if (mn.nvp < 2)
		return NULL;
	me->rand = me->rand * 1103515245U + 12345U;
	start = (me->rand >> 16) % mn.nvp;
	for (i = 0; i < mn.nvp; i++) {
		v = &mn.vps[(start + i) % mn.nvp];
		if (v == me || !__atomic_load_n(&v->nr, __ATOMIC_RELAXED))
			continue;
		mn_lock(&v->lock);
		take = (v->nr + 1) / 2;
		first = v->head;
		last = first;
		for (k = 1; k < take; k++)
			last = last->next;
		if (take) {
			v->head = last->next;
			if (!v->head)
				v->tail = NULL;
			__atomic_store_n(&v->nr, v->nr - take, __ATOMIC_RELAXED);
		}
		mn_unlock(&v->lock);
		if (!take)
			continue;
		if (take > 1) {
			mn_lock(&me->lock);
			rq_add_locked(me, first->next, last, take - 1);
			mn_unlock(&me->lock);
		}
		first->next = NULL;
		count_add(&me->nsteals, take);
		return first;
	}
	return NULL;
}

/* The VP asleep in epoll_wait(), if any: wake it (netpoll_break). */
static void mn_np_kick(void)
{
	uint64_t one = 1;

	if (__atomic_load_n(&mn.np_sleeping, __ATOMIC_SEQ_CST) &&
	    write(mn.np_evfd, &one, sizeof(one)) < 0)
		mn_die("netpoller: eventfd: %s", strerror(mn_errno()));
}

/*
 * A thread was queued: wake a sleeping VP to steal it, unless one spins;
 * the one in epoll_wait() if no other slept on the futex.
 */
static void mn_wakep(void)
{
	if (!__atomic_load_n(&mn.nsleeping, __ATOMIC_SEQ_CST) ||
	    __atomic_load_n(&mn.nspinning, __ATOMIC_RELAXED))
		return;
	__atomic_fetch_add(&mn.idle_seq, 1, __ATOMIC_SEQ_CST);
	if (futex_wake(&mn.idle_seq, 1) <= 0)
		mn_np_kick();
}

/* Home, stop, a VP handed over: wake every idle kernel thread. */
static void mn_kick_all(void)
{
	struct ult_kt *k;

	__atomic_fetch_add(&mn.idle_seq, 1, __ATOMIC_SEQ_CST);
	futex_wake(&mn.idle_seq, INT_MAX);
	mn_np_kick();
	mn_lock(&mn.kts_lock);
	for (k = mn.all_kts; k; k = k->next_all) {
		__atomic_store_n(&k->wake, 1, __ATOMIC_RELEASE);
		futex_wake(&k->wake, 1);
	}
	mn_unlock(&mn.kts_lock);
}

/* ---- switching --------------------------------------------------------- */

static void mn_wake(struct ult *t);

/* After a switch, on the kernel thread kt: deal with the thread left. */
static void mn_finish_switch(struct ult_kt *kt)
{
	struct ult *prev = kt->prev, *joiner;

	if (!prev)
		return;
	kt->prev = NULL;
	if (kt->prev_unlock) {
		mn_unlock(kt->prev_unlock);
		kt->prev_unlock = NULL;
	}
	switch (kt->prev_action) {
	case PREV_NONE:
		break;
	case PREV_REQUEUE:
		rq_push(kt->vp ? kt->vp : prev->vp, prev);
		mn_wakep();
		break;
	case PREV_EXIT:
		mn_lock(&prev->lock);
		set_state(prev, ULT_DONE);
		joiner = prev->joiner;
		mn_unlock(&prev->lock);
		if (joiner)	/* prev may be freed from here on */
			mn_wake(joiner);
		break;
	case PREV_HOME:
		__atomic_store_n(&mn.home, prev, __ATOMIC_RELEASE);
		mn_kick_all();
		break;
	}
}

/*
 * Run next on kt in place of prev, the caller; mn_finish_switch() then
 * releases *unlock and does "action" to prev. Returns when prev runs
 * again, perhaps on another kernel thread.
 */
static void mn_switch(struct ult_kt *kt, struct ult *prev, struct ult *next,
		      enum prev_action action, int *unlock)
{
	kt->prev = prev;
	kt->prev_action = action;
	kt->prev_unlock = unlock;
	kt->cur = next;
	if (kt->vp) {
		next->vp = kt->vp;
		count_add(&kt->vp->nswitches, 1);
	}
	if (ult_trace_fd >= 0)
		ult_trace_switch(prev == kt->idle ? -1 : prev->id,
				 next == kt->idle ? -1 : next->id);
	tsan_switch(next);
	ult_switch_asm(&prev->sp, next->sp);
	mn_finish_switch(kt_self());
}

/* Who runs when the caller stops: the VP's next thread, or the idle loop. */
static struct ult *mn_next(struct ult_kt *kt)
{
	struct ult *t = kt->vp ? rq_pop(kt->vp) : NULL;

	return t ? t : kt->idle;
}

/*
 * Park self, who is on a wait list under *unlock, until mn_wake(). A
 * bound thread sleeps on its futex; any other gives its VP to the next.
 */
static void mn_block(struct ult *self, int *unlock)
{
	struct ult_kt *kt;

	if (self->kt) {
		__atomic_store_n(&self->parked, 1, __ATOMIC_RELAXED);
		mn_unlock(unlock);
		while (__atomic_load_n(&self->parked, __ATOMIC_ACQUIRE))
			futex_wait(&self->parked, 1, NULL);
		return;
	}
	kt = kt_self();
	count_add(&kt->vp->nparks, 1);
	mn_switch(kt, self, mn_next(kt), PREV_NONE, unlock);
}

/*
 * Make a parked thread runnable: on the waker's VP, else on its last one.
 * A waker on a VP wakes an idle VP only if its queue had threads already:
 * else the woken thread runs next here, typically as soon as the waker
 * waits in turn (a handoff, as in a condvar ping-pong), where an idle VP
 * woken to steal it would move it away from its partner for nothing
 * (Go keeps thieves off the woken goroutine, "runnext", for 3 us).
 */
static void mn_wake(struct ult *t)
{
	struct ult_kt *kt;
	struct ult_vp *vp;
	int n;

	set_state(t, ULT_RUNNABLE);
	if (t->kt) {
		__atomic_store_n(&t->parked, 0, __ATOMIC_RELEASE);
		futex_wake(&t->parked, 1);
		return;
	}
	kt = kt_self();
	vp = kt && kt->vp ? kt->vp : t->vp;
	mn_lock(&vp->lock);
	rq_add_locked(vp, t, t, 1);
	n = vp->nr;
	mn_unlock(&vp->lock);
	if (n > 1 || vp != (kt ? kt->vp : NULL))
		mn_wakep();
}

/* ---- the idle loop ----------------------------------------------------- */

static void mn_spare_unlist(struct ult_kt *kt)
{
	struct ult_kt **p;

	mn_lock(&mn.kts_lock);
	for (p = &mn.spares; *p; p = &(*p)->next_spare) {
		if (*p == kt) {
			*p = kt->next_spare;
			kt->spare_listed = false;
			break;
		}
	}
	mn_unlock(&mn.kts_lock);
}

/* A kernel thread without a VP waits on the spare list to be given one. */
static void mn_spare_park(struct ult_kt *kt)
{
	mn_lock(&mn.kts_lock);
	if (!kt->spare_listed) {
		kt->next_spare = mn.spares;
		mn.spares = kt;
		kt->spare_listed = true;
	}
	mn_unlock(&mn.kts_lock);
	while (!__atomic_load_n(&kt->wake, __ATOMIC_ACQUIRE))
		futex_wait(&kt->wake, 0, NULL);
	__atomic_store_n(&kt->wake, 0, __ATOMIC_RELAXED);
}

/* Anything for an idle kernel thread to do? Each queue under its lock. */
static bool mn_work_anywhere(struct ult_kt *kt)
{
	int i, n;

	if (__atomic_load_n(&mn.stopping, __ATOMIC_ACQUIRE) ||
	    (kt == mn.kt0 && __atomic_load_n(&mn.home, __ATOMIC_ACQUIRE)))
		return true;
	for (i = 0; i < mn.nvp; i++) {
		mn_lock(&mn.vps[i].lock);
		n = mn.vps[i].nr;
		mn_unlock(&mn.vps[i].lock);
		if (n)
			return true;
	}
	return false;
}

static bool mn_np_poll(struct ult_kt *kt, bool block);

/*
 * The next thread for an idle kernel thread: main going home (kt0 only),
 * its VP's queue, another VP's (stealing); else sleep until there may be
 * one. NULL: the runtime stops.
 */
static struct ult *mn_find_work(struct ult_kt *kt)
{
	struct ult *t;
	unsigned int seq;
	int i;

	for (;;) {
		if (__atomic_load_n(&mn.stopping, __ATOMIC_ACQUIRE))
			return NULL;
		if (kt == mn.kt0) {
			t = __atomic_exchange_n(&mn.home, NULL, __ATOMIC_ACQUIRE);
			if (t) {
				if (kt->spare_listed)
					mn_spare_unlist(kt);
				set_state(t, ULT_RUNNABLE);
				return t;
			}
		}
		if (!kt->vp) {
			mn_spare_park(kt);
			continue;
		}
		t = rq_pop(kt->vp);
		if (t)
			return t;
		__atomic_fetch_add(&mn.nspinning, 1, __ATOMIC_SEQ_CST);
		for (i = 0, t = NULL; i < MN_SWEEPS && !t; i++) {
			t = mn_steal(kt->vp);
			if (!t)
				cpu_relax();
		}
		/* The last spinner to find work wakes another: there may be more. */
		if (!__atomic_sub_fetch(&mn.nspinning, 1, __ATOMIC_SEQ_CST) && t)
			mn_wakep();
		if (t)
			return t;
		if (mn_np_poll(kt, false)) {
			t = rq_pop(kt->vp);
			if (t)
				return t;
			continue;
		}
		__atomic_fetch_add(&mn.nsleeping, 1, __ATOMIC_SEQ_CST);
		seq = __atomic_load_n(&mn.idle_seq, __ATOMIC_ACQUIRE);
		if (!mn_work_anywhere(kt) && !mn_np_poll(kt, true))
			futex_wait(&mn.idle_seq, seq, NULL);
		__atomic_fetch_sub(&mn.nsleeping, 1, __ATOMIC_SEQ_CST);
	}
}

/*
 * The netpoller's check, by an idle VP: queue on kt's VP every thread
 * waiting on a ready fd; true if there was any. block: this VP is going
 * to sleep (counted in nsleeping): if no other VP sleeps in epoll_wait(),
 * sleep there until an fd is ready or mn_wakep() kicks; false if another
 * does (then sleep on the futex).
 */
static bool mn_np_poll(struct ult_kt *kt, bool block)
{
	struct epoll_event ev[MN_NP_EVENTS];
	struct ult *t, *next;
	int n, i, fd, zero = 0;
	uint64_t v;
	bool any = false;

	if (!mn.np_on || !__atomic_load_n(&mn.np_nwait, __ATOMIC_ACQUIRE))
		return false;
	if (block && !__atomic_compare_exchange_n(&mn.np_sleeping, &zero, 1,
						  false, __ATOMIC_SEQ_CST,
						  __ATOMIC_RELAXED))
		return false;
	/* queued meanwhile (mn_wakep() may have looked before np_sleeping) */
	if (block && mn_work_anywhere(kt))
		n = 0;
	else
		n = epoll_wait(mn.np_epfd, ev, MN_NP_EVENTS, block ? -1 : 0);
	if (block)
		__atomic_store_n(&mn.np_sleeping, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < n; i++) {
		fd = ev[i].data.fd;
		if (fd == mn.np_evfd) {
			if (read(fd, &v, sizeof(v)) < 0 && mn_errno() != EAGAIN)
				mn_die("netpoller: eventfd: %s",
				       strerror(mn_errno()));
			continue;
		}
		mn_lock(&mn.np_lock);
		t = mn.np_waiters[fd];
		mn.np_waiters[fd] = NULL;
		mn_unlock(&mn.np_lock);
		for (; t; t = next) {
			next = t->next;
			__atomic_fetch_sub(&mn.np_nwait, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&mn.np_wakes, 1, __ATOMIC_RELAXED);
			mn_wake(t);
			any = true;
		}
	}
	return any || block;
}

/* Runs in kt->idle: switch to work until the runtime stops. */
static void mn_idle_loop(struct ult_kt *kt)
{
	struct ult *t;

	while ((t = mn_find_work(kt)))
		mn_switch(kt, kt->idle, t, PREV_NONE, NULL);
}

/* kt0's idle context, a ULT-like context of its own. */
static void *mn_kt0_idle(void *arg)
{
	mn_idle_loop(arg);
	mn_die("kernel thread 0 left its idle loop");
}

static void *mn_kt_main(void *arg)
{
	struct ult_kt *kt = arg;

	ult_kt_tls = kt;
	kt->cur = kt->idle;
	tsan_current(kt->idle);
	mn_idle_loop(kt);
	return NULL;
}

/*
 * Start a kernel thread holding vp, and list it for ult_fini(); NULL
 * (errno) on error. kt: one from mn_kt_alloc(), freed on error.
 */
static struct ult_kt *mn_kt_alloc(void)
{
	struct ult_kt *kt = calloc(1, sizeof(*kt));

	if (kt)
		kt->idle = &kt->idle_ctx;
	return kt;
}

static struct ult_kt *mn_kt_start(struct ult_kt *kt, struct ult_vp *vp)
{
	pthread_attr_t attr;
	int err;

	if (!kt)
		return NULL;
	kt->vp = vp;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, MN_KT_STACK);
	err = pthread_create(&kt->pth, &attr, mn_kt_main, kt);
	pthread_attr_destroy(&attr);
	if (err) {
		free(kt);
		errno = err;
		return NULL;
	}
	mn_lock(&mn.kts_lock);
	kt->next_all = mn.all_kts;
	mn.all_kts = kt;
	__atomic_store_n(&mn.kts_made, mn.kts_made + 1, __ATOMIC_RELAXED);
	mn_unlock(&mn.kts_lock);
	return kt;
}

/* ---- stack regions ----------------------------------------------------- */

static struct ult *mn_alloc(struct ult_kt *kt)
{
	struct ult_vp *vp = kt ? kt->vp : NULL;
	struct ult *t = NULL;

	if (vp && vp->cache) {
		t = vp->cache;
		vp->cache = t->next;
		vp->ncached--;
		return t;
	}
	if (__atomic_load_n(&mn.cache, __ATOMIC_RELAXED)) {
		mn_lock(&mn.cache_lock);
		t = mn.cache;
		if (t) {
			__atomic_store_n(&mn.cache, t->next, __ATOMIC_RELAXED);
			mn.ncached--;
		}
		mn_unlock(&mn.cache_lock);
	}
	return t ? t : ult_region_new();
}

static void mn_free(struct ult_kt *kt, struct ult *t)
{
	struct ult_vp *vp = kt ? kt->vp : NULL;

	if (vp && vp->ncached < MN_CACHE_MAX) {
		t->next = vp->cache;
		vp->cache = t;
		vp->ncached++;
		return;
	}
	if (!vp) {
		mn_lock(&mn.cache_lock);
		if (mn.ncached < MN_CACHE_MAX) {
			t->next = mn.cache;
			__atomic_store_n(&mn.cache, t, __ATOMIC_RELAXED);
			mn.ncached++;
			t = NULL;
		}
		mn_unlock(&mn.cache_lock);
	}
	if (t)
		ult_region_free(t);
}

static void mn_free_list(struct ult *t)
{
	struct ult *next;

	for (; t; t = next) {
		next = t->next;
		ult_region_free(t);
	}
}

/* ---- init and fini ----------------------------------------------------- */

int ult_mn_init(int nvp)
{
	struct ult_kt *kt0;
	struct ult *idle;
	int i;

	if (nvp <= 0)
		nvp = sysconf(_SC_NPROCESSORS_ONLN);
	if (nvp <= 0)
		nvp = 1;
	if (nvp > ULT_MAX_VPS) {
		errno = EINVAL;
		return -1;
	}
	memset(&mn, 0, sizeof(mn));
	mn.nvp = nvp;
	mn.vps = aligned_alloc(64, nvp * sizeof(*mn.vps));
	kt0 = calloc(1, sizeof(*kt0));
	idle = ult_region_new();
	if (!mn.vps || !kt0 || !idle) {
		free(mn.vps);
		free(kt0);
		if (idle)
			ult_region_free(idle);
		errno = ENOMEM;
		return -1;
	}
	memset(mn.vps, 0, nvp * sizeof(*mn.vps));
	for (i = 0; i < nvp; i++) {
		mn.vps[i].id = i;
		mn.vps[i].rand = 2654435761U * (i + 1);
	}
	idle->fn = mn_kt0_idle;
	idle->arg = kt0;
	ult_frame_init(idle, ult_mn_start_asm);
	tsan_create(idle);
	tsan_current(&mn.main);
	kt0->idle = idle;
	kt0->vp = &mn.vps[0];
	kt0->cur = &mn.main;
	mn.vps[0].own = (uintptr_t)kt0;
	mn.main.state = ULT_RUNNABLE;
	mn.main.vp = &mn.vps[0];
	mn.kt0 = kt0;
	mn.all_kts = kt0;
	mn.kts_made = 1;
	ult_kt_tls = kt0;
	ult_mn_on = true;
	for (i = 1; i < nvp; i++) {
		mn.vps[i].own = (uintptr_t)mn_kt_start(mn_kt_alloc(),
							&mn.vps[i]);
		if (!mn.vps[i].own) {
			mn.nvp = i;	/* stop the ones started */
			ult_mn_fini();
			errno = EAGAIN;
			return -1;
		}
	}
	return 0;
}

/* main, anywhere: continue on kt0, the kernel thread that called init. */
static void mn_go_home(void)
{
	struct ult_kt *kt = kt_self();

	if (kt == mn.kt0)
		return;
	set_state(&mn.main, ULT_WAIT_SYNC);
	mn_switch(kt, &mn.main, mn_next(kt), PREV_HOME, NULL);
}

void ult_mn_fini(void)
{
	struct ult_kt *kt = kt_self(), *k, *next;
	int n, i;

	if (kt->cur != &mn.main)
		mn_die("ult_fini() called by a thread other than main");
	ult_monitor_stop();
	ult_activations_stop();
	mn_go_home();
	__atomic_store_n(&mn.stopping, 1, __ATOMIC_RELEASE);
	mn_kick_all();
	while ((n = __atomic_load_n(&mn.nbound, __ATOMIC_ACQUIRE)))
		futex_wait(&mn.nbound, n, NULL);
	for (k = mn.all_kts; k; k = next) {
		next = k->next_all;
		if (k == mn.kt0)
			continue;
		pthread_join(k->pth, NULL);
		free(k);
	}
	for (i = 0; i < mn.nvp; i++)
		mn_free_list(mn.vps[i].cache);
	mn_free_list(mn.cache);
	if (mn.np_on) {
		close(mn.np_epfd);
		close(mn.np_evfd);
		free(mn.np_waiters);
	}
	tsan_destroy(mn.kt0->idle);
	ult_region_free(mn.kt0->idle);
	free(mn.kt0);
	free(mn.vps);
	ult_kt_tls = NULL;
	ult_mn_on = false;
	memset(&mn, 0, sizeof(mn));
}

/* ---- threads ----------------------------------------------------------- */

static void mn_init_thread(struct ult *t, ult_fn_t fn, void *arg)
{
	t->fn = fn;
	t->arg = arg;
	t->ret = NULL;
	t->joiner = NULL;
	t->state = ULT_RUNNABLE;
	t->id = __atomic_add_fetch(&mn.next_id, 1, __ATOMIC_RELAXED);
	t->vp = NULL;
	t->kt = NULL;
	t->lock = 0;
	t->parked = 0;
	ult_frame_init(t, ult_mn_start_asm);
	tsan_create(t);
}

struct ult *ult_mn_create(int vpid, ult_fn_t fn, void *arg)
{
	struct ult_kt *kt = kt_self();
	struct ult_vp *vp;
	struct ult *t;

	t = mn_alloc(kt);
	if (!t)
		return NULL;
	mn_init_thread(t, fn, arg);
	if (vpid >= 0)
		vp = &mn.vps[vpid];
	else if (kt->vp)
		vp = kt->vp;
	else
		vp = &mn.vps[__atomic_fetch_add(&mn.next_vp, 1, __ATOMIC_RELAXED) %
			     mn.nvp];
	t->vp = vp;
	rq_push(vp, t);
	mn_wakep();
	return t;
}

/* A bound thread's kernel thread: run it, then finish its exit. */
static void *mn_bound_main(void *arg)
{
	struct ult *t = arg;
	struct ult_kt *kt = t->kt;

	ult_kt_tls = kt;
	kt->cur = t;
	kt->prev = kt->idle;
	kt->prev_action = PREV_NONE;
	tsan_current(kt->idle);
	tsan_switch(t);
	ult_switch_asm(&kt->idle->sp, t->sp);
	mn_finish_switch(kt);	/* t is done: it may be freed from here on */
	free(kt);
	if (!__atomic_sub_fetch(&mn.nbound, 1, __ATOMIC_RELEASE))
		futex_wake(&mn.nbound, 1);
	return NULL;
}

struct ult *ult_create_bound(ult_fn_t fn, void *arg)
{
	pthread_attr_t attr;
	struct ult_kt *kt;
	struct ult *t;
	int err;

	if (!ult_mn_on) {
		errno = EINVAL;
		return NULL;
	}
	kt = calloc(1, sizeof(*kt));
	t = mn_alloc(kt_self());
	if (!kt || !t) {
		free(kt);
		if (t)
			mn_free(kt_self(), t);
		errno = ENOMEM;
		return NULL;
	}
	mn_init_thread(t, fn, arg);
	t->kt = kt;
	kt->idle = &kt->idle_ctx;
	__atomic_fetch_add(&mn.nbound, 1, __ATOMIC_RELAXED);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, MN_KT_STACK);
	err = pthread_create(&kt->pth, &attr, mn_bound_main, t);
	pthread_attr_destroy(&attr);
	if (err) {
		__atomic_fetch_sub(&mn.nbound, 1, __ATOMIC_RELAXED);
		free(kt);
		tsan_destroy(t);
		mn_free(kt_self(), t);
		errno = err;
		return NULL;
	}
	mn_lock(&mn.kts_lock);
	__atomic_store_n(&mn.kts_made, mn.kts_made + 1, __ATOMIC_RELAXED);
	mn_unlock(&mn.kts_lock);
	return t;
}

void ult_mn_entry(struct ult *t)
{
	mn_finish_switch(kt_self());
	ult_mn_exit(t->fn(t->arg));
}

void ult_mn_yield(void)
{
	struct ult_kt *kt = kt_self();
	struct ult *self = kt->cur, *next;

	if (self->kt) {
		sched_yield();
		return;
	}
	next = rq_pop(kt->vp);
	if (next)
		mn_switch(kt, self, next, PREV_REQUEUE, NULL);
}

void ult_mn_exit(void *ret)
{
	struct ult_kt *kt = kt_self();
	struct ult *self = kt->cur;

	if (self == &mn.main)
		mn_die("the main thread cannot ult_exit()");
	self->ret = ret;
	mn_switch(kt, self, mn_next(kt), PREV_EXIT, NULL);
	mn_die("a finished thread was scheduled");
}

void *ult_mn_join(struct ult *t)
{
	struct ult *self = kt_self()->cur;
	void *ret;

	if (t == self)
		mn_die("a thread cannot join itself");
	mn_lock(&t->lock);
	if (t->joiner)
		mn_die("thread %d joined twice", t->id);
	if (__atomic_load_n(&t->state, __ATOMIC_RELAXED) != ULT_DONE) {
		t->joiner = self;
		set_state(self, ULT_WAIT_JOIN);
		mn_block(self, &t->lock);
	} else {
		mn_unlock(&t->lock);
	}
	ret = t->ret;
	tsan_destroy(t);
	mn_free(kt_self(), t);
	return ret;
}

struct ult *ult_mn_self(void)
{
	struct ult_kt *kt = kt_self();

	return kt ? kt->cur : NULL;
}

int ult_mn_vp_id(void)
{
	struct ult_kt *kt = kt_self();

	return kt && kt->vp ? kt->vp->id : -1;
}

int ult_mn_nvp(void)
{
	return mn.nvp;
}

unsigned long ult_mn_switches(void)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < mn.nvp; i++)
		n += __atomic_load_n(&mn.vps[i].nswitches, __ATOMIC_RELAXED);
	return n;
}

void ult_mn_stats(struct ult_mn_stats *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	if (!ult_mn_on)
		return;
	for (i = 0; i < mn.nvp; i++) {
		s->steals += __atomic_load_n(&mn.vps[i].nsteals,
					     __ATOMIC_RELAXED);
		s->parks += __atomic_load_n(&mn.vps[i].nparks,
					    __ATOMIC_RELAXED);
	}
	s->handoffs = __atomic_load_n(&mn.handoffs, __ATOMIC_RELAXED);
	s->np_wakes = __atomic_load_n(&mn.np_wakes, __ATOMIC_RELAXED);
	s->act_events = __atomic_load_n(&mn.act_events, __ATOMIC_RELAXED);
	s->act_handoffs = __atomic_load_n(&mn.act_handoffs, __ATOMIC_RELAXED);
	s->kthreads = __atomic_load_n(&mn.kts_made, __ATOMIC_RELAXED);
}

/* ---- blocking system calls and the monitor ----------------------------- */

static void mn_act_register(struct ult_kt *kt);

void ult_syscall_enter(void)
{
	struct ult_kt *kt;
	struct ult_vp *vp;

	if (!ult_mn_on)
		return;
	kt = kt_self();
	vp = kt->vp;
	if (!vp)
		return;
	if (!kt->act_tried && __atomic_load_n(&mn.act_on, __ATOMIC_ACQUIRE))
		mn_act_register(kt);
	__atomic_store_n(&kt->sys_vp, vp, __ATOMIC_RELEASE);
	__atomic_store_n(&vp->sys_seq, vp->sys_seq + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&vp->own, (uintptr_t)kt | OWN_SYSCALL,
			 __ATOMIC_RELEASE);
	/* The VP may block: let an idle one come for its queue. */
	if (__atomic_load_n(&vp->nr, __ATOMIC_RELAXED))
		mn_wakep();
}

void ult_syscall_exit(void)
{
	struct ult_kt *kt;
	struct ult_vp *vp;
	uintptr_t own;
	int err;

	if (!ult_mn_on)
		return;
	kt = kt_self();
	vp = kt->vp;
	if (!vp)
		return;
	own = (uintptr_t)kt | OWN_SYSCALL;
	if (__atomic_compare_exchange_n(&vp->own, &own, (uintptr_t)kt, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	/* The monitor took the VP: back if no one has it yet (own == 0). */
	own = 0;
	if (__atomic_compare_exchange_n(&vp->own, &own, (uintptr_t)kt, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	/* Another kernel thread has it: queue there, this one is a spare. */
	err = mn_errno();
	kt->vp = NULL;
	mn_switch(kt, kt->cur, kt->idle, PREV_REQUEUE, NULL);
	mn_set_errno(err);
}

/*
 * Give vp, taken (own == 0), to a parked spare or else a new kernel
 * thread. Its old holder may take it back meanwhile: compare-and-swap.
 */
static bool mn_give(struct ult_vp *vp)
{
	uintptr_t none = 0;
	struct ult_kt *kt;

	mn_lock(&mn.kts_lock);
	kt = mn.spares;
	if (kt) {
		mn.spares = kt->next_spare;
		kt->spare_listed = false;
	}
	mn_unlock(&mn.kts_lock);
	if (kt) {
		kt->vp = vp;	/* read by the spare once woken */
		if (!__atomic_compare_exchange_n(&vp->own, &none, (uintptr_t)kt,
						 false, __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
			kt->vp = NULL;	/* woken with none: it parks again */
		__atomic_store_n(&kt->wake, 1, __ATOMIC_RELEASE);
		futex_wake(&kt->wake, 1);
		return kt->vp;
	}
	kt = mn_kt_alloc();
	if (!kt)
		return false;	/* the monitor tries again next round */
	if (!__atomic_compare_exchange_n(&vp->own, &none, (uintptr_t)kt, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		free(kt);
		return false;
	}
	if (!mn_kt_start(kt, vp)) {
		__atomic_store_n(&vp->own, 0, __ATOMIC_RELEASE);
		return false;
	}
	return true;
}

/* One look at every VP; how many were taken or given. */
static int mn_retake(void)
{
	int64_t now = mn_now_ns();
	struct ult_vp *vp;
	unsigned int seq;
	uintptr_t own;
	int i, n = 0;

	for (i = 0; i < mn.nvp; i++) {
		vp = &mn.vps[i];
		own = __atomic_load_n(&vp->own, __ATOMIC_ACQUIRE);
		seq = __atomic_load_n(&vp->sys_seq, __ATOMIC_RELAXED);
		if (!own) {	/* taken earlier, not given yet */
			if (__atomic_load_n(&vp->nr, __ATOMIC_RELAXED))
				n += mn_give(vp);
			continue;
		}
		if (!(own & OWN_SYSCALL)) {
			vp->mon_since = 0;
			continue;
		}
		if (!vp->mon_since || vp->mon_seq != seq) {
			vp->mon_seq = seq;
			vp->mon_since = now;
			continue;
		}
		if (now - vp->mon_since < mn.mon_threshold_ns ||
		    !__atomic_load_n(&vp->nr, __ATOMIC_RELAXED))
			continue;
		if (!__atomic_compare_exchange_n(&vp->own, &own, 0, false,
						 __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
			continue;
		vp->mon_since = 0;
		count_add(&mn.handoffs, 1);
		mn_give(vp);
		n++;
	}
	return n;
}

static void *mn_monitor(void *arg)
{
	unsigned int delay = MN_MON_START_US, idle = 0;
	struct timespec ts;

	(void)arg;
	prctl(PR_SET_TIMERSLACK, 1UL);	/* sleep 20 us, not 50 us or more */
	while (!__atomic_load_n(&mn.mon_stop, __ATOMIC_ACQUIRE)) {
		ts.tv_sec = delay / 1000000;
		ts.tv_nsec = delay % 1000000 * 1000L;
		futex_wait(&mn.mon_stop, 0, &ts);
		if (mn_retake()) {
			idle = 0;
			delay = MN_MON_START_US;
		} else if (++idle > MN_MON_IDLE_ROUNDS && delay < mn.mon_max_us) {
			delay = delay * 2 < mn.mon_max_us ? delay * 2 : mn.mon_max_us;
		}
	}
	return NULL;
}

int ult_monitor_start(unsigned int threshold_us, unsigned int max_sleep_us)
{
	int err;

	if (!ult_mn_on || mn.mon_on) {
		errno = ult_mn_on ? EBUSY : EINVAL;
		return -1;
	}
	mn.mon_threshold_ns = threshold_us * 1000LL;
	mn.mon_max_us = max_sleep_us > MN_MON_START_US ? max_sleep_us :
			MN_MON_START_US;
	mn.mon_stop = 0;
	err = pthread_create(&mn.mon, NULL, mn_monitor, NULL);
	if (err) {
		errno = err;
		return -1;
	}
	mn.mon_on = true;
	return 0;
}

void ult_monitor_stop(void)
{
	if (!ult_mn_on || !mn.mon_on)
		return;
	__atomic_store_n(&mn.mon_stop, 1, __ATOMIC_RELEASE);
	futex_wake(&mn.mon_stop, 1);
	pthread_join(mn.mon, NULL);
	mn.mon_on = false;
}

/* ---- scheduler activations ------------------------------------------- */

/*
 * Register the calling kernel thread with the device, once; past
 * KTD_ACT_MAX_VPS kernel threads the rest go without (the monitor, if
 * running, still covers them).
 */
static void mn_act_register(struct ult_kt *kt)
{
	int err = errno;
	unsigned int id;

	kt->act_tried = true;
	id = __atomic_fetch_add(&mn.act_next, 1, __ATOMIC_RELAXED);
	if (id >= KTD_ACT_MAX_VPS)
		return;
	__atomic_store_n(&mn.act_kts[id], kt, __ATOMIC_RELEASE);
	if (ioctl(mn.act_fd, KTD_ACT_REGISTER, &id))
		__atomic_store_n(&mn.act_kts[id], NULL, __ATOMIC_RELEASE);
	errno = err;
}

/*
 * The upcall: kernel thread number id blocked. If it blocked in a
 * bracketed call on a VP with threads queued, take the VP from it (the
 * monitor's compare-and-swap) and give it to a spare now.
 */
static void mn_act_blocked(unsigned int id)
{
	struct ult_vp *vp;
	struct ult_kt *kt;
	uintptr_t own;

	if (id >= KTD_ACT_MAX_VPS)
		return;
	kt = __atomic_load_n(&mn.act_kts[id], __ATOMIC_ACQUIRE);
	vp = kt ? __atomic_load_n(&kt->sys_vp, __ATOMIC_ACQUIRE) : NULL;
	if (!vp || !__atomic_load_n(&vp->nr, __ATOMIC_RELAXED))
		return;
	own = (uintptr_t)kt | OWN_SYSCALL;
	if (!__atomic_compare_exchange_n(&vp->own, &own, 0, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;		/* back already, or not in a call */
	count_add(&mn.act_handoffs, 1);
	/* On failure own stays 0: the returning thread takes it back. */
	mn_give(vp);
}

static void *mn_act_main(void *arg)
{
	struct pollfd p[2] = {
		{ .fd = mn.act_fd, .events = POLLIN },
		{ .fd = mn.act_evfd, .events = POLLIN },
	};
	struct ktd_act_event ev[MN_ACT_EVENTS];
	ssize_t n;
	int i;

	(void)arg;
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			mn_die("activations: poll: %s", strerror(errno));
		if (p[1].revents)
			return NULL;
		n = read(mn.act_fd, ev, sizeof(ev));
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			mn_die("activations: read: %s", strerror(errno));
		for (i = 0; i < n / (ssize_t)sizeof(ev[0]); i++) {
			count_add(&mn.act_events, 1);
			if (ev[i].type == KTD_ACT_BLOCKED)
				mn_act_blocked(ev[i].vp);
		}
	}
}

int ult_activations_start(void)
{
	int fd, evfd, err;

	if (!ult_mn_on || mn.act_on) {
		errno = ult_mn_on ? EBUSY : EINVAL;
		return -1;
	}
	fd = open(KTD_ACT_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	evfd = eventfd(0, EFD_CLOEXEC);
	if (evfd < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	mn.act_fd = fd;
	mn.act_evfd = evfd;
	mn.act_next = 0;
	memset(mn.act_kts, 0, sizeof(mn.act_kts));
	err = pthread_create(&mn.act_thr, NULL, mn_act_main, NULL);
	if (err) {
		close(fd);
		close(evfd);
		errno = err;
		return -1;
	}
	__atomic_store_n(&mn.act_on, true, __ATOMIC_RELEASE);
	return 0;
}

void ult_activations_stop(void)
{
	uint64_t one = 1;
	struct ult_kt *k;

	if (!ult_mn_on || !mn.act_on)
		return;
	__atomic_store_n(&mn.act_on, false, __ATOMIC_RELEASE);
	if (write(mn.act_evfd, &one, sizeof(one)) != sizeof(one))
		mn_die("activations: eventfd write: %s", strerror(errno));
	pthread_join(mn.act_thr, NULL);
	close(mn.act_evfd);
	close(mn.act_fd);	/* unregisters every kernel thread */
	mn_lock(&mn.kts_lock);
	for (k = mn.all_kts; k; k = k->next_all)
		k->act_tried = false;
	mn_unlock(&mn.kts_lock);
}

int ult_netpoll_start(void)
{
	struct epoll_event ev = { .events = EPOLLIN };

	if (!ult_mn_on || mn.np_on) {
		errno = ult_mn_on ? EBUSY : EINVAL;
		return -1;
	}
	mn.np_epfd = epoll_create1(EPOLL_CLOEXEC);
	if (mn.np_epfd < 0)
		return -1;
	mn.np_evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ev.data.fd = mn.np_evfd;
	if (mn.np_evfd < 0 ||
	    epoll_ctl(mn.np_epfd, EPOLL_CTL_ADD, mn.np_evfd, &ev)) {
		if (mn.np_evfd >= 0)
			close(mn.np_evfd);
		close(mn.np_epfd);
		return -1;
	}
	__atomic_store_n(&mn.np_on, true, __ATOMIC_RELEASE);
	return 0;
}

/* Make np_waiters[] long enough to hold fd, np_lock held; 0 or -1. */
static int mn_np_grow(int fd)
{
	int len = mn.np_len ? mn.np_len : 64;
	struct ult **w;

	if (fd < mn.np_len)
		return 0;
	while (len <= fd)
		len *= 2;
	w = realloc(mn.np_waiters, len * sizeof(*w));
	if (!w)
		return -1;
	memset(w + mn.np_len, 0, (len - mn.np_len) * sizeof(*w));
	mn.np_waiters = w;
	mn.np_len = len;
	return 0;
}

/*
 * Park the caller, a ULT on a VP, until fd may be readable; -1 if the fd
 * cannot be watched (the caller then waits in poll() instead). The fd is
 * armed while np_lock is held, and np_lock is released only once the
 * caller has switched away: a VP that finds the fd ready takes np_lock
 * before it wakes the caller, so it cannot resume it too early.
 */
static int mn_np_wait(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT,
				  .data.fd = fd };
	struct ult_kt *kt = kt_self();
	struct ult *self = kt->cur, **link;

	mn_lock(&mn.np_lock);
	if (fd < 0 || mn_np_grow(fd) ||
	    (epoll_ctl(mn.np_epfd, EPOLL_CTL_MOD, fd, &ev) &&
	     (mn_errno() != ENOENT ||
	      epoll_ctl(mn.np_epfd, EPOLL_CTL_ADD, fd, &ev)))) {
		mn_unlock(&mn.np_lock);
		return -1;
	}
	for (link = &mn.np_waiters[fd]; *link; link = &(*link)->next)
		;
	self->next = NULL;
	*link = self;
	__atomic_fetch_add(&mn.np_nwait, 1, __ATOMIC_RELEASE);
	set_state(self, ULT_WAIT_FD);
	mn_block(self, &mn.np_lock);
	return 0;
}

/*
 * ult_read() for M:N: try without blocking (RWF_NOWAIT, as in M:1), else
 * park on the netpoller if it runs, or wait for the fd in poll() as a
 * bracketed system call. Files without RWF_NOWAIT (on Debian's 6.1
 * kernel, pipes and sockets too) are polled first, as M:1's
 * ult_read_polled() does, and read() only once readable: a read() that
 * blocked would hold its VP, and every thread queued there, until data
 * came.
 */
ssize_t ult_mn_read(int fd, void *buf, size_t count)
{
	struct iovec iov = { .iov_base = buf, .iov_len = count };
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	bool nowait = true;
	ssize_t n;
	int err;

	for (;;) {
		if (nowait) {
			n = preadv2(fd, &iov, 1, -1, RWF_NOWAIT);
			if (n >= 0)
				return n;
			err = mn_errno();
			if (err == EINTR)
				continue;
			if (err == EOPNOTSUPP) {
				nowait = false;
				continue;
			}
			if (err != EAGAIN)
				return -1;
		} else {
			n = poll(&pfd, 1, 0);
			if (n < 0 && mn_errno() == EINTR)
				continue;
			if (n) {	/* readable, or an error read() reports */
				ult_syscall_enter();
				n = read(fd, buf, count);
				ult_syscall_exit();
				return n;
			}
		}
		if (__atomic_load_n(&mn.np_on, __ATOMIC_ACQUIRE) &&
		    !kt_self()->cur->kt && kt_self()->vp && !mn_np_wait(fd))
			continue;
		ult_syscall_enter();
		poll(&pfd, 1, -1);
		ult_syscall_exit();
	}
}

/* ---- mutexes and condition variables ----------------------------------- */

/*
 * Go's canSpin(): spinning can only help if another VP may be running the
 * owner, and must not delay threads queued here.
 */
static bool mn_can_spin(void)
{
	struct ult_kt *kt = kt_self();

	return mn.nvp > 1 &&
	       (!kt->vp || !__atomic_load_n(&kt->vp->nr, __ATOMIC_RELAXED));
}

int ult_mn_mutex_trylock(struct ult_mutex *m)
{
	int c = 0;

	return __atomic_compare_exchange_n(&m->state, &c, 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void ult_mn_mutex_lock(struct ult_mutex *m)
{
	struct ult *self;
	int i, j;

	if (ult_mn_mutex_trylock(m))
		return;
	for (i = 0; i < MN_MUTEX_SPINS && mn_can_spin(); i++) {
		for (j = 0; j < MN_MUTEX_PAUSES; j++)
			cpu_relax();
		if (!__atomic_load_n(&m->state, __ATOMIC_RELAXED) &&
		    ult_mn_mutex_trylock(m))
			return;
	}
	self = kt_self()->cur;
	mn_lock(&m->wait_lock);
	/* 2: the unlocker must look for waiters. */
	while (__atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE)) {
		wl_add(&m->head, &m->tail, self);
		set_state(self, ULT_WAIT_SYNC);
		mn_block(self, &m->wait_lock);
		mn_lock(&m->wait_lock);
	}
	mn_unlock(&m->wait_lock);
}

void ult_mn_mutex_unlock(struct ult_mutex *m)
{
	struct ult *t;

	if (__atomic_exchange_n(&m->state, 0, __ATOMIC_RELEASE) != 2)
		return;
	mn_lock(&m->wait_lock);
	t = wl_pop(&m->head, &m->tail);
	mn_unlock(&m->wait_lock);
	if (t)
		mn_wake(t);
}

void ult_mn_cond_wait(struct ult_cond *c, struct ult_mutex *m)
{
	struct ult *self = kt_self()->cur;

	mn_lock(&c->wait_lock);
	wl_add(&c->head, &c->tail, self);
	set_state(self, ULT_WAIT_SYNC);
	ult_mn_mutex_unlock(m);
	mn_block(self, &c->wait_lock);
	ult_mn_mutex_lock(m);
}

void ult_mn_cond_wake(struct ult_cond *c, bool all)
{
	struct ult *t, *next;

	mn_lock(&c->wait_lock);
	if (all) {
		t = c->head;
		c->head = NULL;
		c->tail = NULL;
	} else {
		t = wl_pop(&c->head, &c->tail);
	}
	mn_unlock(&c->wait_lock);
	for (; t; t = next) {
		next = t->next;
		mn_wake(t);
	}
}
