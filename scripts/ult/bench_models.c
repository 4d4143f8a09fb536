// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench --models' report: a ROW line per measured cell, in the classic
 * table's format, then the table people read (median and ratio to the
 * M:1 cell, the p10..p90 spread) and the claims, each decided by its
 * rules in the rules table (bench_rules.c), in short:
 *
 *   sync        "synchronizing threads only needs a procedure call": in
 *               M:1 an uncontended lock+unlock costs <= 10 procedure
 *               calls, and a condvar ping-pong round trip is >= 100x
 *               cheaper than with pthreads (claim (a)'s two bounds);
 *   mn_steal    M:N without the monitor, a VP idle: the sibling's longest
 *               gap is < a quarter of the block, where M:1's is >= half;
 *   mn_monitor  every other VP busy: without the monitor the gap is
 *               >= half the block, with it < a quarter.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "bench_rules.h"

const char *const mcol_name[NMCOLS] = {
	"ult", "ult_mn", "ult_mn_monitor", "pthread",
};

const char *const mcol_label[NMCOLS] = {
	"M:1", "M:N", "M:N+monitor", "1:1 (pthread)",
};

const struct row_info mrows[NMROWS] = {
	[MROW_LOCK] = { "mutex_uncontended", "lock+unlock, uncontended",
			MROW_LOCK },
	[MROW_LOCK_CONT] = { "mutex_contended", "lock+unlock, contended",
			     MROW_LOCK_CONT },
	[MROW_COND_PP] = { "cond_pingpong", "condvar ping-pong",
			   MROW_COND_PP },
	[MROW_BLOCK_IDLE] = { "block_gap_idle_vp", "blocking gap, a VP idle",
			      -1 },
	[MROW_BLOCK_BUSY] = { "block_gap_busy_vps",
			      "blocking gap, VPs busy", -1 },
};

struct stats mresult[NMROWS][NMCOLS];

static double mmed(enum mrow r, enum mcol c)
{
	return mresult[r][c].n ? mresult[r][c].median : 0;
}

/* A cell over its row's M:1 figure; 0 if there is none. */
static double vs_m1(enum mrow r, enum mcol c)
{
	if (mrows[r].base < 0 || !mresult[r][c].n || !mresult[r][MCOL_M1].n)
		return 0;
	return mresult[r][c].median / mresult[r][MCOL_M1].median;
}

static void print_mrows(void)
{
	const struct stats *s;
	int r, c;

	for (r = 0; r < NMROWS; r++) {
		for (c = 0; c < NMCOLS; c++) {
			s = &mresult[r][c];
			if (!s->n)
				continue;
			printf("ROW %s %s median_ns=%.1f p10_ns=%.1f p90_ns=%.1f",
			       mrows[r].name, mcol_name[c], s->median, s->p10,
			       s->p90);
			printf(" min_ns=%.1f n=%d batch=%ld", s->min, s->n,
			       s->batch);
			if (vs_m1(r, c))
				printf(" vs_ult=%.2f", vs_m1(r, c));
			if (s->csw >= 0)
				printf(" csw_per_op=%.2f", s->csw);
			printf("\n");
		}
	}
}

#define LABEL_W	27
#define CELL_W	19

static void mtable_line(const char *label, char cells[NMCOLS][40])
{
	char line[LABEL_W + NMCOLS * 40 + 1];
	int len, c;

	len = snprintf(line, sizeof(line), "%-*s", LABEL_W, label);
	for (c = 0; c < NMCOLS; c++)
		len += snprintf(line + len, sizeof(line) - len, "%-*s", CELL_W,
				cells[c]);
	while (len && line[len - 1] == ' ')
		line[--len] = '\0';
	puts(line);
}

static void print_mtable(void)
{
	char cells[NMCOLS][40], a[24], b[24];
	const struct stats *s;
	double x;
	int r, c;

	printf("\nthread models: median per op; xN = ratio to the M:1 figure of the row\n"
	       "(M:N: %d VPs; ping-pong: per round trip; blocking gap: a sibling's\n"
	       "longest stall while a thread waits %d ms in read())\n",
	       opt.nvp, opt.block_ms);
	for (c = 0; c < NMCOLS; c++)
		snprintf(cells[c], sizeof(cells[c]), "%s", mcol_label[c]);
	mtable_line("operation", cells);
	memset(cells, 0, sizeof(cells));
	fmt_ns(cells[MCOL_M1], sizeof(cells[0]), call_stats.median);
	mtable_line("procedure call", cells);
	for (r = 0; r < NMROWS; r++) {
		for (c = 0; c < NMCOLS; c++) {
			s = &mresult[r][c];
			x = vs_m1(r, c);
			if (!s->n)
				snprintf(cells[c], sizeof(cells[c]), "-");
			else if (x)
				snprintf(cells[c], sizeof(cells[c]),
					 x >= 100 ? "%s x%.0f" : x >= 10 ?
					 "%s x%.1f" : "%s x%.2f",
					 fmt_ns(a, sizeof(a), s->median), x);
			else
				fmt_ns(cells[c], sizeof(cells[c]), s->median);
		}
		mtable_line(mrows[r].label, cells);
		for (c = 0; c < NMCOLS; c++) {
			s = &mresult[r][c];
			cells[c][0] = '\0';
			if (s->n)
				snprintf(cells[c], sizeof(cells[c]), "%s..%s",
					 fmt_ns(a, sizeof(a), s->p10),
					 fmt_ns(b, sizeof(b), s->p90));
		}
		mtable_line("  p10..p90", cells);
		for (c = 0; c < NMCOLS; c++) {
			s = &mresult[r][c];
			cells[c][0] = '\0';
			if (s->n && s->csw >= 0)
				snprintf(cells[c], sizeof(cells[c]), "%.2f",
					 s->csw);
		}
		if (r == MROW_LOCK_CONT || r == MROW_COND_PP)
			mtable_line("  kernel switches per op", cells);
	}
	printf("(contended: %d threads; M:1 threads never hold the lock while another\n"
	       "runs, so there it is never contended)\n\n",
	       opt.nvp * 2 > 4 ? opt.nvp * 2 : 4);
}

/* One run's value of a rule, as judge_claim() takes it. */
static struct rule_values one(const char *id, double v)
{
	struct rule_values rv = { .id = id, .n = 1, .v = { v } };

	return rv;
}

static void print_mclaims(void)
{
	double call = call_stats.median, block = opt.block_ms * 1e6;
	double lock = mmed(MROW_LOCK, MCOL_M1);
	double pp = mmed(MROW_COND_PP, MCOL_M1);
	double pp_ratio = pp ? mmed(MROW_COND_PP, MCOL_1TO1) / pp : 0;
	double g_m1 = mmed(MROW_BLOCK_IDLE, MCOL_M1);
	double g_steal = mmed(MROW_BLOCK_IDLE, MCOL_MN);
	double g_busy = mmed(MROW_BLOCK_BUSY, MCOL_MN);
	double g_mon = mmed(MROW_BLOCK_BUSY, MCOL_MN_MON);
	struct rule_values sync[] = {
		one("sync.lock_vs_call", call ? lock / call : 0),
		one("sync.cond_ratio", pp_ratio),
	};
	struct rule_values steal[] = {
		one("mn_steal.mn_gap", g_steal / block),
		one("mn_steal.m1_gap", g_m1 / block),
	};
	struct rule_values mon[] = {
		one("mn_monitor.nomon_gap", g_busy / block),
		one("mn_monitor.mon_gap", g_mon / block),
	};
	char why[128], x[24], y[24], z[24];
	const char *busy = NULL;

	/* One run each: HOLDS or FAILS, never UNSTABLE. */
	if (plat.load_per_cpu > RULES_MAX_LOAD_PER_CPU) {
		snprintf(why, sizeof(why),
			 "load average %.2f per CPU before the run, above %.1f",
			 plat.load_per_cpu, RULES_MAX_LOAD_PER_CPU);
		busy = why;
	}
	judge_claim(stdout, "sync", sync, ARRAY_SIZE(sync), busy);
	printf("    M:1 lock+unlock %s = %.1f calls; M:N %s; pthread %s\n",
	       fmt_ns(x, sizeof(x), lock), call ? lock / call : 0,
	       fmt_ns(y, sizeof(y), mmed(MROW_LOCK, MCOL_MN)),
	       fmt_ns(z, sizeof(z), mmed(MROW_LOCK, MCOL_1TO1)));
	printf("    condvar ping-pong: M:1 %s, pthread %.0fx that; M:N %s\n\n",
	       fmt_ns(x, sizeof(x), pp), pp_ratio,
	       fmt_ns(y, sizeof(y), mmed(MROW_COND_PP, MCOL_MN)));

	judge_claim(stdout, "mn_steal", steal, ARRAY_SIZE(steal), busy);
	printf("    a thread waits %d ms in read(); longest gap of a sibling on its\n"
	       "    VP: M:N (no monitor, other VPs idle) %s, M:1 %s\n\n",
	       opt.block_ms, fmt_ns(x, sizeof(x), g_steal),
	       fmt_ns(y, sizeof(y), g_m1));

	judge_claim(stdout, "mn_monitor", mon, ARRAY_SIZE(mon), busy);
	printf("    every other VP busy: longest gap without the monitor %s, with it\n"
	       "    %s (threshold %u us, sleep 20 us doubling to %u us; %lu handoffs,\n"
	       "    %d kernel threads in %d runs; 1:1 for scale: %s)\n",
	       fmt_ns(x, sizeof(x), g_busy), fmt_ns(y, sizeof(y), g_mon),
	       opt.mon_us, opt.mon_max_us, mn_block_stats[1].handoffs,
	       mn_block_stats[1].kthreads, opt.block_reps,
	       fmt_ns(z, sizeof(z), mmed(MROW_BLOCK_BUSY, MCOL_1TO1)));
}

void print_models(void)
{
	printf("ROW proc_call base median_ns=%.1f p10_ns=%.1f p90_ns=%.1f",
	       call_stats.median, call_stats.p10, call_stats.p90);
	printf(" min_ns=%.1f n=%d batch=%ld\n", call_stats.min, call_stats.n,
	       call_stats.batch);
	print_mrows();
	print_mtable();
	print_mclaims();
}
