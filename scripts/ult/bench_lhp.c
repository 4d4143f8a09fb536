// SPDX-License-Identifier: GPL-2.0
/*
 * Lock-holder preemption (ultbench --models, part "lhp"), seed 001: the
 * kernel may "unschedule a process with a thread holding a lock". What
 * does a timer preemption of a lock holder cost the threads waiting for
 * the lock?
 *
 * T threads on one CPU (cpu_a) each loop for --lhp-ms: take the lock,
 * work about a microsecond inside it, drop it, work as long outside. The
 * lock is one of:
 *
 *   spin        test-and-set, spinning until it is free;
 *   spin+yield  the same, giving the CPU away after each failed try
 *               (ult_yield(), sched_yield());
 *   mutex       a blocking lock (ult_mutex, pthread_mutex).
 *
 * M:1 runs T ULTs with ult_preempt_start(1 ms) as the only way a spinner
 * ever lets the holder go on; 1:1 runs T pthreads, which the kernel's
 * tick preempts. With T = 1 nobody waits: the baseline. With T = 4 a
 * holder preempted inside its section leaves every spinner spinning out
 * a whole time slice. Rows: acquisitions per second (what the waiters'
 * spinning costs everyone), the mean of the waits over 10 us (those
 * where the holder was off the CPU) and the longest wait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench_seed.h"

#define LHP_MAX_T	4
#define LHP_WORK	256		/* hash rounds in and out of the section */
#define LHP_MAX_WAITS	200000		/* per thread */
#define LHP_TICK_US	1000

enum lock_kind { LK_SPIN, LK_SPIN_YIELD, LK_MUTEX };

static const char *const lk_name[] = { "spin", "spin_yield", "mutex" };

static struct {
	enum lock_kind kind;
	bool ult;
	int spin;		/* the test-and-set word */
	struct ult_mutex um;
	pthread_mutex_t pm;
	int64_t deadline;
	long acq[LHP_MAX_T];
	int nw[LHP_MAX_T];
	float *wait[LHP_MAX_T];	/* ns */
} lhp;

static void lhp_lock(void)
{
	if (lhp.kind == LK_MUTEX) {
		if (lhp.ult)
			ult_mutex_lock(&lhp.um);
		else
			pthread_mutex_lock(&lhp.pm);
		return;
	}
	while (__atomic_exchange_n(&lhp.spin, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&lhp.spin, __ATOMIC_RELAXED)) {
			if (lhp.kind == LK_SPIN)
				__builtin_ia32_pause();
			else if (lhp.ult)
				ult_yield();
			else
				sched_yield();
		}
	}
}

static void lhp_unlock(void)
{
	if (lhp.kind != LK_MUTEX)
		__atomic_store_n(&lhp.spin, 0, __ATOMIC_RELEASE);
	else if (lhp.ult)
		ult_mutex_unlock(&lhp.um);
	else
		pthread_mutex_unlock(&lhp.pm);
}

