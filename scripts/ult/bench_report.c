// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench's report: a ROW line per measured cell for scripts, then the
 * table people read (median and xN ratio to the user-level figure, the
 * p10..p90 spread, the parallel speedup) and notes on doubtful rows.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "bench.h"

const char *fmt_ns(char *buf, size_t len, double ns)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.1fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.2fus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

void print_rows(void)
{
	const struct stats *s;
	int r, c;

	printf("ROW proc_call base median_ns=%.2f p10_ns=%.2f p90_ns=%.2f",
	       call_stats.median, call_stats.p10, call_stats.p90);
	printf(" min_ns=%.2f n=%d batch=%ld run_lo_ns=%.2f run_hi_ns=%.2f runs=%d\n",
	       call_stats.min, call_stats.n, call_stats.batch,
	       call_stats.run_lo, call_stats.run_hi, call_stats.runs);
	for (r = 0; r < NROWS; r++) {
		for (c = 0; c < NCOLS; c++) {
			s = &result[r][c];
			if (!s->n)
				continue;
			printf("ROW %s %s median_ns=%.1f p10_ns=%.1f p90_ns=%.1f",
			       rows[r].name, col_name[c], s->median, s->p10,
			       s->p90);
			printf(" min_ns=%.1f n=%d batch=%ld",
			       s->min, s->n, s->batch);
			printf(" run_lo_ns=%.1f run_hi_ns=%.1f runs=%d",
			       s->run_lo, s->run_hi, s->runs);
			if (vs_ult(r, c))
				printf(" vs_ult=%.2f", vs_ult(r, c));
			if (s->csw >= 0)
				printf(" csw_per_op=%.2f", s->csw);
			printf("\n");
		}
	}
	for (c = 0; c < NCOLS; c++) {
		if (!speedup(c))
			continue;
		printf("ROW parallel_speedup %s speedup=%.2f threads=%d",
		       col_name[c], speedup(c), opt.threads);
		printf(" cpu_per_wall=%.2f\n", cpu_per_wall[c]);
	}
}

#define LABEL_W	25
#define CELL_W	19

/* One table line: a label and NCOLS cells, without trailing blanks. */
static void table_line(const char *label, char cells[NCOLS][40])
{
	char line[LABEL_W + NCOLS * 40 + 1];
	int len, c;

	len = snprintf(line, sizeof(line), "%-*s", LABEL_W, label);
	for (c = 0; c < NCOLS; c++)
		len += snprintf(line + len, sizeof(line) - len, "%-*s",
				CELL_W, cells[c]);
	while (len && line[len - 1] == ' ')
		line[--len] = '\0';
	puts(line);
}

void print_table(void)
{
	char cells[NCOLS][40], a[24], b[24];
	const struct stats *s;
	double x;
	int r, c;

	printf("\nmedian per op over %d independent runs (the median of the run\n"
	       "medians); xN = ratio to the user-level (ult) figure of the row\n"
	       "(ping-pong: per round trip = 2 switches; all ratios to the ULT one).\n"
	       "runs: the lowest..highest run median. p10..p90: percentiles of the\n"
	       "samples, exact (interpolated between order statistics), median of\n"
	       "the runs'. The procedure call is timed in the ULT ping-pong's loop,\n"
	       "interleaved with it.\n", call_stats.runs);
	for (c = 0; c < NCOLS; c++)
		snprintf(cells[c], sizeof(cells[c]), "%s", col_name[c]);
	table_line("operation", cells);
	memset(cells, 0, sizeof(cells));
	fmt_ns(cells[COL_ULT], sizeof(cells[0]), call_stats.median);
	table_line("procedure call", cells);
	for (r = 0; r < NROWS; r++) {
		for (c = 0; c < NCOLS; c++) {
			s = &result[r][c];
			x = vs_ult(r, c);
			if (!s->n)
				snprintf(cells[c], sizeof(cells[c]), "%s",
					 c == COL_ULT && (r == ROW_PP_CROSS ||
					 r == ROW_PIPE_CROSS) ? "n/a (M:1)" : "-");
			else if (x)
				snprintf(cells[c], sizeof(cells[c]),
					 x >= 100 ? "%s x%.0f" : x >= 10 ?
					 "%s x%.1f" : "%s x%.2f",
					 fmt_ns(a, sizeof(a), s->median), x);
			else
				fmt_ns(cells[c], sizeof(cells[c]), s->median);
		}
		table_line(rows[r].label, cells);
		for (c = 0; c < NCOLS; c++) {
			s = &result[r][c];
			cells[c][0] = '\0';
			if (s->n)
				snprintf(cells[c], sizeof(cells[c]), "%s..%s",
					 fmt_ns(a, sizeof(a), s->run_lo),
					 fmt_ns(b, sizeof(b), s->run_hi));
		}
		table_line("  runs", cells);
		for (c = 0; c < NCOLS; c++) {
			s = &result[r][c];
			cells[c][0] = '\0';
			if (s->n)
				snprintf(cells[c], sizeof(cells[c]), "%s..%s",
					 fmt_ns(a, sizeof(a), s->p10),
					 fmt_ns(b, sizeof(b), s->p90));
		}
		table_line("  p10..p90", cells);
	}
	for (c = 0; c < NCOLS; c++) {
		snprintf(cells[c], sizeof(cells[c]), "-");
		if (speedup(c))
			snprintf(cells[c], sizeof(cells[c]), "%.2fx of %dx",
				 speedup(c), opt.threads);
	}
	table_line("parallel speedup", cells);
	for (c = 0; c < NCOLS; c++) {
		snprintf(cells[c], sizeof(cells[c]), "-");
		if (speedup(c))
			snprintf(cells[c], sizeof(cells[c]), "%.2f",
				 cpu_per_wall[c]);
	}
	table_line("  CPU time / wall time", cells);
	printf("(speedup: best 1-thread run / best N-thread run)\n\n");
	/*
	 * A kernel ping-pong round trip should switch the pinger out once.
	 * Across CPUs both sides may instead stay on-CPU, each answering
	 * while the other is still in its wake-up system call: then the row
	 * measured system-call latency, not a switch. Say so.
	 */
	for (r = 0; r < NROWS; r++) {
		for (c = 0; c < NCOLS; c++) {
			s = &result[r][c];
			if (s->n && s->csw >= 0 && s->csw < 0.5) {
				printf("note: %s/%s: the pinger was switched out",
				       rows[r].name, col_name[c]);
				printf(" in only %.0f%% of round trips",
				       100 * s->csw);
				printf(" (both stayed on-CPU): this is not a switch cost\n");
			}
		}
	}
}
