// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench: measure the "user-level vs kernel-level threads" claims on the
 * user-space side, and self-test the ult library.
 *
 *   (a) ULT operations are as fast as a procedure call; kernel thread
 *       operations are hundreds of times slower.
 *   (b) A blocking system call in one ULT blocks the whole process.
 *   (c) Many-to-one ULTs get no multicore parallelism.
 *   (d) Thread switches are cheaper than process switches.
 *
 * Columns are mechanisms: ult (asm switch), ult_uctx (swapcontext), pthread
 * (1:1, one kernel thread each) and process. Rows are operations. stdout
 * gets "INFO", "ROW" and "SKIP" lines for scripts, a human table, then
 * per claim a "CLAIM" line and its decision rule and numbers in words.
 * Progress goes to stderr.
 *
 *   ROW <op> <column> median_ns=<x> p10_ns=<x> p90_ns=<x> min_ns=<x>
 *       n=<samples> batch=<ops per sample> [vs_ult=<median / ult median>]
 *       [csw_per_op=<pinger's context switches per ping-pong round trip>]
 *   ROW parallel_speedup <column> speedup=<x> threads=<n> cpu_per_wall=<x>
 *   CLAIM <id> HOLDS|DOES NOT HOLD|INCONCLUSIVE key=value...
 *
 * A sample is the mean over a batch of ops (one ULT switch is too short
 * to time alone); ping-pong ops are round trips (two switches).
 * "ultbench --selftest" checks the library instead and prints KTAP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ult.h"

#define NSEC_PER_MSEC	1000000LL
#define NSEC_PER_SEC	1000000000LL
#define MAX_THREADS	64
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAR_CHUNK	65536L		/* hash rounds between ULT yields */

static struct {
	int samples;		/* samples per micro-benchmark */
	int block_ms;		/* how long the helper keeps the pipe empty */
	int block_reps;
	long work;		/* hash rounds in the parallel job */
	int par_reps;
	int threads;		/* parallel job split, 0: online CPUs */
	int timeout_s;		/* watchdog for the whole run */
} opt = {
	.samples = 200,
	.block_ms = 200,
	.block_reps = 5,
	.work = 1L << 25,
	.par_reps = 5,
	.timeout_s = 120,
};

static int ncpus;		/* CPUs we may run on */
static int cpu_a, cpu_b;	/* the two used for pinning; cpu_b = -1 if 1 */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void __noreturn __printf(1, 2)
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ultbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void progress(const char *what)
{
	fprintf(stderr, "ultbench: measuring %s\n", what);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * NSEC_PER_MSEC };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity(cpu %d): %s", cpu, strerror(errno));
}

