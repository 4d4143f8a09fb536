// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench: measure the "user-level vs kernel-level threads" claims on the
 * user-space side. This file holds the options and the order of the runs.
 *
 *   (a) ULT operations are as fast as a procedure call; kernel thread
 *       operations are hundreds of times slower.
 *   (b) A blocking system call in one ULT blocks the whole process.
 *   (c) Many-to-one ULTs get no multicore parallelism.
 *   (d) Thread switches are cheaper than process switches.
 *
 * Columns are mechanisms: ult (asm switch), ult_uctx (swapcontext), pthread
 * (1:1, one kernel thread each) and process. Rows are operations. stdout
 * gets "INFO", "ROW" and "SKIP" lines for scripts, a human table, then
 * per claim a "CLAIM" line and its decision rule and numbers in words.
 * Progress goes to stderr.
 *
 *   ROW <op> <column> median_ns=<x> p10_ns=<x> p90_ns=<x> min_ns=<x>
 *       n=<samples> batch=<ops per sample> [vs_ult=<median / ult median>]
 *       [csw_per_op=<pinger's context switches per ping-pong round trip>]
 *   ROW parallel_speedup <column> speedup=<x> threads=<n> cpu_per_wall=<x>
 *   PLATFORM where="<label>" cpu="<model>" ... (bench_platform.c), first
 *   CLAIM <id> HOLDS|FAILS|UNSTABLE|INCONCLUSIVE runs=<n> [why="..."]
 *   RULE <claim>.<name> <verdict> median=<x> runs=<x>,... pass=<k>/<n>
 *       rule="<quantity> >=|<= <threshold>" why="<its defence>"
 *
 * --runs N (default 5) repeats the whole set; each cell is then the
 * median of the run medians, with the lowest and highest run, and each
 * claim is judged run by run (bench_rules.h).
 *
 * A sample is the mean over a batch of ops (one ULT switch is too short
 * to time alone); ping-pong ops are round trips (two switches).
 *
 * --models measures the thread models side by side instead: M:1, M:N
 * (--nvp VPs, default one per online CPU) without and with the monitor
 * (--monitor-us threshold, --monitor-max-us longest sleep; Go's 20 us and
 * 10 ms by default), and 1:1 pthreads. Rows: mutex lock+unlock,
 * uncontended and contended; a condition variable ping-pong; a sibling's
 * longest stall while a thread blocks in read(), with a VP idle and with
 * every other VP busy. Same ROW format (columns ult, ult_mn,
 * ult_mn_monitor, pthread), its own table, then the claims sync,
 * mn_steal and mn_monitor.
 *
 * The other files: bench_stats.c (timing, statistics, the results table),
 * bench_switch.c (a, d), bench_block.c (b), bench_parallel.c (c),
 * bench_report.c (ROW lines, the table), bench_claims.c (CLAIM lines);
 * for --models bench_sync.c, bench_mnblock.c and bench_models.c.
 * Every verdict comes from the claim rules table (bench_rules.c):
 * "ultbench --rules" prints it, and "ultbench --judge" judges figures
 * measured elsewhere (VALUE lines on stdin) by the same rules.
 *
 * The ult library's self-test is ult-selftest (ult_selftest.c);
 * "ultbench --selftest" runs it from beside this binary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "bench_rules.h"
#include "bench_seed.h"

struct bench_opts opt = {
	.samples = 200,
	.block_ms = 200,
	.block_reps = 5,
	.work = 1L << 25,
	.par_reps = 5,
	.timeout_s = 120,
	.sync_reps = 11,
	.mon_us = 20,
	.mon_max_us = 10000,
	.runs = 5,
};

static int ncpus;		/* CPUs we may run on */
int cpu_a, cpu_b;

void progress(const char *what)
{
	fprintf(stderr, "ultbench: measuring %s\n", what);
}

static void find_cpus(void)
{
	cpu_set_t set;
	int i, online;

	if (sched_getaffinity(0, sizeof(set), &set))
		die("sched_getaffinity: %s", strerror(errno));
	ncpus = CPU_COUNT(&set);
	cpu_a = -1;
	cpu_b = -1;
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (cpu_a < 0)
			cpu_a = i;
		else if (cpu_b < 0)
			cpu_b = i;
	}
	online = sysconf(_SC_NPROCESSORS_ONLN);
	if (!opt.threads)
		opt.threads = online > 2 ? online : 2;
	if (opt.threads > MAX_THREADS)
		opt.threads = MAX_THREADS;
	if (!opt.nvp)
		opt.nvp = online < ULT_MAX_VPS ? online : ULT_MAX_VPS;
	printf("INFO cpus_online=%d cpus_allowed=%d cpu_a=%d cpu_b=%d",
	       online, ncpus, cpu_a, cpu_b);
	if (opt.models) {
		printf(" samples=%d block_ms=%d block_reps=%d nvp=%d sync_reps=%d",
		       opt.samples, opt.block_ms, opt.block_reps, opt.nvp,
		       opt.sync_reps);
		printf(" monitor_us=%u monitor_max_us=%u\n", opt.mon_us,
		       opt.mon_max_us);
		return;
	}
	printf(" samples=%d block_ms=%d block_reps=%d work=%ld par_reps=%d threads=%d",
	       opt.samples, opt.block_ms, opt.block_reps, opt.work,
	       opt.par_reps, opt.threads);
	printf(" runs=%d\n", opt.runs);
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: ultbench [--selftest] [--samples N] [--block-ms MS] [--block-reps N]\n"
		"                [--work ROUNDS] [--par-reps N] [--threads N] [--timeout S]\n"
		"                [--runs N] [--platform]\n"
		"       ultbench --models [--nvp N] [--samples N] [--block-ms MS]\n"
		"                [--block-reps N] [--sync-reps N] [--monitor-us US]\n"
		"                [--monitor-max-us US] [--timeout S]\n"
		SEED_USAGE
		"       ultbench --rules | --judge <VALUE-LINES\n");
}

