// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench --models: the synchronisation benchmarks, for the seed claim
 * that "synchronizing threads only needs a procedure call". Under M:1 and
 * M:N (ult_mutex, ult_cond) and 1:1 (pthread_mutex_t, pthread_cond_t):
 *
 *   mutex_uncontended  lock+unlock by one thread, in batches;
 *   mutex_contended    2 x nvp threads (at least 4) each lock, add one to
 *                      a counter, unlock, sync_iters times; per pair;
 *   cond_pingpong      two threads hand a turn back and forth under one
 *                      mutex and condition variable; per round trip.
 *
 * Each model is an ops table (refscale's way); each workload is written
 * once against it. The kernel's context switches of the whole process per
 * operation (getrusage) are noted: none means no thread slept in the
 * kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench.h"

#define SYNC_ITERS	20000	/* lock+unlock pairs per contending thread */
#define SYNC_MAX_THREADS	(2 * ULT_MAX_VPS)

static struct ult_mutex um;
static struct ult_cond uc;
static pthread_mutex_t pm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pc = PTHREAD_COND_INITIALIZER;

struct sync_ops {
	int (*init)(void);	/* start the model's runtime */
	void (*fini)(void);
	void *(*spawn)(ult_fn_t fn, void *arg);	/* NULL on error */
	void (*join)(void *t);
	void (*lock)(void);
	void (*unlock)(void);
	void (*wait)(void);	/* on the one condition variable */
	void (*signal)(void);
	void (*yield_cpu)(void);	/* let the others run */
	long pp_batch;		/* ping-pong round trips per sample */
};

static int m1_init(void)
{
	return ult_init(ULT_SWITCH_ASM);
}

static int mn_init(void)
{
	return ult_init_mn(opt.nvp);
}

static void *u_spawn(ult_fn_t fn, void *arg)
{
	return ult_create(fn, arg);
}

static void u_join(void *t)
{
	ult_join(t);
}

static void u_lock(void)
{
	ult_mutex_lock(&um);
}

static void u_unlock(void)
{
	ult_mutex_unlock(&um);
}

static void u_wait(void)
{
	ult_cond_wait(&uc, &um);
}

static void u_signal(void)
{
	ult_cond_signal(&uc);
}

static int p_init(void)
{
	return 0;
}

static void p_fini(void)
{
}

static void *p_spawn(ult_fn_t fn, void *arg)
{
	pthread_t *th = malloc(sizeof(*th));

	if (th && pthread_create(th, NULL, fn, arg)) {
		free(th);
		th = NULL;
	}
	return th;
}

static void p_join(void *t)
{
	pthread_join(*(pthread_t *)t, NULL);
	free(t);
}

static void p_lock(void)
{
	pthread_mutex_lock(&pm);
}

static void p_unlock(void)
{
	pthread_mutex_unlock(&pm);
}

static void p_wait(void)
{
	pthread_cond_wait(&pc, &pm);
}

static void p_signal(void)
{
	pthread_cond_signal(&pc);
}

static void p_yield(void)
{
	sched_yield();
}

static const struct sync_ops ops[NMCOLS] = {
	[MCOL_M1] = { m1_init, ult_fini, u_spawn, u_join, u_lock, u_unlock,
		      u_wait, u_signal, ult_yield, 1000 },
	[MCOL_MN] = { mn_init, ult_fini, u_spawn, u_join, u_lock, u_unlock,
		      u_wait, u_signal, ult_yield, 200 },
	[MCOL_1TO1] = { p_init, p_fini, p_spawn, p_join, p_lock, p_unlock,
			p_wait, p_signal, p_yield, 20 },
};

/* The whole process's kernel context switches, voluntary or not. */
static long proc_csw(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

/* ---- uncontended: direct calls, as the procedure-call baseline is ---- */

static void ult_lock_unlock(void)
{
	ult_mutex_lock(&um);
	ult_mutex_unlock(&um);
}

static void pthread_lock_unlock(void)
{
	pthread_mutex_lock(&pm);
	pthread_mutex_unlock(&pm);
}

/* ---- contended ---------------------------------------------------------- */

static struct {
	const struct sync_ops *o;
	volatile int go;
	long counter;
} ct;

static void *ct_thread(void *arg)
{
	const struct sync_ops *o = ct.o;
	long i;

	(void)arg;
	while (!ct.go)
		o->yield_cpu();
	for (i = 0; i < SYNC_ITERS; i++) {
		o->lock();
		ct.counter++;
		o->unlock();
	}
	return NULL;
}

/* One run: ns per lock+unlock pair; *csw: kernel switches per pair. */
static double ct_once(const struct sync_ops *o, int n, double *csw)
{
	void *t[SYNC_MAX_THREADS];
	int64_t t0;
	long c0;
	int i;

	ct.o = o;
	ct.go = 0;
	ct.counter = 0;
	for (i = 0; i < n; i++) {
		t[i] = o->spawn(ct_thread, NULL);
		if (!t[i])
			die("contended mutex: cannot start thread %d", i);
	}
	c0 = proc_csw();
	t0 = now_ns();
	ct.go = 1;
	for (i = 0; i < n; i++)
		o->join(t[i]);
	t0 = now_ns() - t0;
	*csw = (double)(proc_csw() - c0) / ((double)n * SYNC_ITERS);
	if (ct.counter != (long)n * SYNC_ITERS)
		die("contended mutex: %ld updates, expected %ld", ct.counter,
		    (long)n * SYNC_ITERS);
	return (double)t0 / ((double)n * SYNC_ITERS);
}

/* ---- condition variable ping-pong ---------------------------------------- */

static struct {
	const struct sync_ops *o;
	int turn;		/* 0 ping's, 1 pong's, 2 stop */
	int warm;
	double *v;
	double csw;
} cp;

static void *cp_ping(void *arg)
{
	const struct sync_ops *o = cp.o;
	long j, c0 = 0;
	int64_t t0;
	int i;

	(void)arg;
	for (i = -cp.warm; i < opt.samples; i++) {
		if (!i)
			c0 = proc_csw();
		t0 = now_ns();
		for (j = 0; j < o->pp_batch; j++) {
			o->lock();
			cp.turn = 1;
			o->signal();
			while (cp.turn == 1)
				o->wait();
			o->unlock();
		}
		if (i >= 0)
			cp.v[i] = (double)(now_ns() - t0) / o->pp_batch;
	}
	cp.csw = (double)(proc_csw() - c0) / ((double)opt.samples * o->pp_batch);
	o->lock();
	cp.turn = 2;
	o->signal();
	o->unlock();
	return NULL;
}

static void *cp_pong(void *arg)
{
	const struct sync_ops *o = cp.o;

	(void)arg;
	o->lock();
	for (;;) {
		while (!cp.turn)
			o->wait();
		if (cp.turn == 2)
			break;
		cp.turn = 0;
		o->signal();
	}
	o->unlock();
	return NULL;
}

static void cond_pingpong(enum mcol c)
{
	const struct sync_ops *o = &ops[c];
	void *a, *b;

	cp.o = o;
	cp.turn = 0;
	cp.warm = opt.samples / 10 + 1;
	cp.v = calloc(opt.samples, sizeof(*cp.v));
	if (!cp.v)
		die("out of memory");
	a = o->spawn(cp_ping, NULL);
	b = o->spawn(cp_pong, NULL);
	if (!a || !b)
		die("condvar ping-pong: cannot start the threads");
	o->join(a);
	o->join(b);
	mresult[MROW_COND_PP][c] = stats_of(cp.v, opt.samples, o->pp_batch);
	mresult[MROW_COND_PP][c].csw = cp.csw;
	free(cp.v);
}

unsigned long mn_cont_parks;

void bench_sync(enum mcol c)
{
	const struct sync_ops *o = &ops[c];
	int n = 2 * opt.nvp, i;
	struct ult_mn_stats st;
	double *v, *csw;

	if (n < 4)
		n = 4;
	if (n > SYNC_MAX_THREADS)
		n = SYNC_MAX_THREADS;
	ult_mutex_init(&um);
	ult_cond_init(&uc);
	if (o->init())
		die("%s: cannot start the runtime: %s", mcol_name[c],
		    strerror(errno));
	mresult[MROW_LOCK][c] = measure(c == MCOL_1TO1 ? pthread_lock_unlock :
					ult_lock_unlock, 1000);
	v = calloc(2 * opt.sync_reps, sizeof(*v));
	if (!v)
		die("out of memory");
	csw = v + opt.sync_reps;
	for (i = 0; i < opt.sync_reps; i++)
		v[i] = ct_once(o, n, &csw[i]);
	ult_mn_stats(&st);
	if (c == MCOL_MN)
		mn_cont_parks = st.parks;
	mresult[MROW_LOCK_CONT][c] = stats_of(v, opt.sync_reps, SYNC_ITERS);
	mresult[MROW_LOCK_CONT][c].csw = stats_of(csw, opt.sync_reps, 1).median;
	free(v);
	cond_pingpong(c);
	o->fini();
}