/* fork() a child that dies with us; the child gets 0. */
static pid_t fork_child(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The CPU-bound work: a few rounds of a 64-bit integer mixer. */
static uint64_t hash_work(uint64_t x, long rounds)
{
	long i;

	for (i = 0; i < rounds; i++) {
		x ^= x >> 33;
		x *= 0xff51afd7ed558ccdULL;
		x += i;
	}
	return x;
}

/* A helper process that writes one byte to the pipe after ms. */
static pid_t start_writer(int pipefd[2], int ms, const char *msg)
{
	pid_t pid;

	if (pipe(pipefd))
		die("pipe: %s", strerror(errno));
	pid = fork_child();
	if (pid == 0) {
		close(pipefd[0]);
		sleep_ms(ms);
		if (write(pipefd[1], msg, strlen(msg)) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	return pid;
}

/* ------------------------------------------------------------------ */
/* Statistics and results                                              */

struct stats {
	double median, p10, p90, min;
	int n;
	long batch;
	double csw;	/* ping-pong: pinger's context switches per op */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct stats stats_of(double *v, int n, long batch)
{
	struct stats s = { .n = n, .batch = batch, .csw = -1 };

	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.p10 = v[n * 10 / 100];
	s.median = v[n / 2];
	s.p90 = v[n * 90 / 100];
	return s;
}

enum col { COL_ULT, COL_UCTX, COL_PTHREAD, COL_PROCESS, NCOLS };

static const char *const col_name[NCOLS] = {
	"ult", "ult_uctx", "pthread", "process",
};

enum row {
	ROW_CREATE,
	ROW_PP_SAME,
	ROW_PIPE_SAME,
	ROW_PP_CROSS,
	ROW_PIPE_CROSS,
	ROW_BLOCK,
	ROW_BLOCK_NB,
	ROW_PAR_1,
	ROW_PAR_N,
	NROWS
};

/* base: the row whose ult cell every cell of this row is divided by. */
static const struct {
	const char *name;
	const char *label;
	int base;
} rows[NROWS] = {
	[ROW_CREATE] = { "create", "create+finish/join/wait", ROW_CREATE },
	[ROW_PP_SAME] = { "pingpong_same_cpu", "ping-pong same CPU",
			  ROW_PP_SAME },
	[ROW_PIPE_SAME] = { "pipe_pingpong_same_cpu",
			    "pipe ping-pong same CPU", ROW_PP_SAME },
	[ROW_PP_CROSS] = { "pingpong_cross_cpu", "ping-pong cross CPU",
			   ROW_PP_SAME },
	[ROW_PIPE_CROSS] = { "pipe_pingpong_cross_cpu",
			     "pipe ping-pong cross CPU", ROW_PP_SAME },
	[ROW_BLOCK] = { "block_gap", "blocking-gap read()", -1 },
	[ROW_BLOCK_NB] = { "block_gap_ult_read", "blocking-gap ult_read()",
			   -1 },
	[ROW_PAR_1] = { "parallel_1", "parallel job, 1 thread", ROW_PAR_1 },
	[ROW_PAR_N] = { "parallel_n", "parallel job, N threads", ROW_PAR_1 },
};

static struct stats result[NROWS][NCOLS];
static struct stats call_stats;	/* the procedure-call baseline */

static void record(enum row r, enum col c, double *v, int n, long batch)
{
	result[r][c] = stats_of(v, n, batch);
}

static double med(enum row r, enum col c)
{
	return result[r][c].n ? result[r][c].median : 0;
}

/* Ratio of a cell to its row's user-level figure; 0 if there is none. */
static double vs_ult(enum row r, enum col c)
{
	int b = rows[r].base;

	if (b < 0 || !result[r][c].n || !result[b][COL_ULT].n)
		return 0;
	return result[r][c].median / result[b][COL_ULT].median;
}

/*
 * Speedup of N threads over 1: best run over best run, the runs least
 * disturbed by whatever else the machine is doing.
 */
static double speedup(enum col c)
{
	if (!result[ROW_PAR_1][c].n || !result[ROW_PAR_N][c].n)
		return 0;
	return result[ROW_PAR_1][c].min / result[ROW_PAR_N][c].min;
}

/* N-thread runs: process CPU time per wall time (median); > 1 = parallel. */
static double cpu_per_wall[NCOLS];

/* ------------------------------------------------------------------ */
/* Micro-benchmark driver                                              */

/*
 * Time opt.samples batches of batch calls of op(); each sample is the mean
 * ns per call of its batch (a single ULT switch is too short to time on
 * its own). A tenth as many batches run first as a warm-up.
 */
static struct stats measure(void (*op)(void), long batch)
{
	int warm = opt.samples / 10 + 1, i;
	double *v = calloc(opt.samples, sizeof(*v));
	struct stats s;
	int64_t t0;
	long j;

	if (!v)
		die("out of memory");
	for (i = -warm; i < opt.samples; i++) {
		t0 = now_ns();
		for (j = 0; j < batch; j++)
			op();
		if (i >= 0)
			v[i] = (double)(now_ns() - t0) / batch;
	}
	s = stats_of(v, opt.samples, batch);
	free(v);
	return s;
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

/* ULT ping-pong: two threads yield to each other; a sample is a batch. */
static struct {
	int warm;
	long batch;
	double *v;
	volatile bool done;
} ult_pp;

static void *ult_pinger(void *arg)
{
	int64_t t0;
	long j;
	int i;

	(void)arg;
	for (i = -ult_pp.warm; i < opt.samples; i++) {
		t0 = now_ns();
		for (j = 0; j < ult_pp.batch; j++)
			ult_yield();
		if (i >= 0)
			ult_pp.v[i] = (double)(now_ns() - t0) / ult_pp.batch;
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
	if (!ult_pp.v)
		die("out of memory");
	a = ult_create(ult_pinger, NULL);
	b = ult_create(ult_ponger, NULL);
	if (!a || !b)
		die("ult_create: %s", strerror(errno));
	ult_join(a);
	ult_join(b);
	record(ROW_PP_SAME, c, ult_pp.v, opt.samples, batch);
	free(ult_pp.v);
}

static void bench_ult(enum col c, enum ult_switch_kind kind)
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
	double csw;
	double v[];
};

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
		}
		if (i >= 0)
			pp->v[i] = (double)(now_ns() - t0) / pp->batch;
	}
	pp->csw = (double)(ctx_switches() - csw) / (opt.samples * pp->batch);
	return NULL;
}

static void *pp_pong(void *arg)
{
	struct pingpong *pp = arg;
	long j, n = (pp->warm + opt.samples) * pp->batch;

	if (pp->cpu_pong >= 0)
		pin_cpu(pp->cpu_pong);
	if (pp->is_process) {
		close(pp->to_pong[1]);
		close(pp->to_ping[0]);
	}
	for (j = 0; j < n; j++) {
		pp_recv(pp, pp->to_pong[0], 1);
		pp_send(pp, pp->to_ping[1], 0);
	}
	return NULL;
}

static void pingpong(enum row r, enum col c, bool use_pipe, bool cross)
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
	pp->batch = 20;
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
	record(r, c, pp->v, opt.samples, pp->batch);
	result[r][c].csw = pp->csw;
	munmap(pp, size);
}

static void bench_kernel_threads(enum col c)
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

/* ------------------------------------------------------------------ */
/* (b) blocking: how long does a sibling stall while one thread reads? */

/* The sibling: small steps until the deadline, noting the longest gap. */
struct sibling {
	int64_t deadline;
	int64_t max_gap;
	volatile long steps;
	bool yield;
};

static void *sibling_run(void *arg)
{
	struct sibling *s = arg;
	int64_t last = now_ns(), t;
	uint64_t x = 1;

	do {
		x = hash_work(x, 64);
		if (s->yield)
			ult_yield();
		t = now_ns();
		if (t - last > s->max_gap)
			s->max_gap = t - last;
		last = t;
		s->steps++;
	} while (t < s->deadline);
	return (void *)(uintptr_t)x;
}

/* The reader; it notes how far the sibling got while it waited. */
struct reader {
	int fd;
	bool use_ult_read;
	char buf[8];
	ssize_t n;
	const volatile long *watch;	/* the sibling's steps, or NULL */
	long steps_during;
};

static void *reader_run(void *arg)
{
	struct reader *rd = arg;
	long before = rd->watch ? *rd->watch : 0;

	if (rd->use_ult_read)
		rd->n = ult_read(rd->fd, rd->buf, sizeof(rd->buf));
	else
		rd->n = read(rd->fd, rd->buf, sizeof(rd->buf));
	if (rd->watch)
		rd->steps_during = *rd->watch - before;
	return NULL;
}

/*
 * Fewest sibling steps taken while the reader waited, over the runs of
 * block_gap (0) and block_gap_ult_read (1); -1 where not observable.
 */
static long block_steps[2][NCOLS];

/*
 * One run: the sibling's longest gap in ns, or -1 if the read failed;
 * *steps: the sibling's steps while the reader waited (-1: unknown).
 */
static double block_once(enum col c, bool use_ult_read, long *steps)
{
	struct sibling s = { 0 };
	struct reader rd = { .use_ult_read = use_ult_read };
	struct ult *ts, *tr;
	pthread_t ps, pr;
	int pipefd[2];
	pid_t helper, reader;

	helper = start_writer(pipefd, opt.block_ms, "x");
	rd.fd = pipefd[0];
	rd.watch = c == COL_PROCESS ? NULL : &s.steps;
	s.deadline = now_ns() + 2LL * opt.block_ms * NSEC_PER_MSEC;
	switch (c) {
	case COL_ULT:
		s.yield = true;
		ult_init(ULT_SWITCH_ASM);
		ts = ult_create(sibling_run, &s);
		tr = ult_create(reader_run, &rd);
		if (!ts || !tr)
			die("ult_create: %s", strerror(errno));
		ult_join(tr);
		ult_join(ts);
		ult_fini();
		break;
	case COL_PTHREAD:
		if (pthread_create(&ps, NULL, sibling_run, &s) ||
		    pthread_create(&pr, NULL, reader_run, &rd))
			die("pthread_create failed");
		pthread_join(pr, NULL);
		pthread_join(ps, NULL);
		break;
	default:
		reader = fork_child();
		if (reader == 0) {
			reader_run(&rd);
			_exit(rd.n == 1 ? 0 : 1);
		}
		sibling_run(&s);
		rd.n = wait_child(reader) ? -1 : 1;
		break;
	}
	close(pipefd[0]);
	wait_child(helper);
	*steps = rd.watch ? rd.steps_during : -1;
	return rd.n == 1 ? (double)s.max_gap : -1;
}

static void bench_block(enum row r, enum col c)
{
	double *v = calloc(opt.block_reps, sizeof(*v));
	long steps, *fewest = &block_steps[r == ROW_BLOCK_NB][c];
	int i;

	if (!v)
		die("out of memory");
	for (i = 0; i < opt.block_reps; i++) {
		v[i] = block_once(c, r == ROW_BLOCK_NB, &steps);
		if (v[i] < 0)
			die("blocking demo: the read failed");
		if (!i || steps < *fewest)
			*fewest = steps;
	}
	record(r, c, v, opt.block_reps, 1);
	free(v);
}

/* ------------------------------------------------------------------ */
/* (c) parallelism: a fixed job split across 1 or N threads           */

struct part {
	long rounds;
	bool yield;
	uint64_t sum;
};

static void *part_run(void *arg)
{
	struct part *p = arg;
	uint64_t x = 1;
	long done, n;

	for (done = 0; done < p->rounds; done += n) {
		n = p->rounds - done < PAR_CHUNK ? p->rounds - done : PAR_CHUNK;
		x = hash_work(x, n);
		if (p->yield)
			ult_yield();
	}
	p->sum = x;
	return NULL;
}

static int64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* One run of the whole job over n threads: wall ns; *cpu: CPU ns used. */
static double par_once(enum col c, int n, double *cpu)
{
	struct part part[MAX_THREADS];
	struct ult *t[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	int64_t t0, c0;
	int i;

	if (c == COL_ULT)
		ult_init(ULT_SWITCH_ASM);
	c0 = cpu_ns();
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		part[i].rounds = opt.work / n;
		part[i].yield = c == COL_ULT;
		if (c == COL_ULT) {
			t[i] = ult_create(part_run, &part[i]);
			if (!t[i])
				die("ult_create: %s", strerror(errno));
		} else if (pthread_create(&th[i], NULL, part_run, &part[i])) {
			die("pthread_create failed");
		}
	}
	for (i = 0; i < n; i++) {
		if (c == COL_ULT)
			ult_join(t[i]);
		else
			pthread_join(th[i], NULL);
	}
	t0 = now_ns() - t0;
	*cpu = (double)(cpu_ns() - c0);
	if (c == COL_ULT)
		ult_fini();
	return (double)t0;
}

/* 1-thread and N-thread runs alternate, so load changes hit both. */
static void bench_parallel(enum col c)
{
	double *v = calloc(3 * opt.par_reps, sizeof(*v));
	double *v1 = v, *vn = v + opt.par_reps, *ratio = vn + opt.par_reps;
	double cpu;
	int i;

	if (!v)
		die("out of memory");
	for (i = 0; i < opt.par_reps; i++) {
		v1[i] = par_once(c, 1, &cpu);
		vn[i] = par_once(c, opt.threads, &cpu);
		ratio[i] = cpu / vn[i];
	}
	record(ROW_PAR_1, c, v1, opt.par_reps, 1);
	record(ROW_PAR_N, c, vn, opt.par_reps, 1);
	cpu_per_wall[c] = stats_of(ratio, opt.par_reps, 1).median;
	free(v);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static const char *fmt_ns(char *buf, size_t len, double ns)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.1fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.2fus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

static void print_rows(void)
{
	const struct stats *s;
	int r, c;

	printf("ROW proc_call base median_ns=%.1f p10_ns=%.1f p90_ns=%.1f",
	       call_stats.median, call_stats.p10, call_stats.p90);
	printf(" min_ns=%.1f n=%d batch=%ld\n",
	       call_stats.min, call_stats.n, call_stats.batch);
	for (r = 0; r < NROWS; r++) {
		for (c = 0; c < NCOLS; c++) {
			s = &result[r][c];
			if (!s->n)
				continue;
			printf("ROW %s %s median_ns=%.1f p10_ns=%.1f p90_ns=%.1f",
			       rows[r].name, col_name[c], s->median, s->p10,
			       s->p90);
			printf(" min_ns=%.1f n=%d batch=%ld",
			       s->min, s->n, s->batch);
			if (vs_ult(r, c))
				printf(" vs_ult=%.2f", vs_ult(r, c));
			if (s->csw >= 0)
				printf(" csw_per_op=%.2f", s->csw);
			printf("\n");
		}
	}
	for (c = 0; c < NCOLS; c++) {
		if (!speedup(c))
			continue;
		printf("ROW parallel_speedup %s speedup=%.2f threads=%d",
		       col_name[c], speedup(c), opt.threads);
		printf(" cpu_per_wall=%.2f\n", cpu_per_wall[c]);
	}
}

#define LABEL_W	25
#define CELL_W	19

/* One table line: a label and NCOLS cells, without trailing blanks. */
static void table_line(const char *label, char cells[NCOLS][40])
{
	char line[LABEL_W + NCOLS * 40 + 1];
	int len, c;

	len = snprintf(line, sizeof(line), "%-*s", LABEL_W, label);
	for (c = 0; c < NCOLS; c++)
		len += snprintf(line + len, sizeof(line) - len, "%-*s",
				CELL_W, cells[c]);
	while (len && line[len - 1] == ' ')
		line[--len] = '\0';
	puts(line);
}

static void print_table(void)
{
	char cells[NCOLS][40], a[24], b[24];
	const struct stats *s;
	double x;
	int r, c;

	printf("\nmedian per op; xN = ratio to the user-level (ult) figure of the row\n"
	       "(ping-pong: per round trip = 2 switches; all ratios to the ULT one)\n");
	for (c = 0; c < NCOLS; c++)
		snprintf(cells[c], sizeof(cells[c]), "%s", col_name[c]);
	table_line("operation", cells);
	memset(cells, 0, sizeof(cells));
	fmt_ns(cells[COL_ULT], sizeof(cells[0]), call_stats.median);
	table_line("procedure call", cells);
	for (r = 0; r < NROWS; r++) {
		for (c = 0; c < NCOLS; c++) {
			s = &result[r][c];
			x = vs_ult(r, c);
			if (!s->n)
				snprintf(cells[c], sizeof(cells[c]), "%s",
					 c == COL_ULT && (r == ROW_PP_CROSS ||
					 r == ROW_PIPE_CROSS) ? "n/a (M:1)" : "-");
			else if (x)
				snprintf(cells[c], sizeof(cells[c]),
					 x >= 100 ? "%s x%.0f" : x >= 10 ?
					 "%s x%.1f" : "%s x%.2f",
					 fmt_ns(a, sizeof(a), s->median), x);
			else
				fmt_ns(cells[c], sizeof(cells[c]), s->median);
		}
		table_line(rows[r].label, cells);
		for (c = 0; c < NCOLS; c++) {
			s = &result[r][c];
			cells[c][0] = '\0';
			if (s->n)
				snprintf(cells[c], sizeof(cells[c]), "%s..%s",
					 fmt_ns(a, sizeof(a), s->p10),
					 fmt_ns(b, sizeof(b), s->p90));
		}
		table_line("  p10..p90", cells);
	}
	for (c = 0; c < NCOLS; c++) {
		snprintf(cells[c], sizeof(cells[c]), "-");
		if (speedup(c))
			snprintf(cells[c], sizeof(cells[c]), "%.2fx of %dx",
				 speedup(c), opt.threads);
	}
	table_line("parallel speedup", cells);
	for (c = 0; c < NCOLS; c++) {
		snprintf(cells[c], sizeof(cells[c]), "-");
		if (speedup(c))
			snprintf(cells[c], sizeof(cells[c]), "%.2f",
				 cpu_per_wall[c]);
	}
	table_line("  CPU time / wall time", cells);
	printf("(speedup: best 1-thread run / best N-thread run)\n\n");
	/*
	 * A kernel ping-pong round trip should switch the pinger out once.
	 * Across CPUs both sides may instead stay on-CPU, each answering
	 * while the other is still in its wake-up system call: then the row
	 * measured system-call latency, not a switch. Say so.
	 */
	for (r = 0; r < NROWS; r++) {
		for (c = 0; c < NCOLS; c++) {
			s = &result[r][c];
			if (s->n && s->csw >= 0 && s->csw < 0.5) {
				printf("note: %s/%s: the pinger was switched out",
				       rows[r].name, col_name[c]);
				printf(" in only %.0f%% of round trips",
				       100 * s->csw);
				printf(" (both stayed on-CPU): this is not a switch cost\n");
			}
		}
	}
}

static const char *verdict(bool holds)
{
	return holds ? "HOLDS" : "DOES NOT HOLD";
}

/* Percent by which a thread figure is below the process one. */
static double pct_below(double thread, double process)
{
	return process ? 100 * (process - thread) / process : 0;
}

/*
 * Each claim: a machine line "CLAIM <id> <verdict> key=value...", then
 * the decision rule and the numbers in words.
 */
static void print_claims(void)
{
	double call = call_stats.median;
	double sw = med(ROW_PP_SAME, COL_ULT) / 2;
	double sw_uc = med(ROW_PP_SAME, COL_UCTX) / 2;
	double cr = vs_ult(ROW_CREATE, COL_PTHREAD);
	double pp = vs_ult(ROW_PP_SAME, COL_PTHREAD);
	double block = (double)opt.block_ms * NSEC_PER_MSEC;
	double g_ult = med(ROW_BLOCK, COL_ULT);
	double g_pt = med(ROW_BLOCK, COL_PTHREAD);
	double g_nb = med(ROW_BLOCK_NB, COL_ULT);
	double s_ult = speedup(COL_ULT), s_pt = speedup(COL_PTHREAD);
	double d_futex = pct_below(med(ROW_PP_SAME, COL_PTHREAD),
				   med(ROW_PP_SAME, COL_PROCESS));
	double d_pipe = pct_below(med(ROW_PIPE_SAME, COL_PTHREAD),
				  med(ROW_PIPE_SAME, COL_PROCESS));
	bool a1 = sw <= 10 * call, a2 = cr >= 100 && pp >= 100;
	bool b = g_ult >= block / 2 && g_pt < block / 4;
	bool b_fix = g_nb < block / 4;
	bool c = s_ult <= 1.2, c_control = s_pt >= 1.5;
	bool d = d_futex >= 5 && d_pipe >= 5;
	char x[24], y[24], z[24];

	printf("CLAIM a %s switch_ns=%.1f call_ns=%.1f switch_vs_call=%.2f",
	       verdict(a1 && a2), sw, call, sw / call);
	printf(" uctx_switch_ns=%.1f create_ratio=%.1f pingpong_ratio=%.1f\n",
	       sw_uc, cr, pp);
	printf("(a) \"User-level thread operations are as fast as a procedure call;\n"
	       "    kernel thread operations are hundreds of times slower.\"\n"
	       "    rule: holds if one ULT switch (half a yield ping-pong round trip)\n"
	       "    costs <= 10x an indirect procedure call, AND pthread (1:1 kernel\n"
	       "    thread) create+join and same-CPU ping-pong are each >= 100x the ULT\n"
	       "    create+finish and ping-pong.\n");
	printf("    ULT switch %s = %.1fx a %s call (%s); ucontext switch %s = %.0fx\n",
	       fmt_ns(x, sizeof(x), sw), sw / call, fmt_ns(y, sizeof(y), call),
	       a1 ? "ok" : "too slow", fmt_ns(z, sizeof(z), sw_uc),
	       sw_uc / call);
	printf("    pthread create+join = %.0fx ULT, ping-pong = %.0fx ULT (%s)\n",
	       cr, pp, a2 ? "ok" : "below 100x");
	printf("    => (a) %s\n\n", verdict(a1 && a2));

	printf("CLAIM b %s ult_gap_ns=%.0f pthread_gap_ns=%.0f process_gap_ns=%.0f",
	       verdict(b), g_ult, g_pt, med(ROW_BLOCK, COL_PROCESS));
	printf(" block_ns=%.0f ult_steps_during_read=%ld pthread_steps_during_read=%ld\n",
	       block, block_steps[0][COL_ULT], block_steps[0][COL_PTHREAD]);
	printf("CLAIM b.ult_read %s ult_read_gap_ns=%.0f block_ns=%.0f",
	       verdict(b_fix), g_nb, block);
	printf(" ult_read_steps_during_read=%ld\n", block_steps[1][COL_ULT]);
	printf("(b) \"A blocking system call in one user-level thread blocks the whole\n"
	       "    process.\"\n"
	       "    rule: holds if, while one thread read()s a pipe that stays empty\n"
	       "    for %d ms, a sibling ULT's longest progress gap is >= half of that\n"
	       "    and a sibling pthread's is < a quarter of it.\n", opt.block_ms);
	printf("    longest gap: ULT %s, pthread %s, process %s\n",
	       fmt_ns(x, sizeof(x), g_ult), fmt_ns(y, sizeof(y), g_pt),
	       fmt_ns(z, sizeof(z), med(ROW_BLOCK, COL_PROCESS)));
	printf("    sibling steps while the reader waited (fewest of %d runs):\n"
	       "    ULT %ld, pthread %ld, ULT with ult_read() %ld\n",
	       opt.block_reps, block_steps[0][COL_ULT],
	       block_steps[0][COL_PTHREAD], block_steps[1][COL_ULT]);
	printf("    => (b) %s\n", verdict(b));
	printf("    b.ult_read: the O_NONBLOCK+poll wrapper removes the stall if the\n"
	       "    ULT gap is < a quarter of the block too: %s => %s\n\n",
	       fmt_ns(x, sizeof(x), g_nb), verdict(b_fix));

	printf("CLAIM c %s ult_speedup=%.2f pthread_speedup=%.2f threads=%d",
	       c_control ? verdict(c) : "INCONCLUSIVE", s_ult, s_pt,
	       opt.threads);
	printf(" ult_cpu_per_wall=%.2f pthread_cpu_per_wall=%.2f\n",
	       cpu_per_wall[COL_ULT], cpu_per_wall[COL_PTHREAD]);
	printf("(c) \"Many-to-one user threads get no multicore parallelism.\"\n"
	       "    rule: holds if a CPU-bound job split over %d ULTs runs <= 1.2x\n"
	       "    faster than on 1 ULT, while %d pthreads reach >= 1.5x (the control:\n"
	       "    otherwise the machine had no idle CPU and the result is\n"
	       "    INCONCLUSIVE).\n", opt.threads, opt.threads);
	printf("    speedup (best runs): ULT %.2fx, pthread %.2fx (ideal %dx)\n",
	       s_ult, s_pt, opt.threads);
	printf("    CPU time per wall time with %d threads: ULT %.2f, pthread %.2f\n",
	       opt.threads, cpu_per_wall[COL_ULT], cpu_per_wall[COL_PTHREAD]);
	printf("    => (c) %s\n\n", c_control ? verdict(c) : "INCONCLUSIVE");

	printf("CLAIM d %s futex_pct=%.1f pipe_pct=%.1f futex_thread_ns=%.1f",
	       verdict(d), d_futex, d_pipe, med(ROW_PP_SAME, COL_PTHREAD));
	printf(" futex_process_ns=%.1f pipe_thread_ns=%.1f pipe_process_ns=%.1f\n",
	       med(ROW_PP_SAME, COL_PROCESS), med(ROW_PIPE_SAME, COL_PTHREAD),
	       med(ROW_PIPE_SAME, COL_PROCESS));
	printf("(d) \"Thread switches are cheaper than process switches.\"\n"
	       "    rule: holds if the same-CPU ping-pong between two pthreads is\n"
	       "    >= 5%% cheaper than between two processes, with futexes and with\n"
	       "    pipes (same code; only the address space switch differs).\n");
	printf("    futex: thread %s, process %s (thread %.1f%% cheaper)\n",
	       fmt_ns(x, sizeof(x), med(ROW_PP_SAME, COL_PTHREAD)),
	       fmt_ns(y, sizeof(y), med(ROW_PP_SAME, COL_PROCESS)), d_futex);
	printf("    pipe:  thread %s, process %s (thread %.1f%% cheaper)\n",
	       fmt_ns(x, sizeof(x), med(ROW_PIPE_SAME, COL_PTHREAD)),
	       fmt_ns(y, sizeof(y), med(ROW_PIPE_SAME, COL_PROCESS)), d_pipe);
	printf("    (a ULT round trip, for scale: %s)\n",
	       fmt_ns(x, sizeof(x), med(ROW_PP_SAME, COL_ULT)));
	printf("    => (d) %s\n", verdict(d));
}

/* ------------------------------------------------------------------ */
/* Self-test (KTAP)                                                    */

/*
 * CHECK_FAILED(cond, fmt, ...): false if cond holds. Else it prints why, as
 * a KTAP diagnostic naming the test and the condition, and is true; the
 * caller then fails: if (CHECK_FAILED(...)) return -1;
 * The message's arguments are evaluated only after cond failed, so errno
 * is the one cond left.
 */
#define CHECK_FAILED(cond, ...) \
	(!(cond) && check_report(__func__, #cond, __VA_ARGS__))

static bool __printf(3, 4)
check_report(const char *func, const char *cond, const char *fmt, ...)
{
	va_list ap;

	printf("# %s: %s: ", func, cond);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return true;
}

#define RR_THREADS	4
#define RR_ROUNDS	3

static int rr_trace[RR_THREADS * RR_ROUNDS], rr_len;

static void *rr_thread(void *arg)
{
	int i;

	for (i = 0; i < RR_ROUNDS; i++) {
		rr_trace[rr_len++] = (int)(intptr_t)arg;
		ult_yield();
	}
	return NULL;
}

static int test_round_robin(enum ult_switch_kind kind)
{
	struct ult *t[RR_THREADS];
	int i;

	if (CHECK_FAILED(ult_init(kind) == 0, "errno %d", errno))
		return -1;
	rr_len = 0;
	for (i = 0; i < RR_THREADS; i++) {
		t[i] = ult_create(rr_thread, (void *)(intptr_t)i);
		if (CHECK_FAILED(t[i], "ult_create: %s", strerror(errno)))
			return -1;
	}
	for (i = 0; i < RR_THREADS; i++)
		ult_join(t[i]);
	ult_fini();
	if (CHECK_FAILED(rr_len == RR_THREADS * RR_ROUNDS, "%d entries", rr_len))
		return -1;
	for (i = 0; i < rr_len; i++)
		if (CHECK_FAILED(rr_trace[i] == i % RR_THREADS,
				 "step %d ran thread %d, expected %d", i, rr_trace[i],
				 i % RR_THREADS))
			return -1;
	return 0;
}

static int test_round_robin_asm(void)
{
	return test_round_robin(ULT_SWITCH_ASM);
}

static int test_round_robin_ucontext(void)
{
	return test_round_robin(ULT_SWITCH_UCONTEXT);
}

#define ST_THREADS	8

static struct {
	char *local, *lo, *hi;
} st[ST_THREADS];

static void *st_thread(void *arg)
{
	volatile char local = 0;
	int i = (int)(intptr_t)arg;

	st[i].local = (char *)&local;
	ult_stack_range(ult_self(), &st[i].lo, &st[i].hi);
	ult_yield();	/* all alive at once */
	return (void *)(uintptr_t)local;
}

static int test_stacks_distinct(void)
{
	struct ult *t[ST_THREADS];
	char main_local;
	int i, j;

	if (CHECK_FAILED(ult_init(ULT_SWITCH_ASM) == 0, "errno %d", errno))
		return -1;
	for (i = 0; i < ST_THREADS; i++) {
		t[i] = ult_create(st_thread, (void *)(intptr_t)i);
		if (CHECK_FAILED(t[i], "ult_create: %s", strerror(errno)))
			return -1;
	}
	for (i = 0; i < ST_THREADS; i++)
		ult_join(t[i]);
	ult_fini();
	for (i = 0; i < ST_THREADS; i++) {
		if (CHECK_FAILED(st[i].lo && st[i].local >= st[i].lo &&
				 st[i].local < st[i].hi,
				 "thread %d: local %p outside its stack [%p, %p)", i,
				 (void *)st[i].local, (void *)st[i].lo,
				 (void *)st[i].hi))
			return -1;
		if (CHECK_FAILED(&main_local < st[i].lo || &main_local >= st[i].hi,
				 "main's stack inside thread %d's", i))
			return -1;
		for (j = 0; j < i; j++)
			if (CHECK_FAILED(st[i].hi <= st[j].lo || st[j].hi <= st[i].lo,
					 "stacks of threads %d and %d overlap", i, j))
				return -1;
	}
	return 0;
}

static volatile bool ev_finished, ev_after_exit;

static void *ev_slow(void *arg)
{
	int i;

	for (i = 0; i < 3; i++)
		ult_yield();
	ev_finished = true;
	return arg;
}

static void ev_nested(void *arg)
{
	ult_exit(arg);
}

static void *ev_early(void *arg)
{
	ev_nested(arg);
	ev_after_exit = true;
	return NULL;
}

static int test_exit_value(void)
{
	struct ult *slow, *early;
	void *ret;

	if (CHECK_FAILED(ult_init(ULT_SWITCH_ASM) == 0, "errno %d", errno))
		return -1;
	ev_finished = false;
	ev_after_exit = false;
	slow = ult_create(ev_slow, (void *)0x1234);
	early = ult_create(ev_early, (void *)0x5678);
	if (CHECK_FAILED(slow && early, "ult_create: %s", strerror(errno)))
		return -1;
	ret = ult_join(slow);	/* blocks: slow yields three times */
	if (CHECK_FAILED(ev_finished, "join returned before the thread finished"))
		return -1;
	if (CHECK_FAILED(ret == (void *)0x1234, "returned %p", ret))
		return -1;
	ret = ult_join(early);	/* already finished by now */
	if (CHECK_FAILED(ret == (void *)0x5678, "ult_exit value %p", ret))
		return -1;
	if (CHECK_FAILED(!ev_after_exit, "code after ult_exit() ran"))
		return -1;
	ult_fini();
	return 0;
}

#define MANY	1000

static long many_sum;

static void *many_thread(void *arg)
{
	ult_yield();
	many_sum += (long)(intptr_t)arg;
	return arg;
}

static int test_many_threads(void)
{
	static struct ult *t[MANY];
	unsigned long sw;
	long i, rets = 0;

	if (CHECK_FAILED(ult_init(ULT_SWITCH_ASM) == 0, "errno %d", errno))
		return -1;
	many_sum = 0;
	for (i = 0; i < MANY; i++) {
		t[i] = ult_create(many_thread, (void *)(intptr_t)i);
		if (CHECK_FAILED(t[i], "ult_create %ld: %s", i, strerror(errno)))
			return -1;
	}
	for (i = 0; i < MANY; i++)
		rets += (long)(intptr_t)ult_join(t[i]);
	sw = ult_switches();
	ult_fini();
	if (CHECK_FAILED(many_sum == MANY * (MANY - 1) / 2, "sum %ld", many_sum))
		return -1;
	if (CHECK_FAILED(rets == many_sum, "exit values add up to %ld", rets))
		return -1;
	if (CHECK_FAILED(sw >= 2 * MANY, "only %lu switches", sw))
		return -1;
	return 0;
}

/*
 * A sibling's steps while another ULT waits 50 ms for a pipe: none with a
 * plain read() (the whole process sleeps), many with ult_read().
 */
static int read_with_sibling(bool use_ult_read, struct reader *rd)
{
	struct sibling s = { .yield = true };
	struct ult *ts, *tr;
	int pipefd[2];
	pid_t helper;

	helper = start_writer(pipefd, 50, "hello");
	rd->fd = pipefd[0];
	rd->use_ult_read = use_ult_read;
	rd->watch = &s.steps;
	s.deadline = now_ns() + 100 * NSEC_PER_MSEC;
	if (CHECK_FAILED(ult_init(ULT_SWITCH_ASM) == 0, "errno %d", errno))
		return -1;
	ts = ult_create(sibling_run, &s);
	tr = ult_create(reader_run, rd);
	if (CHECK_FAILED(ts && tr, "ult_create: %s", strerror(errno)))
		return -1;
	ult_join(tr);
	ult_join(ts);
	ult_fini();
	close(pipefd[0]);
	wait_child(helper);
	if (CHECK_FAILED(rd->n == 5 && !memcmp(rd->buf, "hello", 5), "read %zd bytes",
			 rd->n))
		return -1;
	printf("# %s: %s, sibling made %ld steps during the read\n", __func__,
	       use_ult_read ? "ult_read()" : "read()", rd->steps_during);
	return 0;
}

static int test_ult_read(void)
{
	struct reader rd = { 0 };
	int pipefd[2], flags;

	if (CHECK_FAILED(read_with_sibling(true, &rd) == 0, "see above"))
		return -1;
	if (CHECK_FAILED(rd.steps_during > 10, "sibling stalled: %ld steps",
			 rd.steps_during))
		return -1;
	/* ult_read() leaves the fd's flags as it found them. */
	if (CHECK_FAILED(pipe(pipefd) == 0, "%s", strerror(errno)))
		return -1;
	if (CHECK_FAILED(write(pipefd[1], "abc", 3) == 3, "%s", strerror(errno)))
		return -1;
	if (CHECK_FAILED(ult_read(pipefd[0], rd.buf, sizeof(rd.buf)) == 3, "short read"))
		return -1;
	flags = fcntl(pipefd[0], F_GETFL);
	close(pipefd[0]);
	close(pipefd[1]);
	if (CHECK_FAILED(!(flags & O_NONBLOCK), "O_NONBLOCK left set"))
		return -1;
	return 0;
}

static int test_read_blocks_all(void)
{
	struct reader rd = { 0 };

	if (CHECK_FAILED(read_with_sibling(false, &rd) == 0, "see above"))
		return -1;
	if (CHECK_FAILED(rd.steps_during == 0, "sibling ran %ld steps during read()",
			 rd.steps_during))
		return -1;
	return 0;
}

/* With every thread waiting, the scheduler sleeps in poll(), not spins. */
static int test_ult_read_idle(void)
{
	struct reader rd = { .use_ult_read = true };
	struct timespec c0, c1;
	int64_t cpu, wall;
	struct ult *tr;
	int pipefd[2];
	pid_t helper;

	helper = start_writer(pipefd, 100, "idle");
	rd.fd = pipefd[0];
	if (CHECK_FAILED(ult_init(ULT_SWITCH_ASM) == 0, "errno %d", errno))
		return -1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	wall = now_ns();
	tr = ult_create(reader_run, &rd);
	if (CHECK_FAILED(tr, "ult_create: %s", strerror(errno)))
		return -1;
	ult_join(tr);
	wall = now_ns() - wall;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	ult_fini();
	close(pipefd[0]);
	wait_child(helper);
	cpu = (c1.tv_sec - c0.tv_sec) * NSEC_PER_SEC +
	      (c1.tv_nsec - c0.tv_nsec);
	if (CHECK_FAILED(rd.n == 4 && !memcmp(rd.buf, "idle", 4), "read %zd bytes",
			 rd.n))
		return -1;
	if (CHECK_FAILED(wall >= 90 * NSEC_PER_MSEC, "returned after %lld ns",
			 (long long)wall))
		return -1;
	if (CHECK_FAILED(cpu < wall / 5, "used %lld ns of CPU in %lld ns",
			 (long long)cpu, (long long)wall))
		return -1;
	return 0;
}

/* Two threads that never yield: only the timer can interleave them. */
static struct {
	int64_t deadline;
	volatile int last;
	volatile long turns, spins[2];
} pr;

static void *pr_thread(void *arg)
{
	int me = (int)(intptr_t)arg;

	while (now_ns() < pr.deadline && pr.turns < 50) {
		if (pr.last != me) {
			pr.last = me;
			pr.turns++;
		}
		pr.spins[me]++;
	}
	return NULL;
}

static int test_preempt(enum ult_switch_kind kind)
{
	struct ult *t[2];
	unsigned long n;
	int i;

	if (CHECK_FAILED(ult_init(kind) == 0, "errno %d", errno))
		return -1;
	memset((void *)&pr, 0, sizeof(pr));
	pr.last = -1;
	pr.deadline = now_ns() + 500 * NSEC_PER_MSEC;
	for (i = 0; i < 2; i++) {
		t[i] = ult_create(pr_thread, (void *)(intptr_t)i);
		if (CHECK_FAILED(t[i], "ult_create: %s", strerror(errno)))
			return -1;
	}
	if (CHECK_FAILED(ult_preempt_start(1000) == 0, "%s", strerror(errno)))
		return -1;
	for (i = 0; i < 2; i++)
		ult_join(t[i]);
	ult_preempt_stop();
	n = ult_preemptions();
	ult_fini();
	printf("# %s: %ld turns, %lu preemptions\n", __func__, pr.turns, n);
	if (CHECK_FAILED(pr.spins[0] && pr.spins[1], "a thread never ran"))
		return -1;
	if (CHECK_FAILED(pr.turns >= 4, "only %ld turns: no interleaving", pr.turns))
		return -1;
	if (CHECK_FAILED(n >= 3, "only %lu preemptions", n))
		return -1;
	return 0;
}

static int test_preempt_asm(void)
{
	return test_preempt(ULT_SWITCH_ASM);
}

static int test_preempt_ucontext(void)
{
	return test_preempt(ULT_SWITCH_UCONTEXT);
}

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{ "ult_round_robin_asm", test_round_robin_asm },
	{ "ult_round_robin_ucontext", test_round_robin_ucontext },
	{ "ult_stacks_distinct", test_stacks_distinct },
	{ "ult_exit_value", test_exit_value },
	{ "ult_many_threads", test_many_threads },
	{ "ult_blocking_read_stalls_all", test_read_blocks_all },
	{ "ult_read_data", test_ult_read },
	{ "ult_read_idle_poll", test_ult_read_idle },
	{ "ult_preempt_interleaves_asm", test_preempt_asm },
	{ "ult_preempt_interleaves_ucontext", test_preempt_ucontext },
};

static int run_selftest(void)
{
	int n = ARRAY_SIZE(tests), i, failed = 0;

	printf("KTAP version 1\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		fflush(stdout);
		if (tests[i].fn()) {
			failed++;
			printf("not ok %d %s\n", i + 1, tests[i].name);
		} else {
			printf("ok %d %s\n", i + 1, tests[i].name);
		}
	}
	printf("# ult selftest: %d passed, %d failed\n", n - failed, failed);
	return failed ? 1 : 0;
}

/* ------------------------------------------------------------------ */

static void watchdog_fire(int sig)
{
	static const char msg[] = "ultbench: watchdog: run took too long\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

/* Nothing may hang: end the run (forked children die with it). */
static void watchdog_start(int seconds)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGUSR1,
	};
	struct itimerspec its = { .it_value = { seconds, 0 } };
	timer_t timer;

	signal(SIGUSR1, watchdog_fire);
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) ||
	    timer_settime(timer, 0, &its, NULL))
		die("watchdog: %s", strerror(errno));
}