/*
 * "ultbench --selftest", from before the self-test was a program of its
 * own: run ult-selftest from the directory this binary is in.
 */
static void __noreturn exec_selftest(void)
{
	static const char name[] = "ult-selftest";
	char path[PATH_MAX], *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", path, sizeof(path) - sizeof(name));
	if (n < 0)
		die("--selftest: /proc/self/exe: %s", strerror(errno));
	path[n] = '\0';
	slash = strrchr(path, '/');
	memcpy(slash ? slash + 1 : path, name, sizeof(name));
	execl(path, name, (char *)NULL);
	die("--selftest: %s: %s", path, strerror(errno));
}

/* --models: the thread models' benchmarks, then their report. */
static void run_models(void)
{
	static const enum mcol sync_cols[] = { MCOL_M1, MCOL_MN, MCOL_1TO1 };
	enum mcol c;
	int i, r;

	if (!seed_part(SEED_PART_SYNC)) {
		run_seed_tables();
		return;
	}
	bench_call();
	for (i = 0; i < (int)ARRAY_SIZE(sync_cols); i++) {
		progress(mcol_label[sync_cols[i]]);
		bench_sync(sync_cols[i]);
	}
	progress("blocking gap");
	for (r = MROW_BLOCK_IDLE; r <= MROW_BLOCK_BUSY; r++)
		for (c = 0; c < NMCOLS; c++)
			bench_mnblock(r, c);
	print_models();
	run_seed_tables();
}

/*
 * One independent run of the classic set: every benchmark afresh, its
 * results kept apart from the other runs' (keep_run).
 */
static void run_classic(int run)
{
	memset(result, 0, sizeof(result));
	bench_ult(COL_ULT, ULT_SWITCH_ASM);	/* with the call baseline */
	bench_ult(COL_UCTX, ULT_SWITCH_UCONTEXT);
	bench_kernel_threads(COL_PTHREAD);
	bench_kernel_threads(COL_PROCESS);
	progress("blocking gap");
	bench_block(ROW_BLOCK, COL_ULT);
	bench_block(ROW_BLOCK_NB, COL_ULT);
	bench_block(ROW_BLOCK, COL_PTHREAD);
	bench_block(ROW_BLOCK, COL_PROCESS);
	progress("parallel speedup");
	bench_parallel(COL_ULT);
	bench_parallel(COL_PTHREAD);
	bench_ws(run);
	keep_run();
}

