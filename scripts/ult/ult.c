// SPDX-License-Identifier: GPL-2.0
/*
 * ult: the many-to-one user-level thread library (see ult.h), and the
 * public entry points of both runtimes: while ult_mn_on is set each one
 * hands the call to the M:N runtime in ult_mn.c.
 *
 * Layout of a thread: one mmap()ed region, a PROT_NONE guard page at the
 * bottom, the stack above it and the struct ult at the very top. Finished
 * threads' regions are kept on a free list, so a steady create/join cycle
 * makes no system call (glibc caches pthread stacks the same way).
 *
 * Scheduling: a FIFO run queue of runnable threads. A thread that gives
 * up the CPU queues itself at the tail (if still runnable) and switches
 * straight to the head; there is no separate scheduler thread.
 *
 * Waiting for fds: a thread parked in ult_read() is listed under its fd
 * in fd_waiters[], and the fd is in one epoll set while anyone waits on
 * it. The set is checked without blocking every ULT_POLL_EVERY scheduling
 * decisions, and with a blocking epoll_wait() when the run queue is empty;
 * a ready fd leaves the set and all its waiters become runnable (those
 * that then find nothing to read park again). Always epoll, whatever the
 * number of waiters: a check costs the same for 2 waiters or 20000, and
 * every ready fd is reported, oldest readiness first, so no waiter can be
 * starved. (An earlier version poll()ed the 64 newest waiters, and the
 * 65th never woke.) One code path also means one path to test. The price
 * is an epoll_ctl() when an fd gets its first waiter and one when it is
 * ready, small next to the read itself; and a fork()ed child must not
 * share the parent's set, so it gets its own (ult_atfork_child()).
 *
 * Preemption: the SIGALRM handler yields on behalf of the interrupted
 * thread unless that thread is inside the library (ult_busy), where the
 * tick is dropped. ult_busy is set on entry to every library function that
 * touches shared state and cleared on the way out; ult_schedule_locked()
 * is entered with it set and the thread it resumes clears it.
 *
 * Mutexes and condition variables: a waiter joins the object's FIFO list
 * and leaves the run queue (ULT_WAIT_SYNC); unlock and signal put the
 * first one back on it. ult_busy is all the locking they need.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

#include "ult.h"
#include "ult_int.h"

#define ULT_CACHE_MAX		64	/* finished regions kept for reuse */
#define ULT_POLL_EVERY		32	/* scheduling decisions per fd check */
#define ULT_POLL_EVENTS		64	/* ready fds one epoll_wait() takes */
#define ULT_POLL_TIMEOUT_MS	1000	/* one idle epoll_wait(); it loops */

bool ult_mn_on;
int ult_trace_fd = -1;

static enum ult_switch_kind ult_kind;
static struct ult ult_main;
static struct ult *ult_cur;
static struct ult *rq_head, *rq_tail;
static struct ult **fd_waiters;	/* by fd: who waits for it, FIFO */
static int fd_waiters_len;
static int nwaiting;
static int ult_epfd = -1;	/* the fds in fd_waiters[]; -1: none yet */
static struct ult *cache;
static int ncached;
static int next_id;
static unsigned int poll_tick;
static unsigned long nswitches;
static size_t page_size;

static volatile sig_atomic_t ult_busy;
static volatile sig_atomic_t preempting;
static unsigned long npreempt;
static struct sigaction old_alrm;

