/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the seed tables of ultbench --models share (bench_seed002.c, seed
 * 002's performance table; bench_fair.c, seed 001's fairness claim;
 * bench_lhp.c, lock-holder preemption): the four models as an ops table,
 * a cell of repeated runs, and the table printer (rows are operations,
 * columns are models, each cell the median of the runs, its min..max
 * spread and its ratio to the row's M:1 cell).
 */
#ifndef ULT_BENCH_SEED_H
#define ULT_BENCH_SEED_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "bench.h"
#include "bench_rules.h"

#define SEED_MAX_RUNS	16
#define SEED_MAX_IO_K	8

/* The seed tables' options (ultbench --help lists them). */
struct seed_opts {
	int runs;		/* --seed-runs: runs of every cell */
	int io_k[SEED_MAX_IO_K];	/* --io-k: connections, I/O rows */
	int n_io_k;
	int io_ms;		/* --io-ms: measuring time per I/O cell */
	int io_proc_max;	/* --io-proc-max: most processes forked */
	int fair_ms;		/* --fair-ms: each fairness contest */
	int lhp_ms;		/* --lhp-ms: each lock-holder run */
	unsigned int parts;	/* --parts: bit per SEED_PART_* */
};

enum {
	SEED_PART_SYNC,		/* bench_sync.c, bench_mnblock.c */
	SEED_PART_SEED002,
	SEED_PART_FAIR,
	SEED_PART_LHP,
	SEED_NPARTS,
};

/* ultbench.c's long options for them: keys SEED_OPT_BASE + i. */
#define SEED_OPT_BASE	0x1000
#define SEED_NOPTS	7
#define SEED_USAGE \
	"                [--parts sync,seed002,fair,lhp] [--seed-runs N]\n" \
	"                [--io-k K,K,...] [--io-ms MS] [--io-proc-max N]\n" \
	"                [--fair-ms MS] [--lhp-ms MS]\n"

extern struct seed_opts sopt;

/* Parse the option with key SEED_OPT_BASE + i; dies on a bad value. */
void seed_option(int i, const char *val);
bool seed_part(int part);
/* The seed tables --parts asks for (all by default). */
void run_seed_tables(void);

/* The three seed tables. */
void bench_seed002(void);
void bench_fair(void);
void bench_lhp(void);

enum smodel { SM_M1, SM_MN, SM_1TO1, SM_PROC, NSM };

/*
 * A model: M:1 and M:N (with the netpoller) run ULTs, 1:1 pthreads, and
 * "process" one child process per thread (fork, waitpid).
 */
struct smodel_ops {
	const char *name;	/* column name in ROW lines */
	const char *label;	/* column heading */
	int (*init)(void);	/* 0 or -1 (errno) */
	void (*fini)(void);
	void *(*spawn)(ult_fn_t fn, void *arg);	/* NULL (errno) on error */
	void (*join)(void *h);
	ssize_t (*read)(int fd, void *buf, size_t len);
};

extern const struct smodel_ops smodels[NSM];

/* One cell: a value per run, or why it could not be measured. */
struct scell {
	int n;
	double v[SEED_MAX_RUNS];
	char why[160];		/* "": fine */
};

/* A row of a seed table: its name (ROW lines), label and unit. */
struct srow {
	const char *name;
	const char *label;
	const char *unit;	/* "ns", "/s", "B", "%", "x" */
	bool higher_better;	/* for the winner: throughput, share */
};

void scell_add(struct scell *c, double v);
/* Median of the runs; 0 if none. */
double scell_med(const struct scell *c);
double scell_min(const struct scell *c);
double scell_max(const struct scell *c);
/* "1.23us", "45.6k/s", "12.0KiB", "50.0%": a value in a row's unit. */
const char *sfmt(char *buf, size_t len, double v, const char *unit);

/*
 * Print a table: a ROW line per cell for scripts, then the table people
 * read. cells[r * ncols + c]; base: the column every ratio is to.
 */
void seed_table(const char *title, const struct srow *rows, int nrows,
		const char *const *cols, int ncols, const struct scell *cells,
		int base);

/*
 * For judge_claim(): rule id's value in each run, num's over den's (1 if
 * den is NULL); and the reason to refuse to decide (a busy machine), or
 * NULL.
 */
struct rule_values seed_ratio(const char *id, const struct scell *num,
			      const struct scell *den);
const char *seed_busy(void);

/* The resident set of this process, and the kernel stacks, in bytes. */
long rss_bytes(pid_t pid);
long kernel_stack_bytes(void);

#endif /* ULT_BENCH_SEED_H */
