// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench's timing and statistics: the batch-timing driver every
 * micro-benchmark uses, samples to median and percentiles, and the results
 * table (operations x mechanisms) with its ratios to the user-level cell.
 */
#define _GNU_SOURCE
#include <stdlib.h>

#include "bench.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct stats stats_of(double *v, int n, long batch)
{
	struct stats s = { .n = n, .batch = batch, .csw = -1 };

	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.p10 = v[n * 10 / 100];
	s.median = v[n / 2];
	s.p90 = v[n * 90 / 100];
	return s;
}

const char *const col_name[NCOLS] = {
	"ult", "ult_uctx", "pthread", "process",
};

const struct row_info rows[NROWS] = {
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

struct stats result[NROWS][NCOLS];
struct stats call_stats;

void record(enum row r, enum col c, double *v, int n, long batch)
{
	result[r][c] = stats_of(v, n, batch);
}

double med(enum row r, enum col c)
{
	return result[r][c].n ? result[r][c].median : 0;
}

/* Ratio of a cell to its row's user-level figure; 0 if there is none. */
double vs_ult(enum row r, enum col c)
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
double speedup(enum col c)
{
	if (!result[ROW_PAR_1][c].n || !result[ROW_PAR_N][c].n)
		return 0;
	return result[ROW_PAR_1][c].min / result[ROW_PAR_N][c].min;
}

double cpu_per_wall[NCOLS];

/*
 * Time opt.samples batches of batch calls of op(); each sample is the mean
 * ns per call of its batch (a single ULT switch is too short to time on
 * its own). A tenth as many batches run first as a warm-up.
 */
struct stats measure(void (*op)(void), long batch)
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
