// SPDX-License-Identifier: GPL-2.0
/*
 * actbench: seed 001's scheduler-activations example, measured. Three
 * user threads on one virtual processor; one blocks in read() for
 * --block-ms (200); how far do the other two get meanwhile, and how long
 * do they stall? Then --lat short blocks (1 ms each): how long from the
 * read() to another user thread running (the detection latency)?
 *
 * Models, the whole process pinned to one CPU ("one processor"):
 *   M:1         ult_init(): the read blocks the only kernel thread;
 *   M:N+mon     ult_init_mn(1) and Go's monitor (threshold 20 us, sleep
 *               20 us doubling to 10 ms): the VP moves to a spare kernel
 *               thread once the monitor notices;
 *   M:N+act     ult_init_mn(1) and scheduler activations (needs
 *               ktd_activations.ko): the kernel says "blocked" and the
 *               VP moves at once;
 *   1:1         three pthreads: the kernel runs a sibling.
 *
 * Siblings step (a little hashing), note the time, and yield. A step's
 * gap (time since any sibling's previous step) that overlaps the block is
 * a stall; the longest is reported. Latency: the first sibling step after
 * the reader's timestamp just before read().
 *
 * usage: actbench [--reps N] [--lat N] [--block-ms MS] [--model NAME]
 * Prints "ACT model key value" lines, then a table. M:N+act is skipped
 * (SKIP line) when /dev/ktd_activations cannot be opened.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../ktd_activations.h"
#include "common.h"

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define MAX_LAT		4096
#define NSIBS		2

enum model { M_M1, M_MN_MON, M_MN_ACT, M_1TO1, NMODELS };
static const char *const model_name[NMODELS] = {
	"M:1", "M:N+mon", "M:N+act", "1:1",
};

static struct {
	int reps, lat, block_ms;
	int only;		/* a model, or -1 */
} opt = { 3, 100, 200, -1 };

/* One rep's shared state. */
static struct {
	int req[2], data[2];	/* to the writer process; from it */
	int stop;
	int64_t last_step;	/* any sibling's */
	int64_t t_enter, t_ret;	/* the current block; t_ret 0 while blocked */
	long steps_in;		/* sibling steps inside the long block */
	int64_t max_gap;	/* longest stall overlapping the long block */
	bool long_block;
	unsigned int seq, seen;	/* latency: blocks begun, measured */
	int64_t lat[MAX_LAT];
	int nlat;
	bool yield_kernel;	/* 1:1: sched_yield() */
} s;

/* Results over the reps. */
static struct {
	double steps_per_ms_in, max_stall_us;
	int64_t lat[MAX_LAT * 4];
	int nlat;
	long handoffs;
	bool skipped;
	char why[128];
} res[NMODELS];

static void yield_now(void)
{
	if (s.yield_kernel)
		sched_yield();
	else
		ult_yield();
}

static void *sibling(void *arg)
{
	int64_t t, prev, ret;
	unsigned int seq, seen;

	(void)arg;
	while (!LOAD(s.stop)) {
		hash_work(1, 64);
		t = now_ns();
		prev = __atomic_exchange_n(&s.last_step, t, __ATOMIC_ACQ_REL);
		ret = LOAD(s.t_ret);
		if (LOAD(s.long_block) && t > LOAD(s.t_enter) &&
		    (!ret || prev < ret)) {
			if (!ret)
				__atomic_add_fetch(&s.steps_in, 1, __ATOMIC_RELAXED);
			if (prev && t - prev > LOAD(s.max_gap))
				STORE(s.max_gap, t - prev);
		}
		seq = LOAD(s.seq);
		seen = LOAD(s.seen);
		if (seq != seen && t > LOAD(s.t_enter) &&
		    __atomic_compare_exchange_n(&s.seen, &seen, seq, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED) &&
		    s.nlat < MAX_LAT)
			s.lat[s.nlat++] = t - LOAD(s.t_enter);
		yield_now();
	}
	return NULL;
}

/* The writer process: for each request (microseconds), wait, answer. */
static void writer(void)
{
	int us;

	while (read(s.req[0], &us, sizeof(us)) == sizeof(us)) {
		usleep(us);
		if (write(s.data[1], "x", 1) != 1)
			_exit(1);
	}
	_exit(0);
}

/* Block in read() for about @us, bracketed for M:N. */
static void block_once(int us, bool bracket, bool is_long)
{
	char c;
	ssize_t n;

	if (write(s.req[1], &us, sizeof(us)) != sizeof(us))
		die("request: %s", strerror(errno));
	STORE(s.t_ret, 0);
	STORE(s.long_block, is_long);
	STORE(s.t_enter, now_ns());
	STORE(s.seq, s.seq + 1);
	if (bracket)
		ult_syscall_enter();
	n = read(s.data[0], &c, 1);
	if (bracket)
		ult_syscall_exit();
	if (n != 1)
		die("read: %s", strerror(errno));
	STORE(s.t_ret, now_ns());
}

/* Yield until a sibling stepped after the block (bounded). */
static void settle(void)
{
	int64_t end = now_ns() + NSEC_PER_SEC;

	while ((LOAD(s.seen) != LOAD(s.seq) ||
		LOAD(s.last_step) <= LOAD(s.t_ret)) && now_ns() < end)
		yield_now();
}

static void *reader(void *arg)
{
	bool bracket = arg;
	int i;

	for (i = 0; i < 20; i++)
		yield_now();
	block_once(opt.block_ms * 1000, bracket, true);
	settle();
	STORE(s.long_block, false);
	s.nlat = 0;	/* latency from the short blocks only */
	for (i = 0; i < opt.lat; i++) {
		block_once(1000, bracket, false);
		settle();
	}
	STORE(s.stop, 1);
	return NULL;
}