/* The handler runs on this kernel thread: a compiler barrier is enough. */
static inline void ult_lock(void)
{
	ult_busy = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void ult_unlock(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	ult_busy = 0;
}

static void __printf(1, 2) ult_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ult: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

static void rq_push(struct ult *t)
{
	t->next = NULL;
	if (rq_tail)
		rq_tail->next = t;
	else
		rq_head = t;
	rq_tail = t;
}

static struct ult *rq_pop(void)
{
	struct ult *t = rq_head;

	if (t) {
		rq_head = t->next;
		if (!rq_head)
			rq_tail = NULL;
		t->next = NULL;
	}
	return t;
}

/* Make the threads waiting for the ready fds runnable again. */
static void ult_poll_waiters(int timeout_ms)
{
	struct epoll_event ev[ULT_POLL_EVENTS];
	struct ult *t;
	int n, i, fd;

	n = epoll_wait(ult_epfd, ev, ULT_POLL_EVENTS, timeout_ms);
	for (i = 0; i < n; i++) {	/* n < 0 (EINTR): the caller loops */
		fd = ev[i].data.fd;
		epoll_ctl(ult_epfd, EPOLL_CTL_DEL, fd, NULL);
		while ((t = fd_waiters[fd])) {
			fd_waiters[fd] = t->next;
			nwaiting--;
			t->state = ULT_RUNNABLE;
			rq_push(t);
		}
	}
}

static struct ult *ult_pick(void)
{
	struct ult *t;

	for (;;) {
		if (nwaiting && (!rq_head || ++poll_tick % ULT_POLL_EVERY == 0))
			ult_poll_waiters(rq_head ? 0 : ULT_POLL_TIMEOUT_MS);
		t = rq_pop();
		if (t)
			return t;
		if (!nwaiting)
			ult_die("deadlock: no runnable thread and no fd to wait for");
	}
}

/*
 * Give the CPU to the next runnable thread. Called with ult_busy set and
 * ult_cur's state already updated; returns, with ult_busy clear, when
 * this thread is scheduled again (never, for a finished thread).
 */
static void ult_schedule_locked(void)
{
	struct ult *self = ult_cur, *next;

	if (self->state == ULT_RUNNABLE)
		rq_push(self);
	next = ult_pick();
	if (next != self) {
		ult_cur = next;
		nswitches++;
		if (ult_trace_fd >= 0)
			ult_trace_switch(self->id, next->id);
		if (ult_kind == ULT_SWITCH_ASM)
			ult_switch_asm(&self->sp, next->sp);
		else if (swapcontext(&self->uc, &next->uc))
			ult_die("swapcontext failed");
	}
	ult_unlock();
}

static void m1_exit(void *ret) __noreturn;

void ult_entry(struct ult *t)
{
	ult_unlock();	/* set by the thread that switched to us */
	m1_exit(t->fn(t->arg));
}

static void ult_uc_entry(void)
{
	ult_entry(ult_cur);
}

int ult_init(enum ult_switch_kind kind)
{
	if (ult_mn_on || (ult_cur && (rq_head || nwaiting))) {
		errno = EBUSY;
		return -1;
	}
	ult_trace_start();
	page_size = sysconf(_SC_PAGESIZE);
	memset(&ult_main, 0, sizeof(ult_main));
	ult_main.state = ULT_RUNNABLE;
	ult_cur = &ult_main;
	ult_kind = kind;
	next_id = 1;
	nswitches = 0;
	return 0;
}

int ult_init_mn(int nvp)
{
	if (ult_mn_on || (ult_cur && (rq_head || nwaiting))) {
		errno = EBUSY;
		return -1;
	}
	ult_trace_start();
	return ult_mn_init(nvp);
}

void ult_fini(void)
{
	struct ult *t;

	if (ult_mn_on) {
		ult_mn_fini();
		return;
	}
	while ((t = cache)) {
		cache = t->next;
		munmap(t->region, t->region_size);
	}
	ncached = 0;
	if (ult_epfd >= 0)
		close(ult_epfd);
	ult_epfd = -1;
	free(fd_waiters);
	fd_waiters = NULL;
	fd_waiters_len = 0;
}

int ult_trace_start(void)
{
	const char *on = getenv("ULT_TRACE");

	if (ult_trace_fd >= 0 || !on || strcmp(on, "1"))
		return 0;
	ult_trace_fd = open("/sys/kernel/tracing/trace_marker",
			    O_WRONLY | O_CLOEXEC);
	if (ult_trace_fd < 0)
		ult_trace_fd = open("/sys/kernel/debug/tracing/trace_marker",
				    O_WRONLY | O_CLOEXEC);
	return ult_trace_fd < 0 ? -1 : 0;
}

/* Digits of v (>= -1) at p, backwards; returns the new start. */
static char *ult_trace_int(char *p, int v)
{
	unsigned int u = v < 0 ? -(unsigned int)v : (unsigned int)v;

	do {
		*--p = '0' + u % 10;
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return p;
}

/*
 * "ult_switch from=A to=B", written without stdio: a switch may run in
 * the preemption's signal handler.
 */
void ult_trace_switch(int from, int to)
{
	char buf[48], *p = buf + sizeof(buf);
	static const char head[] = "ult_switch from=";
	static const char mid[] = " to=";

	p = ult_trace_int(p, to);
	p -= sizeof(mid) - 1;
	memcpy(p, mid, sizeof(mid) - 1);
	p = ult_trace_int(p, from);
	p -= sizeof(head) - 1;
	memcpy(p, head, sizeof(head) - 1);
	if (write(ult_trace_fd, p, buf + sizeof(buf) - p) < 0)
		return;	/* a lost marker only leaves a gap in the picture */
}

void ult_trace(const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	if (ult_trace_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (n > 0 && write(ult_trace_fd, buf, n) < 0)
		return;
}

const char *ult_switch_name(enum ult_switch_kind kind)
{
	return kind == ULT_SWITCH_ASM ? "asm" : "ucontext";
}

/* A new stack region, guard page at the bottom, the struct ult at its top. */
struct ult *ult_region_new(void)
{
	size_t size;
	struct ult *t;
	char *region;

	if (!page_size)
		page_size = sysconf(_SC_PAGESIZE);
	size = ULT_STACK_SIZE + page_size;
	region = mmap(NULL, size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (region == MAP_FAILED)
		return NULL;
	if (mprotect(region, page_size, PROT_NONE)) {
		munmap(region, size);
		return NULL;
	}
	t = (struct ult *)((uintptr_t)(region + size - sizeof(*t)) & ~63UL);
	t->region = region;
	t->region_size = size;
	return t;
}

void ult_region_free(struct ult *t)
{
	munmap(t->region, t->region_size);
}

/* A region from the cache or a new mapping. */
static struct ult *ult_alloc(void)
{
	struct ult *t = cache;

	if (t) {
		cache = t->next;
		ncached--;
		return t;
	}
	return ult_region_new();
}

static void ult_free(struct ult *t)
{
	if (ncached < ULT_CACHE_MAX) {
		t->next = cache;
		cache = t;
		ncached++;
	} else {
		ult_region_free(t);
	}
}

void ult_stack_range(const struct ult *t, char **lo, char **hi)
{
	if (!t->region) {
		*lo = NULL;
		*hi = NULL;
		return;
	}
	*lo = t->region + page_size;
	*hi = (char *)t;
}

/*
 * Kept out of ult_create(): getcontext() returns twice as far as the
 * compiler knows, which would pin the caller's locals in memory.
 */
static noinline int
ult_prepare_uc(struct ult *t, char *lo, char *hi)
{
	if (getcontext(&t->uc))
		return -1;
	t->uc.uc_stack.ss_sp = lo;
	t->uc.uc_stack.ss_size = ((uintptr_t)hi & ~15UL) - (uintptr_t)lo;
	t->uc.uc_link = NULL;
	makecontext(&t->uc, ult_uc_entry, 0);
	return 0;
}

/*
 * What ult_switch_asm pops: r15 r14 r13 r12 rbx rbp, then the return
 * address, start. After that "ret" rsp must be 16-byte aligned, as it is
 * before a call.
 */
void ult_frame_init(struct ult *t, void (*start)(void))
{
	void **sp = (void **)((uintptr_t)t & ~15UL) - 2;

	*--sp = (void *)start;
	*--sp = NULL;		/* rbp */
	*--sp = NULL;		/* rbx */
	*--sp = t;		/* r12: ult_start_asm's argument */
	*--sp = NULL;		/* r13 */
	*--sp = NULL;		/* r14 */
	*--sp = NULL;		/* r15 */
	t->sp = sp;
}

struct ult *ult_create(ult_fn_t fn, void *arg)
{
	struct ult *t;

	if (ult_mn_on)
		return ult_mn_create(-1, fn, arg);
	ult_lock();
	t = ult_alloc();
	if (!t) {
		ult_unlock();
		return NULL;
	}
	t->fn = fn;
	t->arg = arg;
	t->ret = NULL;
	t->joiner = NULL;
	t->state = ULT_RUNNABLE;
	t->id = next_id++;
	if (ult_kind == ULT_SWITCH_ASM) {
		ult_frame_init(t, ult_start_asm);
	} else if (ult_prepare_uc(t, t->region + page_size, (char *)t)) {
		ult_free(t);
		ult_unlock();
		return NULL;
	}
	rq_push(t);
	ult_unlock();
	return t;
}

struct ult *ult_create_on(int vp, ult_fn_t fn, void *arg)
{
	if (vp < 0 || vp >= ult_nvp()) {
		errno = EINVAL;
		return NULL;
	}
	if (ult_mn_on)
		return ult_mn_create(vp, fn, arg);
	return ult_create(fn, arg);
}

void ult_yield(void)
{
	if (ult_mn_on) {
		ult_mn_yield();
		return;
	}
	ult_lock();
	if (!rq_head && !nwaiting) {
		ult_unlock();	/* alone: nothing to switch to */
		return;
	}
	ult_schedule_locked();
}

void ult_exit(void *ret)
{
	if (ult_mn_on)
		ult_mn_exit(ret);
	m1_exit(ret);
}

static void m1_exit(void *ret)
{
	struct ult *self = ult_cur;

	ult_lock();
	if (self == &ult_main)
		ult_die("the main thread cannot ult_exit()");
	self->ret = ret;
	self->state = ULT_DONE;
	if (self->joiner) {
		self->joiner->state = ULT_RUNNABLE;
		rq_push(self->joiner);
	}
	ult_schedule_locked();
	ult_die("a finished thread was scheduled");
	__builtin_unreachable();
}

void *ult_join(struct ult *t)
{
	struct ult *self = ult_cur;
	void *ret;

	if (ult_mn_on)
		return ult_mn_join(t);
	ult_lock();
	if (t == self || t->joiner)
		ult_die("bad %s()", __func__);
	if (t->state != ULT_DONE) {
		t->joiner = self;
		self->state = ULT_WAIT_JOIN;
		ult_schedule_locked();
		ult_lock();
	}
	ret = t->ret;
	ult_free(t);
	ult_unlock();
	return ret;
}

struct ult *ult_self(void)
{
	if (ult_mn_on)
		return ult_mn_self();
	return ult_cur;
}

int ult_id(const struct ult *t)
{
	return t->id;
}

int ult_vp_id(void)
{
	return ult_mn_on ? ult_mn_vp_id() : 0;
}

int ult_nvp(void)
{
	if (ult_mn_on)
		return ult_mn_nvp();
	return ult_cur ? 1 : 0;
}

unsigned long ult_switches(void)
{
	if (ult_mn_on)
		return ult_mn_switches();
	return nswitches;
}

unsigned long ult_preemptions(void)
{
	return npreempt;
}

static void ult_alrm(int sig)
{
	int saved_errno = errno;

	(void)sig;
	if (preempting && !ult_busy && (rq_head || nwaiting)) {
		npreempt++;
		ult_yield();
	}
	errno = saved_errno;
}

int ult_preempt_start(unsigned int interval_us)
{
	struct itimerval it = {
		.it_interval = { interval_us / 1000000, interval_us % 1000000 },
		.it_value = { interval_us / 1000000, interval_us % 1000000 },
	};
	struct sigaction sa;

	if (ult_mn_on) {
		errno = EINVAL;
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ult_alrm;
	/*
	 * SA_NODEFER: the handler may switch to a thread that will not
	 * return through it for a long time (or, a new thread, never); with
	 * SIGALRM blocked that thread could not be preempted.
	 */
	sa.sa_flags = SA_NODEFER | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	npreempt = 0;
	if (sigaction(SIGALRM, &sa, &old_alrm))
		return -1;
	preempting = 1;
	if (setitimer(ITIMER_REAL, &it, NULL)) {
		preempting = 0;
		sigaction(SIGALRM, &old_alrm, NULL);
		return -1;
	}
	return 0;
}

void ult_preempt_stop(void)
{
	struct itimerval it = { 0 };

	setitimer(ITIMER_REAL, &it, NULL);
	preempting = 0;
	sigaction(SIGALRM, &old_alrm, NULL);
}

static void ult_atfork_child(void);

/* Put fd in the epoll set, making the set on first use; 0 or -1. */
static int ult_epoll_add(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	static bool atfork_set;

	if (ult_epfd < 0) {
		ult_epfd = epoll_create1(EPOLL_CLOEXEC);
		if (ult_epfd < 0)
			return -1;
		if (!atfork_set && !pthread_atfork(NULL, NULL, ult_atfork_child))
			atfork_set = true;
	}
	if (epoll_ctl(ult_epfd, EPOLL_CTL_ADD, fd, &ev) && errno != EEXIST)
		return -1;
	return 0;
}

/*
 * A fork()ed child shares the parent's epoll set, and each would take the
 * other's events: give the child a set of its own with its waiters' fds.
 */
static void ult_atfork_child(void)
{
	int fd;

	if (ult_epfd < 0)
		return;
	close(ult_epfd);
	ult_epfd = -1;
	for (fd = 0; fd < fd_waiters_len; fd++) {
		if (fd_waiters[fd] && ult_epoll_add(fd))
			ult_die("fork: cannot wait for fd %d: %s", fd,
				strerror(errno));
	}
}

/* Make fd_waiters[] long enough to hold fd; 0 or -1. */
static int ult_grow_waiters(int fd)
{
	int len = fd_waiters_len ? fd_waiters_len : 64;
	struct ult **w;

	if (fd < 0)
		return -1;
	if (fd < fd_waiters_len)
		return 0;
	while (len <= fd)
		len *= 2;
	w = realloc(fd_waiters, len * sizeof(*w));
	if (!w)
		return -1;
	memset(w + fd_waiters_len, 0, (len - fd_waiters_len) * sizeof(*w));
	fd_waiters = w;
	fd_waiters_len = len;
	return 0;
}

/*
 * Park the caller until fd is readable, letting the others run. Where
 * epoll cannot watch fd (a regular file, which is always readable) or
 * memory is short, the caller only yields: it is still runnable.
 */
static void ult_wait_readable(int fd)
{
	struct ult *self = ult_cur, **link;

	ult_lock();
	if (ult_grow_waiters(fd) || (!fd_waiters[fd] && ult_epoll_add(fd))) {
		ult_schedule_locked();
		return;
	}
	for (link = &fd_waiters[fd]; *link; link = &(*link)->next)
		;
	self->next = NULL;
	*link = self;
	self->state = ULT_WAIT_FD;
	nwaiting++;
	ult_schedule_locked();
}

/*
 * ult_read() for files without RWF_NOWAIT: wait until poll() says the
 * file is readable, then read(). Should another reader empty it between
 * the two, a blocking file's read() blocks the whole process until data
 * comes, as a plain read() would; a file its owner made O_NONBLOCK fails
 * with EAGAIN instead, and the thread waits again.
 */
static ssize_t ult_read_polled(int fd, void *buf, size_t count)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int ready;

	for (;;) {
		ready = poll(&pfd, 1, 0);
		if (ready < 0 && errno == EINTR)
			continue;
		if (!ready) {
			ult_wait_readable(fd);
			continue;
		}
		n = read(fd, buf, count);
		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			return n;
	}
}

/*
 * The file's flags stay as they are: O_NONBLOCK belongs to the open file
 * description, which dup()s, fork()ed children and other processes share,
 * so setting it even for the length of one call changes their reads too.
 * preadv2(RWF_NOWAIT) makes this one read non-blocking instead; pipes and
 * sockets support it, and fail it with EAGAIN when there is nothing to
 * read, however many readers race for the data. Other files (a tty, a
 * FIFO opened by name; pipes too on kernels from before pipes had it)
 * refuse the flag with EOPNOTSUPP, as glibc does where the kernel has no
 * preadv2, and get ult_read_polled().
 */
ssize_t ult_read(int fd, void *buf, size_t count)
{
	struct iovec iov = { .iov_base = buf, .iov_len = count };
	ssize_t n;

	if (ult_mn_on)
		return ult_mn_read(fd, buf, count);
	for (;;) {
		n = preadv2(fd, &iov, 1, -1, RWF_NOWAIT);
		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			break;
		if (errno == EAGAIN)
			ult_wait_readable(fd);
	}
	if (n < 0 && errno == EOPNOTSUPP)
		return ult_read_polled(fd, buf, count);
	return n;
}

void ult_mutex_init(struct ult_mutex *m)
{
	memset(m, 0, sizeof(*m));
}

void ult_cond_init(struct ult_cond *c)
{
	memset(c, 0, sizeof(*c));
}

/* M:1, with ult_busy set: free the mutex and requeue its first waiter. */
static void m1_mutex_release(struct ult_mutex *m)
{
	struct ult *t = wl_pop(&m->head, &m->tail);

	m->state = 0;
	if (t) {
		t->state = ULT_RUNNABLE;
		rq_push(t);
	}
}

/* M:1, with ult_busy set: wait until the mutex is free and take it. */
static void m1_mutex_take(struct ult_mutex *m)
{
	struct ult *self = ult_cur;

	while (m->state) {
		wl_add(&m->head, &m->tail, self);
		self->state = ULT_WAIT_SYNC;
		ult_schedule_locked();
		ult_lock();
	}
	m->state = 1;
}

void ult_mutex_lock(struct ult_mutex *m)
{
	if (ult_mn_on) {
		ult_mn_mutex_lock(m);
		return;
	}
	ult_lock();
	m1_mutex_take(m);
	ult_unlock();
}

int ult_mutex_trylock(struct ult_mutex *m)
{
	int took = 0;

	if (ult_mn_on)
		return ult_mn_mutex_trylock(m);
	ult_lock();
	if (!m->state) {
		m->state = 1;
		took = 1;
	}
	ult_unlock();
	return took;
}

void ult_mutex_unlock(struct ult_mutex *m)
{
	if (ult_mn_on) {
		ult_mn_mutex_unlock(m);
		return;
	}
	ult_lock();
	m1_mutex_release(m);
	ult_unlock();
}

void ult_cond_wait(struct ult_cond *c, struct ult_mutex *m)
{
	struct ult *self = ult_cur;

	if (ult_mn_on) {
		ult_mn_cond_wait(c, m);
		return;
	}
	ult_lock();
	wl_add(&c->head, &c->tail, self);
	self->state = ULT_WAIT_SYNC;
	m1_mutex_release(m);
	ult_schedule_locked();
	ult_lock();
	m1_mutex_take(m);
	ult_unlock();
}

static void m1_cond_wake(struct ult_cond *c, bool all)
{
	struct ult *t;

	ult_lock();
	while ((t = wl_pop(&c->head, &c->tail))) {
		t->state = ULT_RUNNABLE;
		rq_push(t);
		if (!all)
			break;
	}
	ult_unlock();
}

void ult_cond_signal(struct ult_cond *c)
{
	if (ult_mn_on)
		ult_mn_cond_wake(c, false);
	else
		m1_cond_wake(c, false);
}

void ult_cond_broadcast(struct ult_cond *c)
{
	if (ult_mn_on)
		ult_mn_cond_wake(c, true);
	else
		m1_cond_wake(c, true);
}
