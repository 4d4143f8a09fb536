// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench --models' report: a ROW line per measured cell, in the classic
 * table's format, then the table people read (median and ratio to the
 * M:1 cell, the p10..p90 spread) and the claims, each decided by a rule
 * fixed before the first run:
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

static const char *verdict(bool holds)
{
	return holds ? "HOLDS" : "DOES NOT HOLD";
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
	bool s1 = lock <= 10 * call, s2 = pp_ratio >= 100;
	bool st = g_steal < block / 4 && g_m1 >= block / 2;
	bool mon = g_busy >= block / 2 && g_mon < block / 4;
	char x[24], y[24], z[24];

	printf("CLAIM sync %s lock_ns=%.1f call_ns=%.1f lock_vs_call=%.2f",
	       verdict(s1 && s2), lock, call, call ? lock / call : 0);
	printf(" cond_pp_ns=%.1f pthread_cond_pp_ns=%.1f cond_pp_ratio=%.1f\n",
	       pp, mmed(MROW_COND_PP, MCOL_1TO1), pp_ratio);
	printf("(sync) \"Synchronizing [user-level] threads only needs a procedure call.\"\n"
	       "    rule: holds if in M:1 an uncontended lock+unlock costs <= 10 indirect\n"
	       "    procedure calls, AND a condition-variable ping-pong round trip is\n"
	       "    >= 100x cheaper than between two pthreads.\n");
	printf("    M:1 lock+unlock %s = %.1f calls (%s); M:N %s; pthread %s\n",
	       fmt_ns(x, sizeof(x), lock), call ? lock / call : 0,
	       s1 ? "ok" : "too slow",
	       fmt_ns(y, sizeof(y), mmed(MROW_LOCK, MCOL_MN)),
	       fmt_ns(z, sizeof(z), mmed(MROW_LOCK, MCOL_1TO1)));
	printf("    condvar ping-pong: M:1 %s, pthread %.0fx that (%s); M:N %s\n",
	       fmt_ns(x, sizeof(x), pp), pp_ratio, s2 ? "ok" : "below 100x",
	       fmt_ns(y, sizeof(y), mmed(MROW_COND_PP, MCOL_MN)));
	printf("    => (sync) %s\n\n", verdict(s1 && s2));

	printf("CLAIM mn_steal %s mn_gap_ns=%.0f ult_gap_ns=%.0f block_ns=%.0f\n",
	       verdict(st), g_steal, g_m1, block);
	printf("(mn_steal) \"On M:N a blocking call stops one VP; idle VPs steal its threads.\"\n"
	       "    rule: holds if, while a thread waits %d ms in read(), a sibling\n"
	       "    queued on the same VP stalls < a quarter of that on M:N without the\n"
	       "    monitor, the other VPs idle, where on M:1 it stalls >= half of it.\n",
	       opt.block_ms);
	printf("    longest gap: M:N %s, M:1 %s => (mn_steal) %s\n\n",
	       fmt_ns(x, sizeof(x), g_steal), fmt_ns(y, sizeof(y), g_m1),
	       verdict(st));

	printf("CLAIM mn_monitor %s nomon_gap_ns=%.0f mon_gap_ns=%.0f block_ns=%.0f",
	       verdict(mon), g_busy, g_mon, block);
	printf(" handoffs=%lu kthreads=%d threshold_us=%u max_sleep_us=%u\n",
	       mn_block_stats[1].handoffs, mn_block_stats[1].kthreads,
	       opt.mon_us, opt.mon_max_us);
	printf("(mn_monitor) \"With no VP idle, only a monitor that hands the blocked VP's\n"
	       "    queue to a spare kernel thread keeps its threads running.\"\n"
	       "    rule: holds if, every other VP busy with a thread of its own, the\n"
	       "    sibling stalls >= half the block without the monitor and < a\n"
	       "    quarter with it (threshold %u us, sleep 20 us doubling to %u us).\n",
	       opt.mon_us, opt.mon_max_us);
	printf("    longest gap: without %s, with %s (%lu handoffs in %d runs;\n"
	       "    1:1 for scale: %s) => (mn_monitor) %s\n",
	       fmt_ns(x, sizeof(x), g_busy), fmt_ns(y, sizeof(y), g_mon),
	       mn_block_stats[1].handoffs, opt.block_reps,
	       fmt_ns(z, sizeof(z), mmed(MROW_BLOCK_BUSY, MCOL_1TO1)),
	       verdict(mon));
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
