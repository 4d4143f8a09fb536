// SPDX-License-Identifier: GPL-2.0
/*
 * ult-selftest's cases for the M:N runtime (ult_mn.c): init, create and
 * join, migration between VPs, parallelism, main's way home at fini.
 * The runner and the many-to-one cases are in ult_selftest.c.
 *
 * Timing is never asserted. A case that waits for an event (a thread
 * moving to another VP, two running at once) waits for at most
 * MN_WAIT_MS and fails if it did not happen; with both CPUs busy the
 * kernel can keep a VP's kernel thread off the CPU for a while.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../ktd_activations.h"
#include "common.h"
#include "selftest.h"

#define MN_VPS		2	/* the cases' VPs: enough to steal and move */

/* Flags and counters threads on other kernel threads read. */
#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

static int64_t mn_deadline(void)
{
	return now_ns() + MN_WAIT_MS * NSEC_PER_MSEC;
}

static void *mn_nop(void *arg)
{
	return arg;
}

/* nvp defaults to the online CPUs; the modes exclude each other. */
int test_mn_init(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	int nvp;

	if (online > ULT_MAX_VPS)
		online = ULT_MAX_VPS;
	if (CHECK_FAILED(!ult_create_bound(mn_nop, NULL) && errno == EINVAL,
			 "ult_create_bound() worked without M:N"))
		return -1;
	if (CHECK_FAILED(ult_init_mn(ULT_MAX_VPS + 1) == -1 && errno == EINVAL,
			 "%d VPs accepted", ULT_MAX_VPS + 1))
		return -1;
	if (CHECK_FAILED(ult_init_mn(0) == 0, "%s", strerror(errno)))
		return -1;
	nvp = ult_nvp();
	if (CHECK_FAILED(ult_init(ULT_SWITCH_ASM) == -1 && errno == EBUSY,
			 "ult_init() while M:N runs"))
		return -1;
	if (CHECK_FAILED(ult_preempt_start(1000) == -1 && errno == EINVAL,
			 "ult_preempt_start() in M:N"))
		return -1;
	if (CHECK_FAILED(ult_vp_id() == 0, "main starts on VP %d", ult_vp_id()))
		return -1;
	if (CHECK_FAILED(!ult_create_on(nvp, mn_nop, NULL) &&
			 errno == EINVAL, "ult_create_on(%d) worked", nvp))
		return -1;
	ult_fini();
	if (CHECK_FAILED(nvp == online, "%d VPs by default, %ld CPUs online",
			 nvp, online))
		return -1;
	/* M:1 after M:N */
	if (CHECK_FAILED(ult_init(ULT_SWITCH_ASM) == 0, "%s", strerror(errno)))
		return -1;
	if (CHECK_FAILED(ult_nvp() == 1 && ult_vp_id() == 0, "M:1: %d VPs, on %d",
			 ult_nvp(), ult_vp_id()))
		return -1;
	ult_fini();
	return 0;
}

#define CJ_THREADS	1000

static long cj_sum;

static void *cj_thread(void *arg)
{
	ult_yield();
	__atomic_fetch_add(&cj_sum, (long)(intptr_t)arg, __ATOMIC_RELAXED);
	return arg;
}

/* Many threads made, run (some by the other VP) and joined, twice over. */
int test_mn_create_join(void)
{
	static struct ult *t[CJ_THREADS];
	struct ult_mn_stats st;
	long i, rets;
	int round;

	for (round = 0; round < 2; round++) {
		if (CHECK_FAILED(ult_init_mn(MN_VPS) == 0, "%s", strerror(errno)))
			return -1;
		cj_sum = 0;
		rets = 0;
		for (i = 0; i < CJ_THREADS; i++) {
			t[i] = ult_create(cj_thread, (void *)(intptr_t)i);
			if (CHECK_FAILED(t[i], "ult_create %ld: %s", i,
					 strerror(errno)))
				return -1;
		}
		for (i = 0; i < CJ_THREADS; i++)
			rets += (long)(intptr_t)ult_join(t[i]);
		ult_mn_stats(&st);
		printf("# %s: round %d: %lu switches, %lu threads stolen\n",
		       __func__, round, ult_switches(), st.steals);
		if (CHECK_FAILED(ult_switches() >= CJ_THREADS, "only %lu switches",
				 ult_switches()))
			return -1;
		ult_fini();
		if (CHECK_FAILED(cj_sum == CJ_THREADS * (CJ_THREADS - 1) / 2,
				 "sum %ld", cj_sum))
			return -1;
		if (CHECK_FAILED(rets == cj_sum, "exit values add up to %ld", rets))
			return -1;
	}
	return 0;
}

/*
 * Migration: MG_THREADS threads, all queued on VP 0, yield in a loop for
 * different numbers of rounds. VP 1 steals half of VP 0's queue at once;
 * as the threads of one VP finish, it runs dry and steals from the other,
 * taking threads that already ran there. Each thread notes the VP it
 * first ran on and whether it ever ran on another; the run is repeated
 * until one did.
 */
