// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench --models: one thread blocks in read() on a pipe a helper keeps
 * empty for --block-ms; how long does a sibling stall? bench_block.c's
 * experiment, under each model:
 *
 *   M:1       read() blocks the one kernel thread: every thread stalls;
 *   M:N       the read (bracketed by ult_syscall_enter()/exit()) blocks
 *             its VP; the sibling, queued there, runs only if another VP
 *             steals it;
 *   M:N+mon   the same with the monitor, which hands the blocked VP's
 *             queue to a spare kernel thread;
 *   1:1       pthreads: the kernel runs the sibling.
 *
 * Two placements. block_gap_idle_vp: reader and sibling start on VP 0,
 * the other VPs have nothing to do, so they can steal. block_gap_busy_vps:
 * every other VP runs a CPU-bound thread of its own that yields but never
 * leaves its VP idle, so nobody steals. (M:1 and 1:1 get the same extra
 * threads.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

struct ult_mn_stats mn_block_stats[2];

/* One run: the sibling's longest gap in ns; the read must succeed. */
static double mnblock_once(enum mcol c, bool busy)
{
	struct sibling s = { 0 }, hog[ULT_MAX_VPS] = { 0 };
	struct reader rd = { .bracket = c == MCOL_MN || c == MCOL_MN_MON };
	int nhog = busy ? opt.nvp - 1 : 0, i, pipefd[2];
	pthread_t ps, pr, ph[ULT_MAX_VPS];
	struct ult *ts, *tr, *th[ULT_MAX_VPS];
	struct ult_mn_stats st;
	int64_t deadline;
	pid_t helper;

	if (c == MCOL_M1 && busy)
		nhog = 1;
	helper = start_writer(pipefd, opt.block_ms, "x");
	rd.fd = pipefd[0];
	rd.watch = &s.steps;
	deadline = now_ns() + 2LL * opt.block_ms * NSEC_PER_MSEC;
	s.deadline = deadline;
	s.yield = c != MCOL_1TO1;
	for (i = 0; i < nhog; i++) {
		hog[i].deadline = deadline;
		hog[i].yield = s.yield;
	}
	if (c == MCOL_1TO1) {
		for (i = 0; i < nhog; i++)
			if (pthread_create(&ph[i], NULL, sibling_run, &hog[i]))
				die("pthread_create failed");
		if (pthread_create(&ps, NULL, sibling_run, &s) ||
		    pthread_create(&pr, NULL, reader_run, &rd))
			die("pthread_create failed");
		pthread_join(pr, NULL);
		pthread_join(ps, NULL);
		for (i = 0; i < nhog; i++)
			pthread_join(ph[i], NULL);
		goto out;
	}
	if (c == MCOL_M1 ? ult_init(ULT_SWITCH_ASM) : ult_init_mn(opt.nvp))
		die("%s: cannot start the runtime: %s", mcol_name[c],
		    strerror(errno));
	if (c == MCOL_MN_MON && ult_monitor_start(opt.mon_us, opt.mon_max_us))
		die("ult_monitor_start: %s", strerror(errno));
	/* the hogs first, each on its VP, so that VP never idles */
	for (i = 0; i < nhog; i++) {
		th[i] = ult_create_on(c == MCOL_M1 ? 0 : i + 1, sibling_run,
				      &hog[i]);
		if (!th[i])
			die("ult_create_on: %s", strerror(errno));
	}
	ts = ult_create_on(0, sibling_run, &s);
	tr = ult_create_on(0, reader_run, &rd);
	if (!ts || !tr)
		die("ult_create_on: %s", strerror(errno));
	ult_join(tr);
	ult_join(ts);
	for (i = 0; i < nhog; i++)
		ult_join(th[i]);
	ult_mn_stats(&st);
	if (c == MCOL_MN_MON) {
		mn_block_stats[busy].handoffs += st.handoffs;
		mn_block_stats[busy].steals += st.steals;
		if (st.kthreads > mn_block_stats[busy].kthreads)
			mn_block_stats[busy].kthreads = st.kthreads;
	}
	ult_fini();
out:
	close(pipefd[0]);
	wait_child(helper);
	if (rd.n != 1)
		die("blocking benchmark: the read failed");
	return (double)s.max_gap;
}

void bench_mnblock(enum mrow r, enum mcol c)
{
	double *v = calloc(opt.block_reps, sizeof(*v));
	int i;

	if (!v)
		die("out of memory");
	for (i = 0; i < opt.block_reps; i++)
		v[i] = mnblock_once(c, r == MROW_BLOCK_BUSY);
	mresult[r][c] = stats_of(v, opt.block_reps, 1);
	free(v);
}