static long arg_num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < min || v > max)
		die("bad number \"%s\" (want %ld..%ld)", s, min, max);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "selftest", no_argument, NULL, 'S' },
		{ "samples", required_argument, NULL, 's' },
		{ "block-ms", required_argument, NULL, 'b' },
		{ "block-reps", required_argument, NULL, 'B' },
		{ "work", required_argument, NULL, 'w' },
		{ "par-reps", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "models", no_argument, NULL, 'M' },
		{ "nvp", required_argument, NULL, 'n' },
		{ "sync-reps", required_argument, NULL, 'r' },
		{ "monitor-us", required_argument, NULL, 'u' },
		{ "monitor-max-us", required_argument, NULL, 'U' },
		{ "runs", required_argument, NULL, 'N' },
		{ "platform", no_argument, NULL, 'P' },
		{ "rules", no_argument, NULL, 'R' },
		{ "judge", no_argument, NULL, 'J' },
		{ "seed-runs", required_argument, NULL, SEED_OPT_BASE + 0 },
		{ "io-k", required_argument, NULL, SEED_OPT_BASE + 1 },
		{ "io-ms", required_argument, NULL, SEED_OPT_BASE + 2 },
		{ "io-proc-max", required_argument, NULL, SEED_OPT_BASE + 3 },
		{ "fair-ms", required_argument, NULL, SEED_OPT_BASE + 4 },
		{ "lhp-ms", required_argument, NULL, SEED_OPT_BASE + 5 },
		{ "parts", required_argument, NULL, SEED_OPT_BASE + 6 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool self = false;
	int o, run;

	while ((o = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (o) {
		case 'S':
			self = true;
			break;
		case 's':
			opt.samples = arg_num(optarg, 10, 1000000);
			break;
		case 'b':
			opt.block_ms = arg_num(optarg, 10, 10000);
			break;
		case 'B':
			opt.block_reps = arg_num(optarg, 1, 1000);
			break;
		case 'w':
			opt.work = arg_num(optarg, 1000, 1L << 40);
			break;
		case 'p':
			opt.par_reps = arg_num(optarg, 1, 1000);
			break;
		case 't':
			opt.threads = arg_num(optarg, 2, MAX_THREADS);
			break;
		case 'T':
			opt.timeout_s = arg_num(optarg, 1, 86400);
			break;
		case 'M':
			opt.models = true;
			break;
		case 'n':
			opt.nvp = arg_num(optarg, 1, ULT_MAX_VPS);
			break;
		case 'r':
			opt.sync_reps = arg_num(optarg, 1, 1000);
			break;
		case 'u':
			opt.mon_us = arg_num(optarg, 1, 1000000);
			break;
		case 'U':
			opt.mon_max_us = arg_num(optarg, 20, 1000000);
			break;
		case 'N':
			opt.runs = arg_num(optarg, 1, MAX_RUNS);
			break;
		case 'P':
			opt.platform_only = true;
			break;
		case 'R':
			print_rules(stdout);
			return 0;
		case 'J':
			return judge_stdin();
		case SEED_OPT_BASE ... SEED_OPT_BASE + SEED_NOPTS - 1:
			seed_option(o - SEED_OPT_BASE, optarg);
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		print_usage(stderr);
		return 2;
	}
	if (self)
		exec_selftest();
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(opt.timeout_s);

	/* What machine this is, and how busy, before any figure. */
	platform_print(0);
	if (opt.platform_only)
		return 0;
	find_cpus();
	if (opt.models) {
		run_models();
		return 0;
	}
	if (cpu_b < 0)
		printf("SKIP pingpong_cross_cpu pipe_pingpong_cross_cpu: only 1 CPU allowed\n");
	for (run = 0; run < opt.runs; run++) {
		fprintf(stderr, "ultbench: run %d of %d\n", run + 1, opt.runs);
		run_classic(run);
	}
	aggregate_runs();

	print_rows();
	print_table();
	print_ws();
	print_claims();
	return 0;
}

