// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench's blocking benchmark, for claim (b): while one thread read()s
 * a pipe a helper process keeps empty for --block-ms, how long does a
 * sibling stall? User-level threads with read() and with ult_read(),
 * pthreads and processes. The two threads are in common.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/*
 * Fewest sibling steps taken while the reader waited, over the runs of
 * block_gap (0) and block_gap_ult_read (1); -1 where not observable.
 */
long block_steps[2][NCOLS];

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

void bench_block(enum row r, enum col c)
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
