// SPDX-License-Identifier: GPL-2.0
/*
 * Claim (d) by its reason: process switches are said to cost more than
 * thread switches because they change address space, and the TLB (and
 * the caches) must then be refilled. An empty ping-pong cannot show that:
 * there is nothing to refill. Here, between hand-offs, each side writes
 * W pages of its own memory (W = 0, 16, 256, 4096), for a thread pair and
 * for a process pair, on one CPU. Threads share page tables, so what one
 * side's writes left in the TLB survives the other side's turn; a process
 * switch loads other page tables, and without PCID that flushes the TLB.
 * The PCID and PTI state printed with the table says which case this
 * machine is.
 *
 *   ROW ws_pingpong_<W> <pthread|process> median_ns=<x> p10_ns=<x>
 *       p90_ns=<x> run_lo_ns=<x> run_hi_ns=<x> runs=<n> pages=<W>
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

const int ws_pages[NWS] = { 0, 16, 256, 4096 };
struct stats ws_result[MAX_RUNS][NWS][NCOLS];

void bench_ws(int run)
{
	int w;

	progress("working-set sweep");
	for (w = 0; w < NWS; w++) {
		ws_result[run][w][COL_PTHREAD] = pingpong_ws(COL_PTHREAD,
							     ws_pages[w]);
		ws_result[run][w][COL_PROCESS] = pingpong_ws(COL_PROCESS,
							     ws_pages[w]);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median over the runs of one cell, with the lowest and highest run. */
static double ws_median(int w, enum col c, double *lo, double *hi)
{
	double v[MAX_RUNS];
	int k;

	for (k = 0; k < nruns; k++)
		v[k] = ws_result[k][w][c].median;
	qsort(v, nruns, sizeof(*v), cmp_double);
	*lo = v[0];
	*hi = v[nruns - 1];
	return percentile(v, nruns, 0.5);
}

void print_ws(void)
{
	static const enum col cols[] = { COL_PTHREAD, COL_PROCESS };
	double m[2], lo[2], hi[2];
	char a[24], b[24], x[24];
	int w, i;

	if (!nruns)
		return;
	for (w = 0; w < NWS; w++) {
		for (i = 0; i < 2; i++) {
			const struct stats *s = &ws_result[nruns - 1][w][cols[i]];

			m[i] = ws_median(w, cols[i], &lo[i], &hi[i]);
			printf("ROW ws_pingpong_%d %s median_ns=%.1f", ws_pages[w],
			       col_name[cols[i]], m[i]);
			printf(" p10_ns=%.1f p90_ns=%.1f run_lo_ns=%.1f",
			       s->p10, s->p90, lo[i]);
			printf(" run_hi_ns=%.1f runs=%d pages=%d\n", hi[i], nruns,
			       ws_pages[w]);
		}
	}
	printf("\nworking-set sweep, claim (d) by its reason: same-CPU futex ping-pong\n"
	       "round trip while each side writes W pages of its own between hand-offs\n"
	       "(median of %d run medians, [lowest..highest run]); this machine: PCID %s,\n"
	       "PTI %s (%s)\n", nruns, plat.pcid ? "yes" : "no",
	       plat.pti ? "on" : "off", plat.meltdown);
	printf("%-8s %-28s %-28s %s\n", "W pages", "threads", "processes",
	       "threads cheaper by");
	for (w = 0; w < NWS; w++) {
		char cell[2][64];

		for (i = 0; i < 2; i++) {
			m[i] = ws_median(w, cols[i], &lo[i], &hi[i]);
			snprintf(cell[i], sizeof(cell[i]), "%s [%s..%s]",
				 fmt_ns(x, sizeof(x), m[i]),
				 fmt_ns(a, sizeof(a), lo[i]),
				 fmt_ns(b, sizeof(b), hi[i]));
		}
		printf("%-8d %-28s %-28s %.1f%%\n", ws_pages[w], cell[0],
		       cell[1], m[1] ? 100 * (m[1] - m[0]) / m[1] : 0);
	}
}
