/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ultbench's own declarations, shared by its files: the options, the
 * results table (rows are operations, columns are mechanisms) and what
 * each file offers. ultbench.c says what the program measures and prints.
 */
#ifndef ULT_BENCH_H
#define ULT_BENCH_H

#include <stdbool.h>

#include "common.h"

#define MAX_THREADS	64

struct bench_opts {
	int samples;		/* samples per micro-benchmark */
	int block_ms;		/* how long the helper keeps the pipe empty */
	int block_reps;
	long work;		/* hash rounds in the parallel job */
	int par_reps;
	int threads;		/* parallel job split, 0: online CPUs */
	int timeout_s;		/* watchdog for the whole run */
};

extern struct bench_opts opt;
extern int cpu_a, cpu_b;	/* the two used for pinning; cpu_b = -1 if 1 */

/* ultbench.c: a progress line on stderr. */
void progress(const char *what);

/* bench_stats.c: timing and statistics, the results table. */
struct stats {
	double median, p10, p90, min;
	int n;
	long batch;
	double csw;	/* ping-pong: pinger's context switches per op */
};

enum col { COL_ULT, COL_UCTX, COL_PTHREAD, COL_PROCESS, NCOLS };

enum row {
	ROW_CREATE,
	ROW_PP_SAME,
	ROW_PIPE_SAME,
	ROW_PP_CROSS,
	ROW_PIPE_CROSS,
	ROW_BLOCK,
	ROW_BLOCK_NB,
	ROW_PAR_1,
	ROW_PAR_N,
	NROWS
};

/* base: the row whose ult cell every cell of this row is divided by. */
struct row_info {
	const char *name;
	const char *label;
	int base;
};

extern const char *const col_name[NCOLS];
extern const struct row_info rows[NROWS];
extern struct stats result[NROWS][NCOLS];
extern struct stats call_stats;	/* the procedure-call baseline */
/* N-thread runs: process CPU time per wall time (median); > 1 = parallel. */
extern double cpu_per_wall[NCOLS];

struct stats stats_of(double *v, int n, long batch);
struct stats measure(void (*op)(void), long batch);
void record(enum row r, enum col c, double *v, int n, long batch);
double med(enum row r, enum col c);
double vs_ult(enum row r, enum col c);
double speedup(enum col c);

/* bench_switch.c: (a) and (d), create and ping-pong. */
void bench_call(void);
void bench_ult(enum col c, enum ult_switch_kind kind);
void bench_kernel_threads(enum col c);

/* bench_block.c: (b), how long a sibling stalls while one thread reads. */
extern long block_steps[2][NCOLS];
void bench_block(enum row r, enum col c);

/* bench_parallel.c: (c), a fixed job split across 1 or N threads. */
void bench_parallel(enum col c);

/* bench_report.c: ROW lines and the table. */
const char *fmt_ns(char *buf, size_t len, double ns);
void print_rows(void);
void print_table(void);

/* bench_claims.c: each claim's rule, verdict and numbers. */
void print_claims(void);

#endif /* ULT_BENCH_H */
