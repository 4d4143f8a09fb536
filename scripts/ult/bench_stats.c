// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench's timing and statistics: the batch-timing driver every
 * micro-benchmark uses, samples to median and percentiles, and the results
 * table (operations x mechanisms) with its ratios to the user-level cell.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The p-quantile (0..1) of n sorted values, exact: linear interpolation
 * between the two order statistics around (n - 1) * p.
 */
double percentile(const double *sorted, int n, double p)
{
	double pos = (n - 1) * p;
	int lo = (int)pos;

	if (n <= 0)
		return 0;
	if (lo >= n - 1)
		return sorted[n - 1];
	return sorted[lo] + (pos - lo) * (sorted[lo + 1] - sorted[lo]);
}

struct stats stats_of(double *v, int n, long batch)
{
	struct stats s = { .n = n, .batch = batch, .csw = -1, .runs = 1 };

	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.p10 = percentile(v, n, 0.10);
	s.median = percentile(v, n, 0.50);
	s.p90 = percentile(v, n, 0.90);
	s.run_lo = s.median;
	s.run_hi = s.median;
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

struct stats run_result[MAX_RUNS][NROWS][NCOLS];
struct stats run_call[MAX_RUNS];
double run_speedup[MAX_RUNS][NCOLS];
int nruns;

void keep_run(void)
{
	int c;

	if (nruns == MAX_RUNS)
		die("more than %d runs", MAX_RUNS);
	memcpy(run_result[nruns], result, sizeof(result));
	run_call[nruns] = call_stats;
	for (c = 0; c < NCOLS; c++)
		run_speedup[nruns][c] = speedup(c);
	nruns++;
}

/* The median of one field over the runs that measured the cell. */
static double field_median(const struct stats *const *cell, int n,
			   size_t off, double *lo, double *hi)
{
	double v[MAX_RUNS];
	int i;

	for (i = 0; i < n; i++)
		v[i] = *(const double *)((const char *)cell[i] + off);
	qsort(v, n, sizeof(*v), cmp_double);
	if (lo)
		*lo = v[0];
	if (hi)
		*hi = v[n - 1];
	return percentile(v, n, 0.5);
}

static struct stats aggregate(const struct stats *const *cell, int n)
{
	struct stats s = *cell[0];

	s.runs = n;
	s.median = field_median(cell, n, offsetof(struct stats, median),
				&s.run_lo, &s.run_hi);
	s.p10 = field_median(cell, n, offsetof(struct stats, p10), NULL, NULL);
	s.p90 = field_median(cell, n, offsetof(struct stats, p90), NULL, NULL);
	s.min = field_median(cell, n, offsetof(struct stats, min), NULL, NULL);
	s.csw = field_median(cell, n, offsetof(struct stats, csw), NULL, NULL);
	return s;
}

void aggregate_runs(void)
{
	const struct stats *cell[MAX_RUNS];
	int r, c, k, n;

	for (r = 0; r < NROWS; r++) {
		for (c = 0; c < NCOLS; c++) {
			for (k = 0, n = 0; k < nruns; k++)
				if (run_result[k][r][c].n)
					cell[n++] = &run_result[k][r][c];
			if (n)
				result[r][c] = aggregate(cell, n);
		}
	}
	for (k = 0; k < nruns; k++)
		cell[k] = &run_call[k];
	if (nruns)
		call_stats = aggregate(cell, nruns);
}

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
