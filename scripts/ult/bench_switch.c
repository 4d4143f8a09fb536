// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench's create and switch benchmarks, for claims (a) and (d): the
 * procedure-call baseline; create+finish and yield ping-pong of user-level
 * threads (asm and ucontext switch); create and futex or pipe ping-pong of
 * pthreads and processes, on one CPU and across two.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define PAGE_SIZE	4096

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity(cpu %d): %s", cpu, strerror(errno));
}

static noinline void nop_call(void)
{
	__asm__ volatile("");
}

static void *nop_thread(void *arg)
{
	return arg;
}

static void ult_create_join(void)
{
	struct ult *t = ult_create(nop_thread, NULL);

	if (!t)
		die("ult_create: %s", strerror(errno));
	ult_join(t);
}

static void pthread_create_join(void)
{
	pthread_t th;
	int err = pthread_create(&th, NULL, nop_thread, NULL);

	if (err)
		die("pthread_create: %s", strerror(err));
	pthread_join(th, NULL);
}

static void fork_wait(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(0);
	wait_child(pid);
}

/* The baseline: an indirect call of an empty function (--models). */
void bench_call(void)
{
	progress("procedure call");
	call_stats = measure(nop_call, 10000);
}

/*
 * One timed batch: batch calls of op() through a pointer. The ULT yield
 * and the procedure-call baseline both go through this one loop, so they
 * differ only in the function called.
 */
static noinline int64_t time_batch(void (*op)(void), long batch)
{
	int64_t t0 = now_ns();
	long j;

	for (j = 0; j < batch; j++)
		op();
	return now_ns() - t0;
}

/*
 * ULT ping-pong: two threads yield to each other; a sample is a batch.
 * The pinger times a batch of procedure calls right after each batch of
 * yields (call_v), so the baseline sees the same moment of the machine.
 */
static struct {
	int warm;
	long batch;
	double *v, *call_v;
	volatile bool done;
} ult_pp;

static void *ult_pinger(void *arg)
{
	int64_t t_yield, t_call;
	int i;

	(void)arg;
	for (i = -ult_pp.warm; i < opt.samples; i++) {
		t_yield = time_batch(ult_yield, ult_pp.batch);
		t_call = time_batch(nop_call, ult_pp.batch);
		if (i < 0)
			continue;
		ult_pp.v[i] = (double)t_yield / ult_pp.batch;
		ult_pp.call_v[i] = (double)t_call / ult_pp.batch;
	}
	ult_pp.done = true;
	return NULL;
}

static void *ult_ponger(void *arg)
{
	(void)arg;
	while (!ult_pp.done)
		ult_yield();
	return NULL;
}

static void ult_pingpong(enum col c, long batch)
{
	struct ult *a, *b;

	ult_pp.warm = opt.samples / 10 + 1;
	ult_pp.batch = batch;
	ult_pp.done = false;
	ult_pp.v = calloc(opt.samples, sizeof(double));
	ult_pp.call_v = calloc(opt.samples, sizeof(double));
	if (!ult_pp.v || !ult_pp.call_v)
		die("out of memory");
	a = ult_create(ult_pinger, NULL);
	b = ult_create(ult_ponger, NULL);
	if (!a || !b)
		die("ult_create: %s", strerror(errno));
	ult_join(a);
	ult_join(b);
	record(ROW_PP_SAME, c, ult_pp.v, opt.samples, batch);
	/* The baseline of claim (a) comes from the assembly switch's run. */
	if (c == COL_ULT)
		call_stats = stats_of(ult_pp.call_v, opt.samples, batch);
	free(ult_pp.v);
	free(ult_pp.call_v);
}

void bench_ult(enum col c, enum ult_switch_kind kind)
{
	char what[64];

	snprintf(what, sizeof(what), "ult (%s switch)", ult_switch_name(kind));
	progress(what);
	if (ult_init(kind))
		die("ult_init: %s", strerror(errno));
	result[ROW_CREATE][c] = measure(ult_create_join,
					kind == ULT_SWITCH_ASM ? 200 : 50);
	ult_pingpong(c, kind == ULT_SWITCH_ASM ? 1000 : 100);
	ult_fini();
}