/* One rep of model m; false if the model cannot run here (res says why). */
static bool run_once(enum model m)
{
	struct ult *t[NSIBS + 1];
	pthread_t p[NSIBS + 1];
	struct ult_mn_stats st;
	pid_t child;
	int i;

	memset(&s, 0, sizeof(s));
	if (pipe(s.req) || pipe(s.data))
		die("pipe: %s", strerror(errno));
	child = fork_child();
	if (!child) {
		close(s.req[1]);
		close(s.data[0]);
		writer();
	}
	close(s.req[0]);
	close(s.data[1]);
	if (m == M_1TO1) {
		s.yield_kernel = true;
		for (i = 0; i < NSIBS; i++)
			pthread_create(&p[i], NULL, sibling, NULL);
		pthread_create(&p[NSIBS], NULL, reader, NULL);
		for (i = 0; i <= NSIBS; i++)
			pthread_join(p[i], NULL);
		goto out;
	}
	if (m == M_M1 ? ult_init(ULT_SWITCH_ASM) : ult_init_mn(1))
		die("%s: %s", model_name[m], strerror(errno));
	if (m == M_MN_MON && ult_monitor_start(20, 10000))
		die("ult_monitor_start: %s", strerror(errno));
	if (m == M_MN_ACT && ult_activations_start()) {
		snprintf(res[m].why, sizeof(res[m].why), "%s: %s",
			 KTD_ACT_DEVICE, strerror(errno));
		ult_fini();
		close(s.req[1]);
		close(s.data[0]);
		wait_child(child);
		return false;
	}
	for (i = 0; i < NSIBS; i++)
		t[i] = ult_create_on(0, sibling, NULL);
	t[NSIBS] = ult_create_on(0, reader, (void *)(intptr_t)(m != M_M1));
	for (i = 0; i <= NSIBS; i++)
		if (!t[i])
			die("ult_create_on: %s", strerror(errno));
	for (i = 0; i <= NSIBS; i++)
		ult_join(t[i]);
	ult_mn_stats(&st);
	res[m].handoffs += st.handoffs + st.act_handoffs;
	ult_fini();
out:
	close(s.req[1]);
	close(s.data[0]);
	wait_child(child);
	res[m].steps_per_ms_in += (double)s.steps_in / opt.block_ms / opt.reps;
	if (s.max_gap / 1e3 > res[m].max_stall_us)
		res[m].max_stall_us = s.max_gap / 1e3;
	for (i = 0; i < s.nlat && res[m].nlat < (int)ARRAY_SIZE(res[m].lat); i++)
		res[m].lat[res[m].nlat++] = s.lat[i];
	return true;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct_us(int64_t *v, int n, double p)
{
	if (!n)
		return -1;
	return v[(int)(p * (n - 1) + 0.5)] / 1e3;
}

int main(int argc, char **argv)
{
	cpu_set_t one;
	int i, m, r;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			opt.reps = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--lat") && i + 1 < argc) {
			opt.lat = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--block-ms") && i + 1 < argc) {
			opt.block_ms = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--model") && i + 1 < argc) {
			for (m = 0; m < NMODELS; m++)
				if (!strcmp(argv[i + 1], model_name[m]))
					opt.only = m;
			if (opt.only < 0)
				die("unknown model %s (M:1, M:N+mon, M:N+act, 1:1)",
				    argv[i + 1]);
			i++;
		} else {
			fprintf(stderr, "usage: actbench [--reps N] [--lat N] ");
			fprintf(stderr, "[--block-ms MS] [--model NAME]\n");
			return 2;
		}
	}
	if (opt.reps < 1 || opt.reps > 20 || opt.lat < 0 || opt.lat > MAX_LAT ||
	    opt.block_ms < 1 || opt.block_ms > 10000)
		die("--reps 1..20, --lat 0..%d, --block-ms 1..10000", MAX_LAT);
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(600);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		die("sched_setaffinity: %s", strerror(errno));
	for (m = 0; m < NMODELS; m++) {
		if (opt.only >= 0 && m != opt.only)
			continue;
		for (r = 0; r < opt.reps; r++) {
			if (!run_once(m)) {
				res[m].skipped = true;
				break;
			}
		}
	}
	printf("# seed 001: 3 user threads on one VP (one CPU), one blocks");
	printf(" %d ms in read(); %d reps, %d 1 ms blocks each for latency\n",
	       opt.block_ms, opt.reps, opt.lat);
	for (m = 0; m < NMODELS; m++) {
		if (opt.only >= 0 && m != opt.only)
			continue;
		if (res[m].skipped) {
			printf("ACT %s SKIP %s\n", model_name[m], res[m].why);
			continue;
		}
		qsort(res[m].lat, res[m].nlat, sizeof(res[m].lat[0]), cmp64);
		printf("ACT %s steps_per_ms_block %.2f\n", model_name[m],
		       res[m].steps_per_ms_in);
		printf("ACT %s max_stall_us %.1f\n", model_name[m],
		       res[m].max_stall_us);
		printf("ACT %s lat_p50_us %.1f\n", model_name[m],
		       pct_us(res[m].lat, res[m].nlat, 0.5));
		printf("ACT %s lat_p99_us %.1f\n", model_name[m],
		       pct_us(res[m].lat, res[m].nlat, 0.99));
		printf("ACT %s lat_samples %d\n", model_name[m], res[m].nlat);
		printf("ACT %s handoffs %ld\n", model_name[m], res[m].handoffs);
	}
	return 0;
}