#define MG_THREADS	16
#define MG_ROUNDS	200

static struct {
	int first[MG_THREADS];
	bool moved[MG_THREADS];
	int bad_vp;
} mg;

static void *mg_thread(void *arg)
{
	int i = (int)(intptr_t)arg, n, vp;
	uint64_t x = i;

	mg.first[i] = ult_vp_id();
	for (n = 0; n < MG_ROUNDS * (1 + i % 4); n++) {
		x = hash_work(x, 1000);
		ult_yield();
		vp = ult_vp_id();
		if (vp < 0 || vp >= MN_VPS)
			STORE(mg.bad_vp, vp);
		if (vp != mg.first[i])
			mg.moved[i] = true;
	}
	return (void *)(uintptr_t)x;
}

int test_mn_migration(void)
{
	int64_t deadline = mn_deadline();
	struct ult *t[MG_THREADS];
	struct ult_mn_stats st;
	int i, moved = 0, runs = 0;

	while (!moved && now_ns() < deadline) {
		memset(&mg, 0, sizeof(mg));
		if (CHECK_FAILED(ult_init_mn(MN_VPS) == 0, "%s", strerror(errno)))
			return -1;
		for (i = 0; i < MG_THREADS; i++) {
			t[i] = ult_create_on(0, mg_thread, (void *)(intptr_t)i);
			if (CHECK_FAILED(t[i], "ult_create_on: %s", strerror(errno)))
				return -1;
		}
		for (i = 0; i < MG_THREADS; i++)
			ult_join(t[i]);
		ult_mn_stats(&st);
		ult_fini();
		runs++;
		if (CHECK_FAILED(!mg.bad_vp, "ult_vp_id() returned %d", mg.bad_vp))
			return -1;
		for (i = 0; i < MG_THREADS; i++)
			moved += mg.moved[i];
	}
	printf("# %s: run %d: %d of %d threads changed VP, %lu steals\n",
	       __func__, runs, moved, MG_THREADS, st.steals);
	if (CHECK_FAILED(moved, "no thread changed VP in %d runs", runs))
		return -1;
	return 0;
}

/*
 * Two threads that never yield, each waiting to see the other running:
 * only two kernel threads running at once can satisfy both (on M:1 each
 * would wait for the whole MN_WAIT_MS).
 */
static struct {
	int running[2];
	bool saw[2];
	int64_t deadline;
} par;

static void *par_thread(void *arg)
{
	int me = (int)(intptr_t)arg;

	STORE(par.running[me], 1);
	while (!LOAD(par.running[!me]) && now_ns() < par.deadline)
		;
	par.saw[me] = LOAD(par.running[!me]);
	return NULL;
}

int test_mn_parallel(void)
{
	struct ult *t[2];
	int i;

	memset(&par, 0, sizeof(par));
	par.deadline = mn_deadline();
	if (CHECK_FAILED(ult_init_mn(MN_VPS) == 0, "%s", strerror(errno)))
		return -1;
	for (i = 0; i < 2; i++) {
		t[i] = ult_create(par_thread, (void *)(intptr_t)i);
		if (CHECK_FAILED(t[i], "ult_create: %s", strerror(errno)))
			return -1;
	}
	for (i = 0; i < 2; i++)
		ult_join(t[i]);
	ult_fini();
	if (CHECK_FAILED(par.saw[0] && par.saw[1],
			 "the threads never ran at the same time (%d, %d)",
			 par.saw[0], par.saw[1]))
		return -1;
	return 0;
}

/*
 * main migrates too. It queues a thread on its own VP and yields to it:
 * that thread spins (until main has moved, or 5 ms) while main waits on
 * the VP's queue, where the idle VP steals it. Once main has run on
 * another kernel thread, ult_fini() must still return on the one that
 * called ult_init_mn(), the process's first (tid == pid).
 */
static bool fh_moved;

static void *fh_spin(void *arg)
{
	int64_t until = now_ns() + 5 * NSEC_PER_MSEC;

	while (!LOAD(fh_moved) && now_ns() < until)
		;
	return arg;
}

int test_mn_fini_home(void)
{
	int64_t deadline = mn_deadline();
	int tries = 0, away_vp = -1;
	pid_t away = 0;
	struct ult *t;

	if (CHECK_FAILED(gettid() == getpid(), "not the first thread"))
		return -1;
	if (CHECK_FAILED(ult_init_mn(MN_VPS) == 0, "%s", strerror(errno)))
		return -1;
	while (!away && now_ns() < deadline) {
		t = ult_create_on(ult_vp_id(), fh_spin, NULL);
		if (CHECK_FAILED(t, "ult_create_on: %s", strerror(errno)))
			return -1;
		ult_yield();
		if (gettid() != getpid()) {
			away = gettid();
			away_vp = ult_vp_id();
			STORE(fh_moved, true);
		}
		ult_join(t);
		tries++;
	}
	ult_fini();
	printf("# %s: main ran on thread %d (VP %d) after %d tries\n", __func__,
	       away, away_vp, tries);
	if (CHECK_FAILED(away, "main never left its kernel thread (%d tries)",
			 tries))
		return -1;
	if (CHECK_FAILED(gettid() == getpid(), "ult_fini() returned on thread %d",
			 gettid()))
		return -1;
	return 0;
}

