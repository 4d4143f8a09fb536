/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ultbench's own declarations, shared by its files: the options, the two
 * results tables (rows are operations, columns are mechanisms: the
 * classic one, and the thread models one of --models) and what each file
 * offers. ultbench.c says what the program measures and prints.
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
	bool models;		/* --models: the thread models' benchmarks */
	int nvp;		/* M:N VPs, 0: online CPUs */
	int sync_reps;		/* runs of the contended-mutex benchmark */
	unsigned int mon_us;	/* the monitor's threshold */
	unsigned int mon_max_us;	/* its longest sleep */
	int runs;		/* independent runs of the whole classic set */
	bool platform_only;	/* --platform: the PLATFORM line, then exit */
};

extern struct bench_opts opt;
extern int cpu_a, cpu_b;	/* the two used for pinning; cpu_b = -1 if 1 */

/* ultbench.c: a progress line on stderr. */
void progress(const char *what);

/* bench_platform.c: the PLATFORM line (what machine this is). */
struct platform {
	char cpu[128], kernel[128], hv_vendor[16], dmi_vendor[64];
	char meltdown[128];
	int cpus;
	bool hypervisor, tcg, pti, pcid;
	double syscall_ns, call_ns, load_per_cpu;
};

extern struct platform plat;
void platform_print(double call_ns);
const char *platform_where(void);

/*
 * bench_stats.c: timing and statistics, the results table. Percentiles
 * are exact: linear interpolation between the order statistics of the
 * samples. After several runs (opt.runs), median, p10 and p90 are the
 * medians over the runs of each run's own, and run_lo..run_hi is the
 * spread between the runs' medians.
 */
#define MAX_RUNS	16

struct stats {
	double median, p10, p90, min;
	int n;
	long batch;
	double csw;	/* ping-pong: pinger's context switches per op */
	int runs;
	double run_lo, run_hi;
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

/* Each run's results: the cells, the call baseline, the speedups. */
extern struct stats run_result[MAX_RUNS][NROWS][NCOLS];
extern struct stats run_call[MAX_RUNS];
extern double run_speedup[MAX_RUNS][NCOLS];
extern int nruns;

struct stats stats_of(double *v, int n, long batch);
double percentile(const double *sorted, int n, double p);
/* Keep this run's results (result, call_stats) as run nruns. */
void keep_run(void);
/* result and call_stats become the aggregate of the runs kept. */
void aggregate_runs(void);
struct stats measure(void (*op)(void), long batch);
void record(enum row r, enum col c, double *v, int n, long batch);
double med(enum row r, enum col c);
double vs_ult(enum row r, enum col c);
double speedup(enum col c);

/* bench_switch.c: (a) and (d), create and ping-pong. */
void bench_call(void);
/* A same-CPU futex ping-pong, each side writing pages between hand-offs. */
struct stats pingpong_ws(enum col c, int pages);
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

/* bench_ws.c: (d) by its reason, a working-set sweep. */
#define NWS	4
extern const int ws_pages[NWS];
extern struct stats ws_result[MAX_RUNS][NWS][NCOLS];
void bench_ws(int run);
void print_ws(void);

/* bench_claims.c: each claim's rule, verdict and numbers. */
void print_claims(void);

/*
 * --models: the same operations under each thread model. M:1 is the ult
 * column of the classic table; M:N runs on opt.nvp VPs, without and with
 * the monitor; 1:1 is pthreads.
 */
enum mcol { MCOL_M1, MCOL_MN, MCOL_MN_MON, MCOL_1TO1, NMCOLS };

enum mrow {
	MROW_LOCK,		/* uncontended lock+unlock */
	MROW_LOCK_CONT,		/* contended lock+unlock, per pair */
	MROW_COND_PP,		/* condvar ping-pong round trip */
	MROW_BLOCK_IDLE,	/* sibling's longest gap, a VP idle */
	MROW_BLOCK_BUSY,	/* the same, every other VP busy */
	NMROWS
};

extern const char *const mcol_name[NMCOLS];
extern const char *const mcol_label[NMCOLS];
extern const struct row_info mrows[NMROWS];
extern struct stats mresult[NMROWS][NMCOLS];
/* --models extras: M:N stats of the runs that need them. */
extern struct ult_mn_stats mn_block_stats[2];	/* idle, busy; monitor on */
extern unsigned long mn_cont_parks;		/* contended mutex, M:N */

/* bench_sync.c: mutex and condition variable, per model. */
void bench_sync(enum mcol c);

/* bench_mnblock.c: a blocking read() under each model. */
void bench_mnblock(enum mrow r, enum mcol c);

/* bench_models.c: --models' ROW lines, table and claims. */
void print_models(void);

#endif /* ULT_BENCH_H */
