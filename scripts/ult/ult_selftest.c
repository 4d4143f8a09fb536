// SPDX-License-Identifier: GPL-2.0
/*
 * ult-selftest: the ult library's self-test. KTAP on stdout (the kernel's
 * kunit.py parses it), exit status 1 if a case failed.
 *
 * Each case runs in a child process of its own, so it starts from a fresh
 * library whatever an earlier case left behind, and under a watchdog: a
 * case that hangs or crashes is reported as failed and the rest still run.
 * This file has the many-to-one cases and the runner; selftest_mn.c the
 * cases of the M:N runtime, bound threads, mutexes and condition
 * variables, and blocking system calls on M:N.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "selftest.h"

/*
 * Per case. The slowest takes about 1 s; the M:N ones wait for events
 * for at most MN_WAIT_MS, but with both CPUs busy their kernel threads
 * can wait long for a CPU.
 */
#define CASE_TIMEOUT_S	10

bool check_report(const char *func, const char *cond, const char *fmt, ...)
{
	va_list ap;

	printf("# %s: %s: ", func, cond);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return true;
}

/* Why a case skipped: written by the case's child, read by the parent. */
static char *skip_why;
#define SKIP_WHY_LEN	200

int test_skip(const char *fmt, ...)
{
	va_list ap;

	if (skip_why) {
		va_start(ap, fmt);
		vsnprintf(skip_why, SKIP_WHY_LEN, fmt, ap);
		va_end(ap);
	}
	return TEST_SKIP;
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

/* With every thread waiting, the scheduler sleeps in epoll_wait(), not spins. */
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

/*
 * A pipe from pipe(), or a FIFO opened by name: that one has no
 * RWF_NOWAIT, so ult_read() takes its poll()-then-read() path on it.
 */
static int open_pipe(int pipefd[2], bool fifo)
{
	char dir[] = "/tmp/ult-selftest-XXXXXX", path[sizeof(dir) + 8];
	int err = -1;

	if (!fifo)
		return pipe(pipefd);
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (!mkfifo(path, 0600)) {
		/* O_NONBLOCK: do not wait for a writer; it is cleared below */
		pipefd[0] = open(path, O_RDONLY | O_NONBLOCK);
		pipefd[1] = pipefd[0] < 0 ? -1 : open(path, O_WRONLY);
		if (pipefd[1] >= 0 && !fcntl(pipefd[0], F_SETFL, O_RDONLY))
			err = 0;
		unlink(path);
	}
	rmdir(dir);
	return err;
}

/*
 * ult_read() leaves the open file description's flags alone: O_NONBLOCK
 * there is seen by every fd and process sharing it, so it is checked
 * through a dup(), while the reader waits and after it got its data,
 * starting from a blocking and from a non-blocking file.
 */
static int read_keeps_flags(bool fifo, int nonblock)
{
	struct reader rd = { 0 };
	int pipefd[2], dupfd, before, during, after;
	struct ult *tr;

	if (CHECK_FAILED(open_pipe(pipefd, fifo) == 0, "%s", strerror(errno)))
		return -1;
	dupfd = dup(pipefd[0]);
	if (CHECK_FAILED(dupfd >= 0, "dup: %s", strerror(errno)))
		return -1;
	before = fcntl(dupfd, F_GETFL);
	if (CHECK_FAILED(fcntl(dupfd, F_SETFL, before | nonblock) == 0, "%s",
			 strerror(errno)))
		return -1;
	before = fcntl(dupfd, F_GETFL);
	rd.fd = pipefd[0];
	rd.use_ult_read = true;
	if (CHECK_FAILED(ult_init(ULT_SWITCH_ASM) == 0, "errno %d", errno))
		return -1;
	tr = ult_create(reader_run, &rd);
	if (CHECK_FAILED(tr, "ult_create: %s", strerror(errno)))
		return -1;
	ult_yield();	/* the reader finds the pipe empty and waits */
	during = fcntl(dupfd, F_GETFL);
	if (CHECK_FAILED(write(pipefd[1], "abc", 3) == 3, "%s", strerror(errno)))
		return -1;
	ult_join(tr);
	ult_fini();
	after = fcntl(dupfd, F_GETFL);
	close(dupfd);
	close(pipefd[0]);
	close(pipefd[1]);
	if (CHECK_FAILED(rd.n == 3 && !memcmp(rd.buf, "abc", 3), "read %zd bytes",
			 rd.n))
		return -1;
	if (CHECK_FAILED(during == before,
			 "%s: flags %#x while the reader waited, were %#x",
			 fifo ? "FIFO" : "pipe", during, before))
		return -1;
	if (CHECK_FAILED(after == before, "%s: flags %#x after the read, were %#x",
			 fifo ? "FIFO" : "pipe", after, before))
		return -1;
	return 0;
}

static int test_ult_read_keeps_flags(void)
{
	int fifo;

	for (fifo = 0; fifo < 2; fifo++) {
		if (read_keeps_flags(fifo, 0) || read_keeps_flags(fifo, O_NONBLOCK))
			return -1;
	}
	return 0;
}

/*
 * Two threads wait in ult_read() on one fd and one byte comes: both are
 * woken, one reads it, the other must find nothing and wait again, not
 * block the process in read(): the main thread still runs.
 */
static int read_one_byte_two_readers(bool fifo)
{
	struct reader rd[2] = { 0 };
	struct ult *t[2];
	int pipefd[2], i, spins, done;

	if (CHECK_FAILED(open_pipe(pipefd, fifo) == 0, "%s", strerror(errno)))
		return -1;
	if (CHECK_FAILED(ult_init(ULT_SWITCH_ASM) == 0, "errno %d", errno))
		return -1;
	for (i = 0; i < 2; i++) {
		rd[i].fd = pipefd[0];
		rd[i].use_ult_read = true;
		rd[i].n = -2;	/* not returned yet */
		t[i] = ult_create(reader_run, &rd[i]);
		if (CHECK_FAILED(t[i], "ult_create: %s", strerror(errno)))
			return -1;
	}
	ult_yield();	/* both wait */
	if (CHECK_FAILED(write(pipefd[1], "1", 1) == 1, "%s", strerror(errno)))
		return -1;
	for (spins = 0; spins < 1000 && rd[0].n == -2 && rd[1].n == -2; spins++)
		ult_yield();
	done = (rd[0].n != -2) + (rd[1].n != -2);
	if (CHECK_FAILED(write(pipefd[1], "2", 1) == 1, "%s", strerror(errno)))
		return -1;
	ult_join(t[0]);
	ult_join(t[1]);
	ult_fini();
	close(pipefd[0]);
	close(pipefd[1]);
	if (CHECK_FAILED(done == 1, "%s: %d readers returned after one byte",
			 fifo ? "FIFO" : "pipe", done))
		return -1;
	if (CHECK_FAILED(rd[0].n == 1 && rd[1].n == 1, "%s: read %zd and %zd bytes",
			 fifo ? "FIFO" : "pipe", rd[0].n, rd[1].n))
		return -1;
	return 0;
}

static int test_ult_read_shared_fd(void)
{
	if (read_one_byte_two_readers(false))
		return -1;
	return read_one_byte_two_readers(true);
}

/*
 * A fork()ed child must not share the parent's epoll set: with the thread
 * waiting on a pipe in both, the child's copy reads a byte first, and the
 * parent's thread must still wake for the next one. (Sharing the set, the
 * child would take the pipe out of it for both.)
 */
static int test_ult_read_after_fork(void)
{
	struct reader rd = { .use_ult_read = true };
	int pipefd[2], status;
	struct ult *tr;
	pid_t pid;

	if (CHECK_FAILED(pipe(pipefd) == 0, "%s", strerror(errno)))
		return -1;
	rd.fd = pipefd[0];
	if (CHECK_FAILED(ult_init(ULT_SWITCH_ASM) == 0, "errno %d", errno))
		return -1;
	tr = ult_create(reader_run, &rd);
	if (CHECK_FAILED(tr, "ult_create: %s", strerror(errno)))
		return -1;
	ult_yield();	/* the reader waits */
	fflush(stdout);
	pid = fork_child();
	if (!pid) {
		if (write(pipefd[1], "c", 1) != 1)
			_exit(1);
		ult_join(tr);
		_exit(rd.n == 1 && rd.buf[0] == 'c' ? 0 : 1);
	}
	status = wait_child(pid);
	if (CHECK_FAILED(write(pipefd[1], "p", 1) == 1, "%s", strerror(errno)))
		return -1;
	ult_join(tr);
	ult_fini();
	close(pipefd[0]);
	close(pipefd[1]);
	if (CHECK_FAILED(!status, "the child's reader failed: status %d", status))
		return -1;
	if (CHECK_FAILED(rd.n == 1 && rd.buf[0] == 'p', "read %zd bytes", rd.n))
		return -1;
	return 0;
}

/*
 * OW_THREADS threads wait in ult_read(), each on its own pipe; only the
 * pipe of the one that started waiting first gets data. It must run
 * within OW_WAKE_MS. Should it not, a watchdog (SIGALRM after
 * OW_WATCHDOG_S) writes to every pipe, so the test ends either way.
 */
#define OW_THREADS	200
#define OW_WAKE_MS	1000
#define OW_WATCHDOG_S	3

static struct {
	int rfd[OW_THREADS], wfd[OW_THREADS];
	int waiting;
	int64_t woke;			/* when thread 0's read returned */
	volatile sig_atomic_t fed_all;
} ow;

static void *ow_thread(void *arg)
{
	int i = (int)(intptr_t)arg;
	ssize_t n;
	char c;

	ow.waiting++;
	n = ult_read(ow.rfd[i], &c, 1);
	if (!i)
		ow.woke = now_ns();
	return (void *)(intptr_t)n;
}

static void ow_feed_all(int sig)
{
	int i;

	(void)sig;
	ow.fed_all = 1;
	for (i = 0; i < OW_THREADS; i++)
		if (write(ow.wfd[i], "w", 1) < 0)
			break;
}

static int test_ult_read_oldest_wakes(void)
{
	struct sigaction sa = { .sa_handler = ow_feed_all }, old;
	static struct ult *t[OW_THREADS];
	int64_t fed;
	long ret;
	int i, p[2];

	memset(&ow, 0, sizeof(ow));
	for (i = 0; i < OW_THREADS; i++) {
		if (CHECK_FAILED(pipe(p) == 0, "pipe %d: %s", i, strerror(errno)))
			return -1;
		ow.rfd[i] = p[0];
		ow.wfd[i] = p[1];
	}
	if (CHECK_FAILED(ult_init(ULT_SWITCH_ASM) == 0, "errno %d", errno))
		return -1;
	for (i = 0; i < OW_THREADS; i++) {
		t[i] = ult_create(ow_thread, (void *)(intptr_t)i);
		if (CHECK_FAILED(t[i], "ult_create %d: %s", i, strerror(errno)))
			return -1;
	}
	ult_yield();	/* each thread runs once and waits, 0 first */
	if (CHECK_FAILED(ow.waiting == OW_THREADS, "%d threads waiting", ow.waiting))
		return -1;
	sigaction(SIGALRM, &sa, &old);
	alarm(OW_WATCHDOG_S);
	fed = now_ns();
	if (CHECK_FAILED(write(ow.wfd[0], "a", 1) == 1, "%s", strerror(errno)))
		return -1;
	ret = (long)(intptr_t)ult_join(t[0]);
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	for (i = 1; i < OW_THREADS; i++) {
		if (!ow.fed_all && write(ow.wfd[i], "x", 1) != 1)
			return -1;
		ult_join(t[i]);
	}
	ult_fini();
	for (i = 0; i < OW_THREADS; i++) {
		close(ow.rfd[i]);
		close(ow.wfd[i]);
	}
	if (CHECK_FAILED(ret == 1, "thread 0 read %ld bytes", ret))
		return -1;
	if (CHECK_FAILED(!ow.fed_all && ow.woke - fed < OW_WAKE_MS * NSEC_PER_MSEC,
			 "thread 0 ran %lld ms after its pipe became readable%s",
			 (long long)(ow.woke - fed) / NSEC_PER_MSEC,
			 ow.fed_all ? ", only once the watchdog fed every pipe" : ""))
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
	{ "ult_read_keeps_file_flags", test_ult_read_keeps_flags },
	{ "ult_read_one_byte_two_readers", test_ult_read_shared_fd },
	{ "ult_read_after_fork", test_ult_read_after_fork },
	{ "ult_read_wakes_oldest_of_200", test_ult_read_oldest_wakes },
	{ "ult_preempt_interleaves_asm", test_preempt_asm },
	{ "ult_preempt_interleaves_ucontext", test_preempt_ucontext },
	{ "ult_mn_init_nvp", test_mn_init },
	{ "ult_mn_create_join_1000", test_mn_create_join },
	{ "ult_mn_thread_changes_vp", test_mn_migration },
	{ "ult_mn_runs_in_parallel", test_mn_parallel },
	{ "ult_mn_fini_returns_home", test_mn_fini_home },
	{ "ult_bound_blocks_only_itself", test_bound_blocks_alone },
	{ "ult_bound_join_both_ways", test_bound_join },
	{ "ult_mutex_contended", test_mutex_contended },
	{ "ult_cond_producer_consumer", test_cond_producer_consumer },
	{ "ult_cond_signal_one_broadcast_all", test_cond_broadcast },
	{ "ult_mn_blocked_vp_stalls_its_queue", test_mn_blocked_vp_stalls },
	{ "ult_mn_idle_vp_steals_from_blocked", test_mn_idle_vp_steals },
	{ "ult_monitor_hands_off_blocked_vp", test_monitor_handoff },
	{ "ult_monitor_32_blocked_readers", test_monitor_many_readers },
	{ "ult_syscall_exit_keeps_errno", test_syscall_exit_keeps_errno },
	{ "ult_activations_hand_off_blocked_vp", test_activations_handoff },
	{ "ult_activations_32_blocked_readers", test_activations_many_readers },
	{ "ult_mn_netpoll_500_readers", test_netpoll_many_readers },
	{ "bench_rules_table_well_formed", test_rules_table },
	{ "bench_rules_every_verdict", test_rules_verdicts },
	{ "bench_rules_seed002_tie", test_rules_tie },
};

/*
 * Run one case in a child process: 0 if it passed, TEST_SKIP if it
 * skipped (skip_why says why), else it failed.
 */
static int run_case(const char *name, int (*fn)(void))
{
	pid_t pid;
	int status;

	fflush(stdout);
	skip_why[0] = 0;
	pid = fork_child();
	if (!pid) {
		watchdog_start(CASE_TIMEOUT_S);
		status = fn();
		status = status == TEST_SKIP ? TEST_SKIP : status ? 1 : 0;
		fflush(stdout);
		_exit(status);
	}
	status = wait_child(pid);
	if (status == 3)
		printf("# %s: no result within %d s (watchdog)\n", name,
		       CASE_TIMEOUT_S);
	else if (status == 128)
		printf("# %s: killed by a signal\n", name);
	return status;
}

/*
 * ult-selftest [NAME]: every case, or those whose name contains NAME
 * (under ThreadSanitizer, say, only "_mn_", whose runtime it is told of).
 */
int main(int argc, char **argv)
{
	int n = 0, i, k = 0, failed = 0, skipped = 0, rc;
	const char *only = argc > 1 ? argv[1] : "";

	if (argc > 2 || (argc > 1 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: ult-selftest [NAME]\n");
		return 2;
	}
	for (i = 0; i < (int)ARRAY_SIZE(tests); i++)
		n += !!strstr(tests[i].name, only);
	setvbuf(stdout, NULL, _IOLBF, 0);
	skip_why = mmap(NULL, SKIP_WHY_LEN, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (skip_why == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	printf("KTAP version 1\n1..%d\n", n);
	for (i = 0; i < (int)ARRAY_SIZE(tests); i++) {
		if (!strstr(tests[i].name, only))
			continue;
		k++;
		rc = run_case(tests[i].name, tests[i].fn);
		if (!rc) {
			printf("ok %d %s\n", k, tests[i].name);
		} else if (rc == TEST_SKIP) {
			printf("ok %d %s # SKIP %s\n", k, tests[i].name,
			       skip_why);
			skipped++;
		} else {
			failed++;
			printf("not ok %d %s\n", k, tests[i].name);
		}
	}
	printf("# ult selftest: %d passed, %d failed, %d skipped\n",
	       n - failed - skipped, failed, skipped);
	return failed ? 1 : 0;
}