static void *lhp_thread(void *arg)
{
	int me = (intptr_t)arg;
	uint64_t x = me + 1;
	int64_t t0, t;

	do {
		t0 = now_ns();
		lhp_lock();
		t = now_ns();
		x = hash_work(x, LHP_WORK);
		lhp_unlock();
		if (lhp.nw[me] < LHP_MAX_WAITS)
			lhp.wait[me][lhp.nw[me]++] = (float)(t - t0);
		lhp.acq[me]++;
		x = hash_work(x, LHP_WORK);
	} while (t < lhp.deadline);
	return (void *)(uintptr_t)(x == 1);
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

#define LHP_SLOW_NS	10000	/* a wait this long: the holder was off-CPU */

/* One run: acquisitions/s, mean of the slow waits and longest wait (ns). */
static void lhp_once(enum smodel m, enum lock_kind kind, int nt, double *tput,
		     double *slow, double *maxw)
{
	const struct smodel_ops *o = &smodels[m];
	void *h[LHP_MAX_T];
	float *all;
	long acq = 0;
	int64_t t0;
	double sum = 0;
	int i, n = 0, ns = 0;

	lhp.kind = kind;
	lhp.ult = m == SM_M1;
	lhp.spin = 0;
	ult_mutex_init(&lhp.um);
	pthread_mutex_init(&lhp.pm, NULL);
	for (i = 0; i < nt; i++) {
		lhp.acq[i] = 0;
		lhp.nw[i] = 0;
	}
	if (o->init())
		die("%s: init: %s", o->name, strerror(errno));
	if (lhp.ult && ult_preempt_start(LHP_TICK_US))
		die("ult_preempt_start: %s", strerror(errno));
	t0 = now_ns();
	lhp.deadline = t0 + sopt.lhp_ms * NSEC_PER_MSEC;
	for (i = 0; i < nt; i++) {
		h[i] = o->spawn(lhp_thread, (void *)(intptr_t)i);
		if (!h[i])
			die("%s: create: %s", o->name, strerror(errno));
	}
	for (i = 0; i < nt; i++)
		o->join(h[i]);
	t0 = now_ns() - t0;
	if (lhp.ult)
		ult_preempt_stop();
	o->fini();
	all = malloc(nt * LHP_MAX_WAITS * sizeof(*all));
	if (!all)
		die("out of memory");
	for (i = 0; i < nt; i++) {
		memcpy(all + n, lhp.wait[i], lhp.nw[i] * sizeof(*all));
		n += lhp.nw[i];
		acq += lhp.acq[i];
	}
	qsort(all, n, sizeof(*all), cmp_float);
	*tput = acq * 1e9 / t0;
	for (i = 0; i < n; i++)
		if (all[i] >= LHP_SLOW_NS) {
			sum += all[i];
			ns++;
		}
	*slow = ns ? sum / ns : 0;
	*maxw = n ? all[n - 1] : 0;
	free(all);
}

/* ---- the table ------------------------------------------------------------ */

struct lhp_cfg {
	enum lock_kind kind;
	int nt;
};

static const struct lhp_cfg cfgs[] = {
	{ LK_SPIN, 1 },
	{ LK_SPIN, LHP_MAX_T },
	{ LK_SPIN_YIELD, LHP_MAX_T },
	{ LK_MUTEX, LHP_MAX_T },
};

#define NCFG	ARRAY_SIZE(cfgs)
#define LHP_ROWS	(3 * NCFG)

/* spin, 4 threads (cfgs[1]) against spin+yield, 4 threads (cfgs[2]) */
static void lhp_claims(struct scell (*cells)[2])
{
	struct rule_values v[] = {
		seed_ratio("lhp.pthread_spin", &cells[3][1], &cells[6][1]),
		seed_ratio("lhp.m1_spin", &cells[3][0], &cells[6][0]),
	};

	printf("\n");
	judge_claim(stdout, "lhp", v, ARRAY_SIZE(v), seed_busy());
}

void bench_lhp(void)
{
	static const char *const cols[2] = { "M:1 preemptive", "1:1" };
	static const enum smodel models[2] = { SM_M1, SM_1TO1 };
	static char names[LHP_ROWS][2][64];
	static struct srow rows[LHP_ROWS];
	static struct scell cells[LHP_ROWS][2];
	double tput, slow, maxw;
	cpu_set_t all, one;
	int run, k, c, i;

	for (i = 0; i < LHP_MAX_T; i++) {
		lhp.wait[i] = malloc(LHP_MAX_WAITS * sizeof(float));
		if (!lhp.wait[i])
			die("out of memory");
	}
	memset(cells, 0, sizeof(cells));
	for (k = 0; k < (int)NCFG; k++) {
		snprintf(names[3 * k][0], 64, "lhp_%s_t%d_tput",
			 lk_name[cfgs[k].kind], cfgs[k].nt);
		snprintf(names[3 * k][1], 64, "%s, %d thread%s: acq/s",
			 lk_name[cfgs[k].kind], cfgs[k].nt,
			 cfgs[k].nt > 1 ? "s" : "");
		snprintf(names[3 * k + 1][0], 64, "lhp_%s_t%d_slow_wait",
			 lk_name[cfgs[k].kind], cfgs[k].nt);
		snprintf(names[3 * k + 1][1], 64, "  mean wait over 10us");
		snprintf(names[3 * k + 2][0], 64, "lhp_%s_t%d_max_wait",
			 lk_name[cfgs[k].kind], cfgs[k].nt);
		snprintf(names[3 * k + 2][1], 64, "  longest wait");
		rows[3 * k] = (struct srow){ names[3 * k][0], names[3 * k][1],
					     "/s", true };
		rows[3 * k + 1] = (struct srow){ names[3 * k + 1][0],
						 names[3 * k + 1][1], "ns",
						 false };
		rows[3 * k + 2] = (struct srow){ names[3 * k + 2][0],
						 names[3 * k + 2][1], "ns",
						 false };
	}
	if (sched_getaffinity(0, sizeof(all), &all))
		die("sched_getaffinity: %s", strerror(errno));
	CPU_ZERO(&one);
	CPU_SET(cpu_a, &one);
	sched_setaffinity(0, sizeof(one), &one);
	for (run = 0; run < sopt.runs; run++) {
		fprintf(stderr, "ultbench: lock-holder preemption, run %d of %d\n",
			run + 1, sopt.runs);
		for (k = 0; k < (int)NCFG; k++) {
			for (c = 0; c < 2; c++) {
				lhp_once(models[c], cfgs[k].kind, cfgs[k].nt,
					 &tput, &slow, &maxw);
				scell_add(&cells[3 * k][c], tput);
				scell_add(&cells[3 * k + 1][c], slow);
				scell_add(&cells[3 * k + 2][c], maxw);
			}
		}
	}
	sched_setaffinity(0, sizeof(all), &all);
	for (i = 0; i < LHP_MAX_T; i++)
		free(lhp.wait[i]);
	seed_table("lock-holder preemption: threads on one CPU take a lock, work ~1us\n"
		   "inside and ~1us outside; M:1 is preempted by a 1 ms SIGALRM tick,\n"
		   "1:1 by the kernel's scheduler",
		   rows, LHP_ROWS, cols, 2, &cells[0][0], 0);
	lhp_claims(cells);
}