/* ------------------------------------------------------------------ */
/* Kernel-scheduled ping-pong: two pthreads or two processes           */

/*
 * Same shape as "perf bench sched pipe" (and its -T thread mode): the
 * pinger sends, the ponger answers, a round trip is one op. The futex
 * flavour hands a word back and forth with FUTEX_WAIT/FUTEX_WAKE; it uses
 * shared (not private) futexes for threads too, so threads and processes
 * run the same kernel path. The shared struct lives in a MAP_SHARED
 * mapping so forked children can use it and report their samples.
 */
struct pingpong {
	int turn;		/* futex word: 1 = ponger's turn */
	bool use_pipe;
	bool is_process;
	int to_pong[2], to_ping[2];
	int cpu_ping, cpu_pong;	/* -1: not pinned */
	int warm;
	long batch;
	int ws_pages;		/* pages each side writes between hand-offs */
	double csw;
	double v[];
};

/*
 * Each side's own working set: pages of memory it writes between
 * hand-offs (bench_ws.c), so a switch must bring their translations and
 * lines back. Threads get separate mappings, processes separate spaces.
 */
static char *ws_map(int pages)
{
	char *p;

	if (!pages)
		return NULL;
	p = mmap(NULL, (size_t)pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	return p;
}

static void ws_touch(char *p, int pages)
{
	int i;

	for (i = 0; i < pages; i++)
		((volatile char *)p)[(size_t)i * PAGE_SIZE]++;
}

static void ws_unmap(char *p, int pages)
{
	if (p)
		munmap(p, (size_t)pages * PAGE_SIZE);
}

static long futex(int *uaddr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

/* Wait until *word != val; at most ~5 s, then the run is broken. */
static void futex_wait_change(int *word, int val)
{
	struct timespec ts = { 0, 100 * NSEC_PER_MSEC };
	int timeouts = 0;

	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == val) {
		if (futex(word, FUTEX_WAIT, val, &ts) && errno == ETIMEDOUT &&
		    ++timeouts > 50)
			die("ping-pong partner stopped answering");
	}
}

static void pp_send(struct pingpong *pp, int fd, int val)
{
	if (pp->use_pipe) {
		if (write(fd, &val, sizeof(val)) != sizeof(val))
			die("pipe write: %s", strerror(errno));
		return;
	}
	__atomic_store_n(&pp->turn, val, __ATOMIC_RELEASE);
	futex(&pp->turn, FUTEX_WAKE, 1, NULL);
}

static void pp_recv(struct pingpong *pp, int fd, int val)
{
	int x;

	if (pp->use_pipe) {
		if (read(fd, &x, sizeof(x)) != sizeof(x))
			die("pipe read: partner gone");
		return;
	}
	futex_wait_change(&pp->turn, !val);
}

/* How often this thread was switched out, sleeping or preempted. */
static long ctx_switches(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static void *pp_ping(void *arg)
{
	struct pingpong *pp = arg;
	char *ws = ws_map(pp->ws_pages);
	long j, csw = 0;
	int64_t t0;
	int i;

	if (pp->cpu_ping >= 0)
		pin_cpu(pp->cpu_ping);
	if (pp->is_process) {
		close(pp->to_pong[0]);
		close(pp->to_ping[1]);
	}
	for (i = -pp->warm; i < opt.samples; i++) {
		if (i == 0)
			csw = ctx_switches();
		t0 = now_ns();
		for (j = 0; j < pp->batch; j++) {
			pp_send(pp, pp->to_pong[1], 1);
			pp_recv(pp, pp->to_ping[0], 0);
			ws_touch(ws, pp->ws_pages);
		}
		if (i >= 0)
			pp->v[i] = (double)(now_ns() - t0) / pp->batch;
	}
	pp->csw = (double)(ctx_switches() - csw) / (opt.samples * pp->batch);
	ws_unmap(ws, pp->ws_pages);
	return NULL;
}

static void *pp_pong(void *arg)
{
	struct pingpong *pp = arg;
	long j, n = (pp->warm + opt.samples) * pp->batch;
	char *ws = ws_map(pp->ws_pages);

	if (pp->cpu_pong >= 0)
		pin_cpu(pp->cpu_pong);
	if (pp->is_process) {
		close(pp->to_pong[1]);
		close(pp->to_ping[0]);
	}
	for (j = 0; j < n; j++) {
		pp_recv(pp, pp->to_pong[0], 1);
		ws_touch(ws, pp->ws_pages);
		pp_send(pp, pp->to_ping[1], 0);
	}
	ws_unmap(ws, pp->ws_pages);
	return NULL;
}

/* One ping-pong; the result goes to result[r][c], or *ws_out if set. */
static void pingpong_run(enum row r, enum col c, bool use_pipe, bool cross,
			 int ws_pages, long batch, struct stats *ws_out)
{
	size_t size = sizeof(struct pingpong) + opt.samples * sizeof(double);
	struct pingpong *pp;
	ult_fn_t fn[2] = { pp_ping, pp_pong };	/* same type as a pthread start */
	pthread_t th[2];
	pid_t pid[2];
	int i, err;

	pp = mmap(NULL, size, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pp == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	pp->use_pipe = use_pipe;
	pp->is_process = c == COL_PROCESS;
	pp->cpu_ping = cpu_a;
	pp->cpu_pong = cross ? cpu_b : cpu_a;
	pp->warm = opt.samples / 10 + 1;
	pp->batch = batch;
	pp->ws_pages = ws_pages;
	if (use_pipe && (pipe(pp->to_pong) || pipe(pp->to_ping)))
		die("pipe: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		if (c == COL_PTHREAD) {
			err = pthread_create(&th[i], NULL, fn[i], pp);
			if (err)
				die("pthread_create: %s", strerror(err));
			continue;
		}
		pid[i] = fork_child();
		if (pid[i] == 0) {
			fn[i](pp);
			_exit(0);
		}
	}
	for (i = 0; i < 2; i++) {
		if (c == COL_PTHREAD)
			pthread_join(th[i], NULL);
	}
	if (use_pipe) {
		close(pp->to_pong[0]);
		close(pp->to_pong[1]);
		close(pp->to_ping[0]);
		close(pp->to_ping[1]);
	}
	for (i = 0; i < 2; i++) {
		if (c == COL_PROCESS && wait_child(pid[i]))
			die("ping-pong child failed");
	}
	if (ws_out) {
		*ws_out = stats_of(pp->v, opt.samples, pp->batch);
		ws_out->csw = pp->csw;
	} else {
		record(r, c, pp->v, opt.samples, pp->batch);
		result[r][c].csw = pp->csw;
	}
	munmap(pp, size);
}

static void pingpong(enum row r, enum col c, bool use_pipe, bool cross)
{
	pingpong_run(r, c, use_pipe, cross, 0, 20, NULL);
}

struct stats pingpong_ws(enum col c, int pages)
{
	struct stats s;

	/* Fewer round trips per sample as each one gets longer. */
	pingpong_run(ROW_PP_SAME, c, false, false, pages,
		     pages >= 1024 ? 1 : pages >= 64 ? 4 : 20, &s);
	return s;
}

void bench_kernel_threads(enum col c)
{
	progress(c == COL_PTHREAD ? "pthreads" : "processes");
	if (c == COL_PTHREAD)
		result[ROW_CREATE][c] = measure(pthread_create_join, 5);
	else
		result[ROW_CREATE][c] = measure(fork_wait, 2);
	pingpong(ROW_PP_SAME, c, false, false);
	pingpong(ROW_PIPE_SAME, c, true, false);
	if (cpu_b < 0)
		return;
	pingpong(ROW_PP_CROSS, c, false, true);
	pingpong(ROW_PIPE_CROSS, c, true, true);
}