static void find_cpus(void)
{
	cpu_set_t set;
	int i, online;

	if (sched_getaffinity(0, sizeof(set), &set))
		die("sched_getaffinity: %s", strerror(errno));
	ncpus = CPU_COUNT(&set);
	cpu_a = -1;
	cpu_b = -1;
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (cpu_a < 0)
			cpu_a = i;
		else if (cpu_b < 0)
			cpu_b = i;
	}
	online = sysconf(_SC_NPROCESSORS_ONLN);
	if (!opt.threads)
		opt.threads = online > 2 ? online : 2;
	if (opt.threads > MAX_THREADS)
		opt.threads = MAX_THREADS;
	printf("INFO cpus_online=%d cpus_allowed=%d cpu_a=%d cpu_b=%d",
	       online, ncpus, cpu_a, cpu_b);
	printf(" samples=%d block_ms=%d block_reps=%d work=%ld par_reps=%d threads=%d\n",
	       opt.samples, opt.block_ms, opt.block_reps, opt.work,
	       opt.par_reps, opt.threads);
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: ultbench [--selftest] [--samples N] [--block-ms MS] [--block-reps N]\n"
		"                [--work ROUNDS] [--par-reps N] [--threads N] [--timeout S]\n");
}

static long arg_num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < min || v > max)
		die("bad number \"%s\" (want %ld..%ld)", s, min, max);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "selftest", no_argument, NULL, 'S' },
		{ "samples", required_argument, NULL, 's' },
		{ "block-ms", required_argument, NULL, 'b' },
		{ "block-reps", required_argument, NULL, 'B' },
		{ "work", required_argument, NULL, 'w' },
		{ "par-reps", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool self = false;
	int o;

	while ((o = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (o) {
		case 'S':
			self = true;
			break;
		case 's':
			opt.samples = arg_num(optarg, 10, 1000000);
			break;
		case 'b':
			opt.block_ms = arg_num(optarg, 10, 10000);
			break;
		case 'B':
			opt.block_reps = arg_num(optarg, 1, 1000);
			break;
		case 'w':
			opt.work = arg_num(optarg, 1000, 1L << 40);
			break;
		case 'p':
			opt.par_reps = arg_num(optarg, 1, 1000);
			break;
		case 't':
			opt.threads = arg_num(optarg, 2, MAX_THREADS);
			break;
		case 'T':
			opt.timeout_s = arg_num(optarg, 1, 86400);
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		print_usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(opt.timeout_s);
	if (self)
		return run_selftest();

	find_cpus();
	if (cpu_b < 0)
		printf("SKIP pingpong_cross_cpu pipe_pingpong_cross_cpu: only 1 CPU allowed\n");
	progress("procedure call");
	call_stats = measure(nop_call, 10000);
	bench_ult(COL_ULT, ULT_SWITCH_ASM);
	bench_ult(COL_UCTX, ULT_SWITCH_UCONTEXT);
	bench_kernel_threads(COL_PTHREAD);
	bench_kernel_threads(COL_PROCESS);
	progress("blocking gap");
	bench_block(ROW_BLOCK, COL_ULT);
	bench_block(ROW_BLOCK_NB, COL_ULT);
	bench_block(ROW_BLOCK, COL_PTHREAD);
	bench_block(ROW_BLOCK, COL_PROCESS);
	progress("parallel speedup");
	bench_parallel(COL_ULT);
	bench_parallel(COL_PTHREAD);

	print_rows();
	print_table();
	print_claims();
	return 0;
}
