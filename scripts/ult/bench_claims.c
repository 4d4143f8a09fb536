// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench's claims (a) to (d): each decided by a rule fixed in advance
 * from the results table, printed as a CLAIM line for scripts and then as
 * the rule and the numbers in words.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "bench.h"

static const char *verdict(bool holds)
{
	return holds ? "HOLDS" : "DOES NOT HOLD";
}

/* Percent by which a thread figure is below the process one. */
static double pct_below(double thread, double process)
{
	return process ? 100 * (process - thread) / process : 0;
}

/*
 * Each claim: a machine line "CLAIM <id> <verdict> key=value...", then
 * the decision rule and the numbers in words.
 */
void print_claims(void)
{
	double call = call_stats.median;
	double sw = med(ROW_PP_SAME, COL_ULT) / 2;
	double sw_uc = med(ROW_PP_SAME, COL_UCTX) / 2;
	double cr = vs_ult(ROW_CREATE, COL_PTHREAD);
	double pp = vs_ult(ROW_PP_SAME, COL_PTHREAD);
	double block = (double)opt.block_ms * NSEC_PER_MSEC;
	double g_ult = med(ROW_BLOCK, COL_ULT);
	double g_pt = med(ROW_BLOCK, COL_PTHREAD);
	double g_nb = med(ROW_BLOCK_NB, COL_ULT);
	double s_ult = speedup(COL_ULT), s_pt = speedup(COL_PTHREAD);
	double d_futex = pct_below(med(ROW_PP_SAME, COL_PTHREAD),
				   med(ROW_PP_SAME, COL_PROCESS));
	double d_pipe = pct_below(med(ROW_PIPE_SAME, COL_PTHREAD),
				  med(ROW_PIPE_SAME, COL_PROCESS));
	bool a1 = sw <= 10 * call, a2 = cr >= 100 && pp >= 100;
	bool b = g_ult >= block / 2 && g_pt < block / 4;
	bool b_fix = g_nb < block / 4;
	bool c = s_ult <= 1.2, c_control = s_pt >= 1.5;
	bool d = d_futex >= 5 && d_pipe >= 5;
	char x[24], y[24], z[24];

	printf("CLAIM a %s switch_ns=%.1f call_ns=%.1f switch_vs_call=%.2f",
	       verdict(a1 && a2), sw, call, sw / call);
	printf(" uctx_switch_ns=%.1f create_ratio=%.1f pingpong_ratio=%.1f\n",
	       sw_uc, cr, pp);
	printf("(a) \"User-level thread operations are as fast as a procedure call;\n"
	       "    kernel thread operations are hundreds of times slower.\"\n"
	       "    rule: holds if one ULT switch (half a yield ping-pong round trip)\n"
	       "    costs <= 10x an indirect procedure call, AND pthread (1:1 kernel\n"
	       "    thread) create+join and same-CPU ping-pong are each >= 100x the ULT\n"
	       "    create+finish and ping-pong.\n");
	printf("    ULT switch %s = %.1fx a %s call (%s); ucontext switch %s = %.0fx\n",
	       fmt_ns(x, sizeof(x), sw), sw / call, fmt_ns(y, sizeof(y), call),
	       a1 ? "ok" : "too slow", fmt_ns(z, sizeof(z), sw_uc),
	       sw_uc / call);
	printf("    pthread create+join = %.0fx ULT, ping-pong = %.0fx ULT (%s)\n",
	       cr, pp, a2 ? "ok" : "below 100x");
	printf("    => (a) %s\n\n", verdict(a1 && a2));

	printf("CLAIM b %s ult_gap_ns=%.0f pthread_gap_ns=%.0f process_gap_ns=%.0f",
	       verdict(b), g_ult, g_pt, med(ROW_BLOCK, COL_PROCESS));
	printf(" block_ns=%.0f ult_steps_during_read=%ld pthread_steps_during_read=%ld\n",
	       block, block_steps[0][COL_ULT], block_steps[0][COL_PTHREAD]);
	printf("CLAIM b.ult_read %s ult_read_gap_ns=%.0f block_ns=%.0f",
	       verdict(b_fix), g_nb, block);
	printf(" ult_read_steps_during_read=%ld\n", block_steps[1][COL_ULT]);
	printf("(b) \"A blocking system call in one user-level thread blocks the whole\n"
	       "    process.\"\n"
	       "    rule: holds if, while one thread read()s a pipe that stays empty\n"
	       "    for %d ms, a sibling ULT's longest progress gap is >= half of that\n"
	       "    and a sibling pthread's is < a quarter of it.\n", opt.block_ms);
	printf("    longest gap: ULT %s, pthread %s, process %s\n",
	       fmt_ns(x, sizeof(x), g_ult), fmt_ns(y, sizeof(y), g_pt),
	       fmt_ns(z, sizeof(z), med(ROW_BLOCK, COL_PROCESS)));
	printf("    sibling steps while the reader waited (fewest of %d runs):\n"
	       "    ULT %ld, pthread %ld, ULT with ult_read() %ld\n",
	       opt.block_reps, block_steps[0][COL_ULT],
	       block_steps[0][COL_PTHREAD], block_steps[1][COL_ULT]);
	printf("    => (b) %s\n", verdict(b));
	printf("    b.ult_read: the ult_read() wrapper removes the stall if the\n"
	       "    ULT gap is < a quarter of the block too: %s => %s\n\n",
	       fmt_ns(x, sizeof(x), g_nb), verdict(b_fix));

	printf("CLAIM c %s ult_speedup=%.2f pthread_speedup=%.2f threads=%d",
	       c_control ? verdict(c) : "INCONCLUSIVE", s_ult, s_pt,
	       opt.threads);
	printf(" ult_cpu_per_wall=%.2f pthread_cpu_per_wall=%.2f\n",
	       cpu_per_wall[COL_ULT], cpu_per_wall[COL_PTHREAD]);
	printf("(c) \"Many-to-one user threads get no multicore parallelism.\"\n"
	       "    rule: holds if a CPU-bound job split over %d ULTs runs <= 1.2x\n"
	       "    faster than on 1 ULT, while %d pthreads reach >= 1.5x (the control:\n"
	       "    otherwise the machine had no idle CPU and the result is\n"
	       "    INCONCLUSIVE).\n", opt.threads, opt.threads);
	printf("    speedup (best runs): ULT %.2fx, pthread %.2fx (ideal %dx)\n",
	       s_ult, s_pt, opt.threads);
	printf("    CPU time per wall time with %d threads: ULT %.2f, pthread %.2f\n",
	       opt.threads, cpu_per_wall[COL_ULT], cpu_per_wall[COL_PTHREAD]);
	printf("    => (c) %s\n\n", c_control ? verdict(c) : "INCONCLUSIVE");

	printf("CLAIM d %s futex_pct=%.1f pipe_pct=%.1f futex_thread_ns=%.1f",
	       verdict(d), d_futex, d_pipe, med(ROW_PP_SAME, COL_PTHREAD));
	printf(" futex_process_ns=%.1f pipe_thread_ns=%.1f pipe_process_ns=%.1f\n",
	       med(ROW_PP_SAME, COL_PROCESS), med(ROW_PIPE_SAME, COL_PTHREAD),
	       med(ROW_PIPE_SAME, COL_PROCESS));
	printf("(d) \"Thread switches are cheaper than process switches.\"\n"
	       "    rule: holds if the same-CPU ping-pong between two pthreads is\n"
	       "    >= 5%% cheaper than between two processes, with futexes and with\n"
	       "    pipes (same code; only the address space switch differs).\n");
	printf("    futex: thread %s, process %s (thread %.1f%% cheaper)\n",
	       fmt_ns(x, sizeof(x), med(ROW_PP_SAME, COL_PTHREAD)),
	       fmt_ns(y, sizeof(y), med(ROW_PP_SAME, COL_PROCESS)), d_futex);
	printf("    pipe:  thread %s, process %s (thread %.1f%% cheaper)\n",
	       fmt_ns(x, sizeof(x), med(ROW_PIPE_SAME, COL_PTHREAD)),
	       fmt_ns(y, sizeof(y), med(ROW_PIPE_SAME, COL_PROCESS)), d_pipe);
	printf("    (a ULT round trip, for scale: %s)\n",
	       fmt_ns(x, sizeof(x), med(ROW_PP_SAME, COL_ULT)));
	printf("    => (d) %s\n", verdict(d));
}