/* A kernel thread's state letter (R, S, D...), from /proc; '?' if gone. */
static char task_state(pid_t tid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/*
 * A bound thread has a kernel thread of its own: it is not on any VP,
 * and a read() that blocks it blocks nothing else, even with one VP.
 * main writes the data only once the reader's kernel thread is asleep
 * (in read()) and the unbound sibling has made steps since.
 */
static struct {
	pid_t tid;
	int vp;
	struct ult *self;
} bd;

static void *bd_reader(void *arg)
{
	bd.vp = ult_vp_id();
	bd.self = ult_self();
	STORE(bd.tid, gettid());
	return reader_run(arg);
}

#define BD_STEPS	10	/* sibling steps required while it sleeps */

int test_bound_blocks_alone(void)
{
	struct sibling s = { .yield = true };
	struct reader rd = { 0 };
	int64_t deadline = mn_deadline();
	struct ult *tb, *ts;
	long steps = -1;
	int pipefd[2];
	char state = '?';

	if (CHECK_FAILED(pipe(pipefd) == 0, "%s", strerror(errno)))
		return -1;
	rd.fd = pipefd[0];
	s.deadline = deadline;
	if (CHECK_FAILED(ult_init_mn(1) == 0, "%s", strerror(errno)))
		return -1;
	ts = ult_create(sibling_run, &s);
	tb = ult_create_bound(bd_reader, &rd);
	if (CHECK_FAILED(ts && tb, "create: %s", strerror(errno)))
		return -1;
	while (now_ns() < deadline &&
	       (!LOAD(bd.tid) || task_state(bd.tid) != 'S'))
		ult_yield();
	if (LOAD(bd.tid)) {
		steps = LOAD(s.steps);
		while (now_ns() < deadline && LOAD(s.steps) < steps + BD_STEPS)
			ult_yield();
		steps = LOAD(s.steps) - steps;
		state = task_state(bd.tid);	/* still asleep? */
	}
	if (CHECK_FAILED(write(pipefd[1], "bound", 5) == 5, "%s", strerror(errno)))
		return -1;
	ult_join(tb);
	STORE(s.deadline, 0);
	ult_join(ts);
	ult_fini();
	close(pipefd[0]);
	close(pipefd[1]);
	printf("# %s: sibling made %ld steps while the bound reader slept\n",
	       __func__, steps);
	if (CHECK_FAILED(rd.n == 5 && !memcmp(rd.buf, "bound", 5), "read %zd bytes",
			 rd.n))
		return -1;
	if (CHECK_FAILED(bd.self == tb, "ult_self() %p, not %p", (void *)bd.self,
			 (void *)tb))
		return -1;
	if (CHECK_FAILED(bd.vp == -1, "a bound thread on VP %d", bd.vp))
		return -1;
	if (CHECK_FAILED(bd.tid && bd.tid != getpid(), "ran on thread %d",
			 bd.tid))
		return -1;
	if (CHECK_FAILED(steps >= BD_STEPS && state == 'S',
			 "sibling made %ld steps, reader state %c", steps, state))
		return -1;
	return 0;
}

/*
 * Joins across the two kinds, both ways: main (unbound) joins bound B1,
 * which makes and joins unbound U and bound B2; U joins a bound B3 it
 * makes. Each hands back what it was given, plus one per level.
 */
static void *bj_leaf(void *arg)
{
	ult_yield();
	return (void *)((intptr_t)arg + 1);
}

static void *bj_unbound(void *arg)
{
	struct ult *b3 = ult_create_bound(bj_leaf, arg);

	if (!b3)
		return (void *)-1L;
	return (void *)((intptr_t)ult_join(b3) + 1);
}

static void *bj_bound(void *arg)
{
	struct ult *u = ult_create(bj_unbound, arg);
	struct ult *b2 = ult_create_bound(bj_leaf, arg);
	intptr_t sum;

	if (!u || !b2)
		return (void *)-1L;
	sum = (intptr_t)ult_join(u) + (intptr_t)ult_join(b2);
	return (void *)(sum + 1);
}

#define BJ_ROUNDS	20

int test_bound_join(void)
{
	struct ult_mn_stats st;
	struct ult *b1;
	intptr_t ret;
	int i;

	if (CHECK_FAILED(ult_init_mn(MN_VPS) == 0, "%s", strerror(errno)))
		return -1;
	for (i = 0; i < BJ_ROUNDS; i++) {
		b1 = ult_create_bound(bj_bound, (void *)(intptr_t)(100 * i));
		if (CHECK_FAILED(b1, "ult_create_bound: %s", strerror(errno)))
			return -1;
		ret = (intptr_t)ult_join(b1);
		/* U: (x + 1) + 1, B2: x + 1, B1: their sum + 1 */
		if (CHECK_FAILED(ret == 2 * (100 * i) + 4, "round %d: %ld", i,
				 (long)ret))
			return -1;
	}
	ult_mn_stats(&st);
	ult_fini();
	/* 2 VPs, and 3 bound threads a round */
	if (CHECK_FAILED(st.kthreads == MN_VPS + 3 * BJ_ROUNDS,
			 "%d kernel threads made", st.kthreads))
		return -1;
	return 0;
}

/*
 * Mutex under contention: MX_THREADS threads (in M:N, two of them bound)
 * add 1 to a counter MX_ITERS times each, reading it, sometimes yielding,
 * then writing it back inside the lock, so a waiter finds it held. No
 * update may be lost, no two threads may be inside at once, and some
 * waiters must have parked.
 */
#define MX_THREADS	8
#define MX_ITERS	2000

static struct {
	struct ult_mutex m;
	long counter, contended;
	int inside;
	bool overlap;
} mx;

static void *mx_thread(void *arg)
{
	long v;
	int i;

	(void)arg;
	for (i = 0; i < MX_ITERS; i++) {
		if (!ult_mutex_trylock(&mx.m)) {
			__atomic_fetch_add(&mx.contended, 1, __ATOMIC_RELAXED);
			ult_mutex_lock(&mx.m);
		}
		if (mx.inside++)
			mx.overlap = true;
		v = mx.counter;
		if (i % 8 == 0)
			ult_yield();
		mx.counter = v + 1;
		mx.inside--;
		ult_mutex_unlock(&mx.m);
	}
	return NULL;
}

static int mutex_contended(bool mn)
{
	struct ult *t[MX_THREADS];
	struct ult_mn_stats st;
	int i;

	memset(&mx, 0, sizeof(mx));
	ult_mutex_init(&mx.m);
	if (CHECK_FAILED((mn ? ult_init_mn(MN_VPS) : ult_init(ULT_SWITCH_ASM)) == 0,
			 "%s", strerror(errno)))
		return -1;
	for (i = 0; i < MX_THREADS; i++) {
		t[i] = mn && i < 2 ? ult_create_bound(mx_thread, NULL) :
				     ult_create(mx_thread, NULL);
		if (CHECK_FAILED(t[i], "create: %s", strerror(errno)))
			return -1;
	}
	for (i = 0; i < MX_THREADS; i++)
		ult_join(t[i]);
	ult_mn_stats(&st);
	ult_fini();
	printf("# %s: %s: %ld of %d lockings found it held, %lu parked\n",
	       __func__, mn ? "M:N" : "M:1", mx.contended,
	       MX_THREADS * MX_ITERS, st.parks);
	if (CHECK_FAILED(mx.counter == MX_THREADS * MX_ITERS, "counter %ld",
			 mx.counter))
		return -1;
	if (CHECK_FAILED(!mx.overlap, "two threads held the mutex at once"))
		return -1;
	if (CHECK_FAILED(mx.contended, "never contended"))
		return -1;
	if (CHECK_FAILED(!mn || st.parks, "no waiter parked"))
		return -1;
	return 0;
}

int test_mutex_contended(void)
{
	return mutex_contended(false) || mutex_contended(true) ? -1 : 0;
}

/*
 * Condition variables: producers and consumers through a 4-slot buffer,
 * so both sides wait often (in M:N one of each is bound). Every item must
 * arrive once; the last one taken broadcasts so idle consumers leave.
 */
#define PC_SLOTS	4
#define PC_PRODUCERS	3
#define PC_CONSUMERS	3
#define PC_ITEMS	3000	/* per producer */
#define PC_TOTAL	(PC_PRODUCERS * PC_ITEMS)

static struct {
	struct ult_mutex m;
	struct ult_cond not_full, not_empty;
	long buf[PC_SLOTS];
	int head, count;
	long taken, sum, waits;
} pc;

static void *pc_producer(void *arg)
{
	long base = (long)(intptr_t)arg * PC_ITEMS, k;

	for (k = 0; k < PC_ITEMS; k++) {
		ult_mutex_lock(&pc.m);
		while (pc.count == PC_SLOTS) {
			pc.waits++;
			ult_cond_wait(&pc.not_full, &pc.m);
		}
		pc.buf[(pc.head + pc.count++) % PC_SLOTS] = base + k;
		ult_cond_signal(&pc.not_empty);
		ult_mutex_unlock(&pc.m);
	}
	return NULL;
}

static void *pc_consumer(void *arg)
{
	(void)arg;
	ult_mutex_lock(&pc.m);
	for (;;) {
		while (!pc.count && pc.taken < PC_TOTAL) {
			pc.waits++;
			ult_cond_wait(&pc.not_empty, &pc.m);
		}
		if (pc.taken == PC_TOTAL)
			break;
		pc.sum += pc.buf[pc.head];
		pc.head = (pc.head + 1) % PC_SLOTS;
		pc.count--;
		if (++pc.taken == PC_TOTAL)
			ult_cond_broadcast(&pc.not_empty);
		ult_cond_signal(&pc.not_full);
	}
	ult_mutex_unlock(&pc.m);
	return NULL;
}

static int cond_producer_consumer(bool mn)
{
	struct ult *t[PC_PRODUCERS + PC_CONSUMERS];
	struct ult_mn_stats st;
	bool bound;
	int i;

	memset(&pc, 0, sizeof(pc));
	ult_mutex_init(&pc.m);
	ult_cond_init(&pc.not_full);
	ult_cond_init(&pc.not_empty);
	if (CHECK_FAILED((mn ? ult_init_mn(MN_VPS) : ult_init(ULT_SWITCH_ASM)) == 0,
			 "%s", strerror(errno)))
		return -1;
	for (i = 0; i < PC_PRODUCERS + PC_CONSUMERS; i++) {
		bound = mn && (i == 0 || i == PC_PRODUCERS);
		if (i < PC_PRODUCERS)
			t[i] = bound ? ult_create_bound(pc_producer, (void *)(intptr_t)i) :
				       ult_create(pc_producer, (void *)(intptr_t)i);
		else
			t[i] = bound ? ult_create_bound(pc_consumer, NULL) :
				       ult_create(pc_consumer, NULL);
		if (CHECK_FAILED(t[i], "create: %s", strerror(errno)))
			return -1;
	}
	for (i = 0; i < PC_PRODUCERS + PC_CONSUMERS; i++)
		ult_join(t[i]);
	ult_mn_stats(&st);
	ult_fini();
	printf("# %s: %s: %ld waits, %lu parked\n", __func__, mn ? "M:N" : "M:1",
	       pc.waits, st.parks);
	if (CHECK_FAILED(pc.taken == PC_TOTAL && !pc.count, "%ld taken, %d left",
			 pc.taken, pc.count))
		return -1;
	if (CHECK_FAILED(pc.sum == (long)PC_TOTAL * (PC_TOTAL - 1) / 2,
			 "items add up to %ld", pc.sum))
		return -1;
	if (CHECK_FAILED(pc.waits, "nobody ever waited"))
		return -1;
	return 0;
}

int test_cond_producer_consumer(void)
{
	return cond_producer_consumer(false) || cond_producer_consumer(true) ?
	       -1 : 0;
}

/*
 * Broadcast wakes every waiter, signal one: CB_THREADS wait (two bound
 * in M:N); one signal lets exactly one through, whom the others wait
 * for, then a broadcast lets all the rest through.
 */
#define CB_THREADS	6

static struct {
	struct ult_mutex m;
	struct ult_cond c;
	int arrived, tickets, woke;
} cb;

static void *cb_thread(void *arg)
{
	(void)arg;
	ult_mutex_lock(&cb.m);
	cb.arrived++;
	while (!cb.tickets)
		ult_cond_wait(&cb.c, &cb.m);
	cb.tickets--;
	cb.woke++;
	ult_mutex_unlock(&cb.m);
	return NULL;
}

/* main: yield until *v == want, or MN_WAIT_MS; the last value seen. */
static int wait_for(int *v, int want, struct ult_mutex *m)
{
	int64_t deadline = mn_deadline();
	int seen;

	do {
		ult_yield();
		ult_mutex_lock(m);
		seen = *v;
		ult_mutex_unlock(m);
	} while (seen != want && now_ns() < deadline);
	return seen;
}

static int cond_broadcast(bool mn)
{
	struct ult *t[CB_THREADS];
	int i, n;

	memset(&cb, 0, sizeof(cb));
	if (CHECK_FAILED((mn ? ult_init_mn(MN_VPS) : ult_init(ULT_SWITCH_ASM)) == 0,
			 "%s", strerror(errno)))
		return -1;
	for (i = 0; i < CB_THREADS; i++) {
		t[i] = mn && i < 2 ? ult_create_bound(cb_thread, NULL) :
				     ult_create(cb_thread, NULL);
		if (CHECK_FAILED(t[i], "create: %s", strerror(errno)))
			return -1;
	}
	n = wait_for(&cb.arrived, CB_THREADS, &cb.m);
	if (CHECK_FAILED(n == CB_THREADS, "%d of %d waiting", n, CB_THREADS))
		return -1;
	ult_mutex_lock(&cb.m);
	cb.tickets = CB_THREADS;	/* enough for all: only wake-ups limit */
	ult_cond_signal(&cb.c);
	ult_mutex_unlock(&cb.m);
	n = wait_for(&cb.woke, 1, &cb.m);
	if (CHECK_FAILED(n == 1, "%d woke after one signal", n))
		return -1;
	ult_mutex_lock(&cb.m);
	ult_cond_broadcast(&cb.c);
	ult_mutex_unlock(&cb.m);
	for (i = 0; i < CB_THREADS; i++)
		ult_join(t[i]);
	ult_fini();
	if (CHECK_FAILED(cb.woke == CB_THREADS, "%d woke", cb.woke))
		return -1;
	return 0;
}

int test_cond_broadcast(void)
{
	return cond_broadcast(false) || cond_broadcast(true) ? -1 : 0;
}

/*
 * Blocking system calls on M:N. Readers block in read() (bracketed by
 * ult_syscall_enter()/exit()) on pipes nobody writes to yet; a sibling
 * queued on the same VP counts its steps. A bound controller thread, on
 * a kernel thread of its own, waits until every reader's kernel thread
 * is asleep (in read()) and then gives the sibling up to MN_WAIT_MS to
 * make BK_STEPS steps before it writes to every pipe. It notes the steps
 * made while the readers slept.
 */
#define BK_MAX		32	/* readers */
#define BK_STEPS	10

struct bk_reader {
	int rfd, wfd;
	bool use_ult_read;
	pid_t tid;		/* its kernel thread, set just before read() */
	pid_t tid_after;
	char c;
	ssize_t n;
	int err;	/* errno after a failed read */
};

static struct {
	struct bk_reader rd[BK_MAX];
	int nreaders;
	int64_t wait_ns;	/* how long the controller gives the sibling */
	long steps;		/* the sibling's */
	bool stop;
	bool interrupt;		/* signal the readers instead of writing */
	long steps_slept;	/* steps while every reader slept; -1: never */
	pid_t sib_tids[8];
	int nsib_tids;
} bk;

static void *bk_reader(void *arg)
{
	struct bk_reader *r = arg;

	STORE(r->tid, gettid());
	if (r->use_ult_read) {
		r->n = ult_read(r->rfd, &r->c, 1);
	} else {
		ult_syscall_enter();
		r->n = read(r->rfd, &r->c, 1);
		ult_syscall_exit();
	}
	r->err = r->n < 0 ? errno : 0;
	r->tid_after = gettid();
	return NULL;
}

/* The sibling notes each kernel thread it runs on (the first few). */
static void *bk_sibling(void *arg)
{
	pid_t tid;
	int i;

	(void)arg;
	while (!LOAD(bk.stop)) {
		tid = gettid();
		for (i = 0; i < bk.nsib_tids && bk.sib_tids[i] != tid; i++)
			;
		if (i == bk.nsib_tids && i < (int)ARRAY_SIZE(bk.sib_tids))
			bk.sib_tids[bk.nsib_tids++] = tid;
		hash_work(1, 64);
		ult_yield();
		STORE(bk.steps, bk.steps + 1);
	}
	return NULL;
}

static bool bk_all_asleep(void)
{
	int i;

	for (i = 0; i < bk.nreaders; i++)
		if (!LOAD(bk.rd[i].tid) || task_state(bk.rd[i].tid) != 'S')
			return false;
	return true;
}

static void *bk_controller(void *arg)
{
	int64_t deadline = mn_deadline();
	long steps;
	int i;

	(void)arg;
	bk.steps_slept = -1;
	while (!bk_all_asleep() && now_ns() < deadline)
		sleep_ms(1);
	if (bk_all_asleep()) {
		steps = LOAD(bk.steps);
		deadline = now_ns() + bk.wait_ns;
		while (LOAD(bk.steps) < steps + BK_STEPS && now_ns() < deadline)
			sleep_ms(1);
		if (bk_all_asleep())
			bk.steps_slept = LOAD(bk.steps) - steps;
	}
	for (i = 0; i < bk.nreaders; i++) {
		if (bk.interrupt) {
			if (syscall(SYS_tgkill, getpid(), bk.rd[i].tid, SIGUSR2))
				return (void *)-1L;
		} else if (write(bk.rd[i].wfd, "k", 1) != 1) {
			return (void *)-1L;
		}
	}
	return NULL;
}

/* Who hands a blocked VP on in bk_run(): nobody, the monitor, the kernel. */
enum bk_helper { BK_NONE, BK_MONITOR, BK_ACTIVATIONS };

/*
 * One run: nreaders readers (every other one in ult_read()) and the
 * sibling, all queued on VP 0 of nvp, with the helper.
 */
static int bk_run(int nvp, enum bk_helper helper, int nreaders,
		  int64_t wait_ns, struct ult_mn_stats *st, bool interrupt)
{
	struct ult *t[BK_MAX], *sib, *ctl;
	int i, p[2];

	memset(&bk, 0, sizeof(bk));
	bk.interrupt = interrupt;
	bk.nreaders = nreaders;
	bk.wait_ns = wait_ns;
	for (i = 0; i < nreaders; i++) {
		if (CHECK_FAILED(pipe(p) == 0, "pipe: %s", strerror(errno)))
			return -1;
		bk.rd[i].rfd = p[0];
		bk.rd[i].wfd = p[1];
		bk.rd[i].use_ult_read = i % 2;
	}
	if (CHECK_FAILED(ult_init_mn(nvp) == 0, "%s", strerror(errno)))
		return -1;
	if (CHECK_FAILED(helper != BK_MONITOR || !ult_monitor_start(20, 1000),
			 "%s", strerror(errno)))
		return -1;
	if (CHECK_FAILED(helper != BK_ACTIVATIONS || !ult_activations_start(),
			 "ult_activations_start: %s", strerror(errno)))
		return -1;
	sib = ult_create_on(0, bk_sibling, NULL);
	for (i = 0; i < nreaders; i++)
		t[i] = ult_create_on(0, bk_reader, &bk.rd[i]);
	ctl = ult_create_bound(bk_controller, NULL);
	if (CHECK_FAILED(sib && ctl && t[nreaders - 1], "create: %s",
			 strerror(errno)))
		return -1;
	if (CHECK_FAILED(!ult_join(ctl), "write: %s", strerror(errno)))
		return -1;
	for (i = 0; i < nreaders; i++)
		ult_join(t[i]);
	STORE(bk.stop, true);
	ult_join(sib);
	ult_mn_stats(st);
	ult_fini();
	for (i = 0; i < nreaders; i++) {
		close(bk.rd[i].rfd);
		close(bk.rd[i].wfd);
		if (CHECK_FAILED(interrupt || (bk.rd[i].n == 1 && bk.rd[i].c == 'k'),
				 "reader %d read %zd bytes", i, bk.rd[i].n))
			return -1;
	}
	return 0;
}

/*
 * (a) without help: one VP, no monitor. The reader blocks the VP's only
 * kernel thread and the sibling queued behind it makes no step at all.
 */
int test_mn_blocked_vp_stalls(void)
{
	struct ult_mn_stats st;

	if (bk_run(1, BK_NONE, 1, 200 * NSEC_PER_MSEC, &st, false))
		return -1;
	printf("# %s: sibling made %ld steps while the reader slept\n",
	       __func__, bk.steps_slept);
	if (CHECK_FAILED(bk.steps_slept == 0, "%ld steps", bk.steps_slept))
		return -1;
	return 0;
}

/* (a) work stealing: two VPs, no monitor; the idle VP takes the sibling. */
int test_mn_idle_vp_steals(void)
{
	struct ult_mn_stats st;

	if (bk_run(2, BK_NONE, 1, MN_WAIT_MS * NSEC_PER_MSEC, &st, false))
		return -1;
	printf("# %s: sibling made %ld steps while the reader slept, %lu steals\n",
	       __func__, bk.steps_slept, st.steals);
	if (CHECK_FAILED(bk.steps_slept >= BK_STEPS, "%ld steps", bk.steps_slept))
		return -1;
	if (CHECK_FAILED(!st.handoffs, "%lu handoffs without a monitor",
			 st.handoffs))
		return -1;
	return 0;
}

/*
 * (b) the monitor: one VP, nobody to steal. The monitor hands the VP to
 * a spare kernel thread, on which the sibling goes on; the reader, back
 * from read(), finds its VP taken and is queued on it again, so it too
 * ends on another kernel thread.
 */
int test_monitor_handoff(void)
{
	struct ult_mn_stats st;
	struct bk_reader *r = &bk.rd[0];

	if (bk_run(1, BK_MONITOR, 1, MN_WAIT_MS * NSEC_PER_MSEC, &st, false))
		return -1;
	printf("# %s: sibling made %ld steps while the reader slept,",
	       __func__, bk.steps_slept);
	printf(" on %d kernel threads; %lu handoffs\n", bk.nsib_tids,
	       st.handoffs);
	if (CHECK_FAILED(bk.steps_slept >= BK_STEPS, "%ld steps", bk.steps_slept))
		return -1;
	if (CHECK_FAILED(st.handoffs >= 1 && bk.nsib_tids >= 2,
			 "%lu handoffs, sibling on %d kernel threads",
			 st.handoffs, bk.nsib_tids))
		return -1;
	if (CHECK_FAILED(r->tid_after != r->tid,
			 "reader still on thread %d after the handoff", r->tid))
		return -1;
	return 0;
}

/*
 * Many blocked readers: BK_MAX readers on two VPs, half of them in
 * ult_read(). With the monitor each blocked reader's VP is handed on in
 * turn, so all of them end up asleep at once, each on a kernel thread of
 * its own, and the sibling still runs.
 */
int test_monitor_many_readers(void)
{
	struct ult_mn_stats st;
	int i, j;

	if (bk_run(2, BK_MONITOR, BK_MAX, MN_WAIT_MS * NSEC_PER_MSEC, &st,
		   false))
		return -1;
	printf("# %s: %d readers asleep at once; sibling made %ld steps meanwhile;",
	       __func__, BK_MAX, bk.steps_slept);
	printf(" %lu handoffs, %d kernel threads\n", st.handoffs, st.kthreads);
	if (CHECK_FAILED(bk.steps_slept >= BK_STEPS, "%ld steps", bk.steps_slept))
		return -1;
	for (i = 0; i < BK_MAX; i++)
		for (j = 0; j < i; j++)
			if (CHECK_FAILED(bk.rd[i].tid != bk.rd[j].tid,
					 "readers %d and %d slept on thread %d",
					 i, j, bk.rd[i].tid))
				return -1;
	if (CHECK_FAILED(st.kthreads > BK_MAX, "%d kernel threads",
			 st.kthreads))
		return -1;
	return 0;
}

/*
 * errno across a change of kernel thread. The read fails (EINTR: the
 * controller signals the reader, whose handler has no SA_RESTART) after
 * the monitor handed its VP on, so ult_syscall_exit() resumes the thread
 * on another kernel thread, whose own errno is not the reader's.
 */
static void bk_on_signal(int sig)
{
	(void)sig;
}

int test_syscall_exit_keeps_errno(void)
{
	struct sigaction sa = { .sa_handler = bk_on_signal };
	struct bk_reader *r = &bk.rd[0];
	struct ult_mn_stats st;

	sigemptyset(&sa.sa_mask);
	if (CHECK_FAILED(!sigaction(SIGUSR2, &sa, NULL), "%s", strerror(errno)))
		return -1;
	if (bk_run(1, BK_MONITOR, 1, MN_WAIT_MS * NSEC_PER_MSEC, &st, true))
		return -1;
	printf("# %s: read() returned %zd, errno %d, on thread %d then %d\n",
	       __func__, r->n, r->err, r->tid, r->tid_after);
	if (CHECK_FAILED(st.handoffs && r->tid_after != r->tid,
			 "%lu handoffs, reader stayed on thread %d",
			 st.handoffs, r->tid))
		return -1;
	if (CHECK_FAILED(r->n == -1 && r->err == EINTR, "returned %zd, errno %d",
			 r->n, r->err))
		return -1;
	return 0;
}

/*
 * Scheduler activations need ktd_activations.ko, which only the test
 * guests load (never the host): without the device the cases skip.
 */
static int act_skip(void)
{
	int fd = open(KTD_ACT_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return test_skip("%s: %s (ktd_activations.ko is not loaded)",
			 KTD_ACT_DEVICE, strerror(errno));
}

/*
 * (c) activations: one VP, nobody to steal, no monitor. The kernel says
 * the reader's kernel thread blocked; the upcall hands the VP to a spare,
 * and the sibling goes on there; the reader, back, ends on another kernel
 * thread, as with the monitor.
 */
int test_activations_handoff(void)
{
	struct ult_mn_stats st;
	struct bk_reader *r = &bk.rd[0];

	if (act_skip())
		return TEST_SKIP;
	if (bk_run(1, BK_ACTIVATIONS, 1, MN_WAIT_MS * NSEC_PER_MSEC, &st, false))
		return -1;
	printf("# %s: sibling made %ld steps while the reader slept,",
	       __func__, bk.steps_slept);
	printf(" on %d kernel threads; %lu events, %lu handoffs\n",
	       bk.nsib_tids, st.act_events, st.act_handoffs);
	if (CHECK_FAILED(bk.steps_slept >= BK_STEPS, "%ld steps", bk.steps_slept))
		return -1;
	if (CHECK_FAILED(st.act_handoffs >= 1 && !st.handoffs &&
			 bk.nsib_tids >= 2,
			 "%lu handoffs by activations, %lu by a monitor, sibling on %d kernel threads",
			 st.act_handoffs, st.handoffs, bk.nsib_tids))
		return -1;
	if (CHECK_FAILED(r->tid_after != r->tid,
			 "reader still on thread %d after the handoff", r->tid))
		return -1;
	return 0;
}

/*
 * Many blocked readers, two VPs, activations only: every reader asleep at
 * once on a kernel thread of its own, each read exactly once (bk_run
 * checks every byte), the sibling still running: nobody lost, nobody run
 * twice.
 */
int test_activations_many_readers(void)
{
	struct ult_mn_stats st;
	int i, j;

	if (act_skip())
		return TEST_SKIP;
	if (bk_run(2, BK_ACTIVATIONS, BK_MAX, MN_WAIT_MS * NSEC_PER_MSEC, &st,
		   false))
		return -1;
	printf("# %s: %d readers asleep at once; sibling made %ld steps meanwhile;",
	       __func__, BK_MAX, bk.steps_slept);
	printf(" %lu handoffs, %d kernel threads\n", st.act_handoffs,
	       st.kthreads);
	if (CHECK_FAILED(bk.steps_slept >= BK_STEPS, "%ld steps", bk.steps_slept))
		return -1;
	for (i = 0; i < BK_MAX; i++)
		for (j = 0; j < i; j++)
			if (CHECK_FAILED(bk.rd[i].tid != bk.rd[j].tid,
					 "readers %d and %d slept on thread %d",
					 i, j, bk.rd[i].tid))
				return -1;
	return 0;
}
