// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench's parallelism benchmark, for claim (c): a fixed CPU-bound job
 * split across 1 or N user-level threads or pthreads; the speedup and
 * the CPU time used per wall time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define PAR_CHUNK	65536L		/* hash rounds between ULT yields */

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
void bench_parallel(enum col c)
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
