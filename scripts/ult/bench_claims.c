// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench's claims (a) to (d): each rule's quantity, computed once per
 * independent run, judged by the rules table (bench_rules.c), then the
 * numbers in words. judge_claim() prints the CLAIM and RULE lines; a load
 * average above RULES_MAX_LOAD_PER_CPU before the runs makes every claim
 * INCONCLUSIVE.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "bench.h"
#include "bench_rules.h"

static double rmed(int k, enum row r, enum col c)
{
	return run_result[k][r][c].n ? run_result[k][r][c].median : 0;
}

static double ratio(double a, double b)
{
	return b ? a / b : 0;
}

/* Percent by which a thread figure is below the process one. */
static double pct_below(double thread, double process)
{
	return process ? 100 * (process - thread) / process : 0;
}

/* One rule's value in every run, from fn(run). */
static struct rule_values values(const char *id, double (*fn)(int))
{
	struct rule_values rv = { .id = id, .n = nruns };
	int k;

	for (k = 0; k < nruns; k++)
		rv.v[k] = fn(k);
	return rv;
}

static double a_call(int k)
{
	return ratio(rmed(k, ROW_PP_SAME, COL_ULT) / 2, run_call[k].median);
}

static double a_create(int k)
{
	return ratio(rmed(k, ROW_CREATE, COL_PTHREAD),
		     rmed(k, ROW_CREATE, COL_ULT));
}

static double a_pp(int k)
{
	return ratio(rmed(k, ROW_PP_SAME, COL_PTHREAD),
		     rmed(k, ROW_PP_SAME, COL_ULT));
}

static double block_ns(void)
{
	return (double)opt.block_ms * NSEC_PER_MSEC;
}

static double b_ult(int k)
{
	return rmed(k, ROW_BLOCK, COL_ULT) / block_ns();
}

static double b_pt(int k)
{
	return rmed(k, ROW_BLOCK, COL_PTHREAD) / block_ns();
}

static double b_nb(int k)
{
	return rmed(k, ROW_BLOCK_NB, COL_ULT) / block_ns();
}

static double c_ult(int k)
{
	return run_speedup[k][COL_ULT];
}

static double c_pt(int k)
{
	return run_speedup[k][COL_PTHREAD];
}

static double d_futex(int k)
{
	return pct_below(rmed(k, ROW_PP_SAME, COL_PTHREAD),
			 rmed(k, ROW_PP_SAME, COL_PROCESS));
}

static double d_pipe(int k)
{
	return pct_below(rmed(k, ROW_PIPE_SAME, COL_PTHREAD),
			 rmed(k, ROW_PIPE_SAME, COL_PROCESS));
}

static double d_ws256(int k)
{
	return pct_below(ws_result[k][2][COL_PTHREAD].median,
			 ws_result[k][2][COL_PROCESS].median);
}

void print_claims(void)
{
	struct rule_values a[] = {
		values("a.switch_vs_call", a_call),
		values("a.create_ratio", a_create),
		values("a.pingpong_ratio", a_pp),
	};
	struct rule_values b[] = {
		values("b.ult_gap", b_ult), values("b.pthread_gap", b_pt),
	};
	struct rule_values b_fix[] = { values("b_ult_read.gap", b_nb) };
	struct rule_values c[] = {
		values("c.ult_speedup", c_ult),
		values("c.pthread_speedup", c_pt),
	};
	struct rule_values d[] = {
		values("d.futex_pct", d_futex), values("d.pipe_pct", d_pipe),
	};
	struct rule_values d_tlb[] = { values("d_tlb.ws256_pct", d_ws256) };
	double sw = med(ROW_PP_SAME, COL_ULT) / 2;
	double sw_uc = med(ROW_PP_SAME, COL_UCTX) / 2;
	char why[128], w[24], x[24], y[24], z[24];
	const char *busy = NULL;

	if (plat.load_per_cpu > RULES_MAX_LOAD_PER_CPU) {
		snprintf(why, sizeof(why),
			 "load average %.2f per CPU before the runs, above %.1f",
			 plat.load_per_cpu, RULES_MAX_LOAD_PER_CPU);
		busy = why;
	}
	printf("\nClaims: each rule's quantity is computed in each of the %d runs\n"
	       "(runs=...); RULE lines quote the rules table (ultbench --rules).\n\n",
	       nruns);

	judge_claim(stdout, "a", a, ARRAY_SIZE(a), busy);
	printf("    (a) ULT switch %s (medians of the runs) against a %s call;\n"
	       "        ucontext switch %s = %.0fx the call\n\n",
	       fmt_ns(x, sizeof(x), sw), fmt_ns(y, sizeof(y), call_stats.median),
	       fmt_ns(z, sizeof(z), sw_uc), ratio(sw_uc, call_stats.median));

	judge_claim(stdout, "b", b, ARRAY_SIZE(b), busy);
	judge_claim(stdout, "b_ult_read", b_fix, ARRAY_SIZE(b_fix), busy);
	printf("    (b) while one thread read()s a pipe that stays empty for %d ms:\n"
	       "        longest sibling stall ULT %s, pthread %s, process %s;\n"
	       "        ULT sibling steps during the read %ld, with ult_read() %ld\n\n",
	       opt.block_ms, fmt_ns(x, sizeof(x), med(ROW_BLOCK, COL_ULT)),
	       fmt_ns(y, sizeof(y), med(ROW_BLOCK, COL_PTHREAD)),
	       fmt_ns(z, sizeof(z), med(ROW_BLOCK, COL_PROCESS)),
	       block_steps[0][COL_ULT], block_steps[1][COL_ULT]);

	judge_claim(stdout, "c", c, ARRAY_SIZE(c), busy);
	printf("    (c) a CPU-bound job on %d threads: CPU time per wall time ULT %.2f,\n"
	       "        pthread %.2f (last run)\n\n", opt.threads,
	       cpu_per_wall[COL_ULT], cpu_per_wall[COL_PTHREAD]);

	judge_claim(stdout, "d", d, ARRAY_SIZE(d), busy);
	printf("    (d) same-CPU round trips: futex thread %s, process %s; pipe\n"
	       "        thread %s, process %s\n\n",
	       fmt_ns(x, sizeof(x), med(ROW_PP_SAME, COL_PTHREAD)),
	       fmt_ns(y, sizeof(y), med(ROW_PP_SAME, COL_PROCESS)),
	       fmt_ns(z, sizeof(z), med(ROW_PIPE_SAME, COL_PTHREAD)),
	       fmt_ns(w, sizeof(w), med(ROW_PIPE_SAME, COL_PROCESS)));

	judge_claim(stdout, "d_tlb", d_tlb, ARRAY_SIZE(d_tlb), busy);
	printf("    (d_tlb) see the working-set sweep above; PCID %s, PTI %s\n",
	       plat.pcid ? "yes" : "no", plat.pti ? "on" : "off");
}
