// SPDX-License-Identifier: GPL-2.0
/*
 * The claim rules table, and judging a claim over repeated runs with it
 * (see bench_rules.h). Every verdict ultbench and the scripts print comes
 * from here: change a threshold in this table and nowhere else.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench_rules.h"
#include "common.h"

#define CLAIM_A \
	"ULT operations are as fast as a procedure call; kernel thread operations are hundreds of times slower"
#define CLAIM_B	"A blocking system call in one ULT blocks the whole process"
#define CLAIM_C	"Many-to-one ULTs get no multicore parallelism"
#define CLAIM_D	"Thread switches are cheaper than process switches"
#define CLAIM_D_TLB \
	"... because a process switch changes address space, and the TLB must be refilled after it"

#define CLAIM_FAIR \
	"The kernel gives a process one time slice irrespective of whether it has 1 or 1000 threads (seed 001)"
#define CLAIM_LHP \
	"Preempting a thread that holds a lock costs the threads waiting for it (seed 001: the kernel may unschedule a thread holding a lock)"
#define WHY_WINNER \
	"A seed's winner is the model with the better median; a ratio of 1 is the line between winning and losing"
#define WHY_TIE \
	"Run medians of one cell spread by 10% and more between runs on a shared machine (the min..max line under each cell), so a pick within 10% of the best is not beaten by more than the noise"
#define WHY_FAIR \
	"One slice per process gives 50%, one per thread 16/17 = 94%; 60% leaves room for noise yet stays far below per-thread sharing"
#define WHY_LHP \
	"Spinners that burn a preempted holder's time slice lose throughput that yielding keeps; 20% is well above the spread between runs"

/* "as fast as a procedure call", and "hundreds of times slower" */
#define WHY_CALL \
	"'As fast as a procedure call' cannot mean equal, since a switch saves and restores registers and the stack pointer around a call: within one order of magnitude (10x) is the closest reading, and it stays 10x clear of the kernel rule's 100x"
#define WHY_HUNDREDS \
	"'Hundreds of times slower' means at least 100x, the smallest figure the plural 'hundreds' allows"
#define WHY_PCT \
	"Run medians of one ping-pong spread by several percent between runs (see the runs lines), so a difference under 5% is not a cost one could point to"

const struct claim_rule claim_rules[] = {
	{
		.id = "a.switch_vs_call",
		.claim = CLAIM_A,
		.quantity =
			"one ULT switch (half a yield round trip) / one indirect procedure call, same loop, interleaved",
		.cmp = RULE_AT_MOST,
		.threshold = 10,
		.role = RULE_TEST,
		.why = WHY_CALL,
	},
	{
		.id = "a.create_ratio",
		.claim = CLAIM_A,
		.quantity = "pthread create+join / ULT create+finish",
		.cmp = RULE_AT_LEAST,
		.threshold = 100,
		.role = RULE_TEST,
		.why = WHY_HUNDREDS,
	},
	{
		.id = "a.pingpong_ratio",
		.claim = CLAIM_A,
		.quantity = "pthread same-CPU futex ping-pong / ULT yield ping-pong (round trips)",
		.cmp = RULE_AT_LEAST,
		.threshold = 100,
		.role = RULE_TEST,
		.why = WHY_HUNDREDS,
	},
	{
		.id = "a.kthread_create_ratio",
		.claim = CLAIM_A,
		.quantity = "kthread create+stop / ULT create+finish, same guest boot",
		.cmp = RULE_AT_LEAST,
		.threshold = 100,
		.role = RULE_TEST,
		.why = WHY_HUNDREDS,
	},
	{
		.id = "a.kthread_pingpong_ratio",
		.claim = CLAIM_A,
		.quantity = "kthread same-CPU ping-pong / ULT yield ping-pong, same guest boot",
		.cmp = RULE_AT_LEAST,
		.threshold = 100,
		.role = RULE_TEST,
		.why = WHY_HUNDREDS,
	},
	{
		.id = "b.ult_gap",
		.claim = CLAIM_B,
		.quantity = "a sibling ULT's longest stall / how long the reader blocks",
		.cmp = RULE_AT_LEAST,
		.threshold = 0.5,
		.role = RULE_TEST,
		.why =
			"A sibling held up for half the block or more was stopped by it: scheduling noise does not stall a runnable thread for 100 ms",
	},
	{
		.id = "b.pthread_gap",
		.claim = CLAIM_B,
		.quantity =
			"a sibling pthread's longest stall / how long the reader blocks (control)",
		.cmp = RULE_AT_MOST,
		.threshold = 0.25,
		.role = RULE_CONTROL,
		.why =
			"If a pthread sibling also stalls for a quarter of the block, the whole machine stalled and the ULT figure shows nothing",
	},
	{
		.id = "b_ult_read.gap",
		.claim =
			"ult_read() (non-blocking fd, poll in the scheduler) removes claim (b)'s stall",
		.quantity =
			"a sibling ULT's longest stall / how long the reader waits in ult_read()",
		.cmp = RULE_AT_MOST,
		.threshold = 0.25,
		.role = RULE_TEST,
		.why =
			"The pthread control's bound: a sibling stalled less than a quarter of the wait kept running as a kernel-scheduled sibling would",
	},
	{
		.id = "c.ult_speedup",
		.claim = CLAIM_C,
		.quantity = "a CPU-bound job's speedup on N ULTs over 1 ULT (best runs)",
		.cmp = RULE_AT_MOST,
		.threshold = 1.2,
		.role = RULE_TEST,
		.why =
			"One kernel thread uses one CPU: 1.2x leaves room for timing noise, not for a second CPU's worth of work",
	},
	{
		.id = "c.pthread_speedup",
		.claim = CLAIM_C,
		.quantity = "the same job's speedup on N pthreads over 1 (control)",
		.cmp = RULE_AT_LEAST,
		.threshold = 1.5,
		.role = RULE_CONTROL,
		.why =
			"Below 1.5x with pthreads the machine had no idle CPU, and no model could have shown parallelism",
	},
	{
		.id = "d.futex_pct",
		.claim = CLAIM_D,
		.quantity =
			"how much cheaper a same-CPU futex ping-pong is between two threads than between two processes, %",
		.cmp = RULE_AT_LEAST,
		.threshold = 5,
		.role = RULE_TEST,
		.why = WHY_PCT,
	},
	{
		.id = "d.pipe_pct",
		.claim = CLAIM_D,
		.quantity = "the same with a pipe pair, %",
		.cmp = RULE_AT_LEAST,
		.threshold = 5,
		.role = RULE_TEST,
		.why = WHY_PCT,
	},
	{
		.id = "d_tlb.ws256_pct",
		.claim = CLAIM_D_TLB,
		.quantity =
			"how much cheaper the futex ping-pong is between threads than processes when each side writes 256 pages of its own between hand-offs, %",
		.cmp = RULE_AT_LEAST,
		.threshold = 5,
		.role = RULE_TEST,
		.why =
			"Both sides' 512 pages fit in the second-level TLB (1536 to 2048 entries on current x86), so only an address-space switch without PCID refills them: 5% as for (d)",
	},
	{
		.id = "sync.lock_vs_call",
		.claim = "Synchronizing ULTs only needs a procedure call",
		.quantity = "M:1 uncontended mutex lock+unlock / one indirect procedure call",
		.cmp = RULE_AT_MOST,
		.threshold = 10,
		.role = RULE_TEST,
		.why = WHY_CALL,
	},
	{
		.id = "sync.cond_ratio",
		.claim = "Synchronizing ULTs only needs a procedure call",
		.quantity = "pthread condvar ping-pong / M:1 condvar ping-pong (round trips)",
		.cmp = RULE_AT_LEAST,
		.threshold = 100,
		.role = RULE_TEST,
		.why = WHY_HUNDREDS,
	},
	{
		.id = "mn_steal.mn_gap",
		.claim = "M:N keeps the other ULTs running while one blocks, if a VP is idle",
		.quantity = "M:N sibling's longest stall / how long the reader blocks",
		.cmp = RULE_AT_MOST,
		.threshold = 0.25,
		.role = RULE_TEST,
		.why = "Claim (b)'s pthread bound: a quarter of the block",
	},
	{
		.id = "mn_steal.m1_gap",
		.claim = "M:N keeps the other ULTs running while one blocks, if a VP is idle",
		.quantity = "M:1 sibling's longest stall / how long the reader blocks (control)",
		.cmp = RULE_AT_LEAST,
		.threshold = 0.5,
		.role = RULE_CONTROL,
		.why =
			"Claim (b)'s ULT bound: without it the read did not block long enough to show anything",
	},
	{
		.id = "mn_monitor.nomon_gap",
		.claim =
			"With every VP busy, only a monitor that hands off a blocked VP keeps the siblings running",
		.quantity =
			"M:N sibling's longest stall, no monitor / how long the reader blocks (control)",
		.cmp = RULE_AT_LEAST,
		.threshold = 0.5,
		.role = RULE_CONTROL,
		.why =
			"Claim (b)'s ULT bound: without the monitor the busy VPs must leave the sibling stalled, or the experiment shows nothing",
	},
	{
		.id = "mn_monitor.mon_gap",
		.claim =
			"With every VP busy, only a monitor that hands off a blocked VP keeps the siblings running",
		.quantity =
			"M:N sibling's longest stall, with the monitor / how long the reader blocks",
		.cmp = RULE_AT_MOST,
		.threshold = 0.25,
		.role = RULE_TEST,
		.why = "Claim (b)'s pthread bound: a quarter of the block",
	},
	/* ultbench --models' seed tables (bench_seed002.c, bench_fair.c, bench_lhp.c) */
	{
		.id = "seed002_create.user_vs_kernel",
		.claim = "Short-lived threads: user-space threads win (seed 002)",
		.quantity = "M:1 creations per second / 1:1 (pthread) creations per second",
		.cmp = RULE_AT_LEAST,
		.threshold = 1,
		.role = RULE_TEST,
		.why = WHY_WINNER,
	},
	{
		.id = "seed002_winner.tie",
		.claim =
			"A row of seed 002's table is a tie, not a loss, when the seed's pick is close to the measured best",
		.quantity =
			"the seed's best model's median / the best median (rows where lower is better, such as time or memory: the best / the seed's)",
		.cmp = RULE_AT_LEAST,
		.threshold = 0.9,
		.role = RULE_TEST,
		.why = WHY_TIE,
	},
	{
		.id = "seed002_cpu.speedup_1to1",
		.claim = "CPU-bound parallelism: kernel threads win (seed 002)",
		.quantity = "1:1 speedup of the job on one thread per CPU over one thread",
		.cmp = RULE_AT_LEAST,
		.threshold = 1.5,
		.role = RULE_CONTROL,
		.why =
			"Unless pthreads get a second CPU, no model can show parallelism and the row decides nothing",
	},
	{
		.id = "seed002_cpu.m1_vs_1to1",
		.claim = "CPU-bound parallelism: kernel threads win (seed 002)",
		.quantity = "M:1 wall time / 1:1 wall time, one thread per CPU",
		.cmp = RULE_AT_LEAST,
		.threshold = 1,
		.role = RULE_TEST,
		.why = WHY_WINNER,
	},
	{
		.id = "seed002_switch.kernel_vs_user",
		.claim = "Fine-grained task switching: user threads win (seed 002)",
		.quantity = "1:1 condvar round trip / M:1 condvar round trip, one CPU",
		.cmp = RULE_AT_LEAST,
		.threshold = 1,
		.role = RULE_TEST,
		.why = WHY_WINNER,
	},
	{
		.id = "seed002_io.best_vs_m1",
		.claim = "I/O-bound concurrency: kernel threads (or M:N) win (seed 002)",
		.quantity =
			"the better of M:N and 1:1 throughput / M:1 throughput, at the largest K",
		.cmp = RULE_AT_LEAST,
		.threshold = 1,
		.role = RULE_TEST,
		.why = WHY_WINNER,
	},
	{
		.id = "seed002_io_parallel.best_vs_m1",
		.claim =
			"High-throughput I/O with parallelism: M:N or kernel threads win (seed 002)",
		.quantity =
			"the better of M:N and 1:1 throughput / M:1 throughput, 100 connections with CPU work",
		.cmp = RULE_AT_LEAST,
		.threshold = 1,
		.role = RULE_TEST,
		.why = WHY_WINNER,
	},
	{
		.id = "fair.k16_share",
		.claim = CLAIM_FAIR,
		.quantity =
			"CPU share (%) of a 16-pthread process against a 1-thread one on one CPU, same session, autogroup as found",
		.cmp = RULE_AT_MOST,
		.threshold = 60,
		.role = RULE_TEST,
		.why = WHY_FAIR,
	},
	{
		.id = "fair_setsid.k16_share",
		.claim = CLAIM_FAIR " (autogroup on, one session each)",
		.quantity =
			"CPU share (%) of a 16-pthread process against a 1-thread one on one CPU, autogroup on, setsid() each",
		.cmp = RULE_AT_MOST,
		.threshold = 60,
		.role = RULE_TEST,
		.why = WHY_FAIR,
	},
	{
		.id = "lhp.pthread_spin",
		.claim = CLAIM_LHP,
		.quantity =
			"4 pthreads on one CPU: acquisitions/s with a spinlock / with spin-then-sched_yield",
		.cmp = RULE_AT_MOST,
		.threshold = 0.8,
		.role = RULE_TEST,
		.why = WHY_LHP,
	},
	{
		.id = "lhp.m1_spin",
		.claim = CLAIM_LHP,
		.quantity =
			"4 preemptive M:1 ULTs (1 ms tick): acquisitions/s with a spinlock / with spin-then-ult_yield",
		.cmp = RULE_AT_MOST,
		.threshold = 0.8,
		.role = RULE_TEST,
		.why = WHY_LHP,
	},
};

const int nr_claim_rules = ARRAY_SIZE(claim_rules);

const struct claim_rule *rule_get(const char *id)
{
	int i;

	for (i = 0; i < nr_claim_rules; i++)
		if (!strcmp(claim_rules[i].id, id))
			return &claim_rules[i];
	fprintf(stderr, "unknown rule \"%s\"; the rules are:", id);
	for (i = 0; i < nr_claim_rules; i++)
		fprintf(stderr, " %s", claim_rules[i].id);
	fprintf(stderr, "\n");
	die("unknown rule");
}

bool rule_pass(const struct claim_rule *r, double value)
{
	if (isnan(value))
		return false;
	return r->cmp == RULE_AT_LEAST ? value >= r->threshold :
					 value <= r->threshold;
}

double rule_closeness(double a, double b)
{
	if (!(a > 0) || !(b > 0))
		return NAN;
	return a < b ? a / b : b / a;
}

const char *rule_text(const struct claim_rule *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s %g", r->quantity,
		 r->cmp == RULE_AT_LEAST ? ">=" : "<=", r->threshold);
	return buf;
}

const char *verdict_name(enum verdict v)
{
	static const char *const name[] = {
		[VERDICT_HOLDS] = "HOLDS",
		[VERDICT_FAILS] = "FAILS",
		[VERDICT_UNSTABLE] = "UNSTABLE",
		[VERDICT_INCONCLUSIVE] = "INCONCLUSIVE",
	};

	return name[v];
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of n values (the mean of the middle two if n is even). */
static double median_of(const double *v, int n)
{
	double s[RULES_MAX_RUNS];

	if (n <= 0)
		return NAN;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* All runs pass: HOLDS; none: FAILS; some: UNSTABLE. */
static enum verdict agree(int pass, int n)
{
	if (!n)
		return VERDICT_INCONCLUSIVE;
	if (pass == n)
		return VERDICT_HOLDS;
	return pass ? VERDICT_UNSTABLE : VERDICT_FAILS;
}

static void print_rule_line(FILE *f, const struct claim_rule *r,
			    const struct rule_values *rv)
{
	char text[512];
	int i, pass = 0;

	for (i = 0; i < rv->n; i++)
		pass += rule_pass(r, rv->v[i]);
	fprintf(f, "RULE %s %s median=%.4g runs=", r->id,
		r->role == RULE_CONTROL && pass < rv->n ?
		"INCONCLUSIVE" : verdict_name(agree(pass, rv->n)),
		median_of(rv->v, rv->n));
	for (i = 0; i < rv->n; i++)
		fprintf(f, "%s%.4g", i ? "," : "", rv->v[i]);
	fprintf(f, " pass=%d/%d rule=\"%s\" why=\"%s\"\n", pass, rv->n,
		rule_text(r, text, sizeof(text)), r->why);
}

enum verdict judge_claim(FILE *f, const char *claim,
			 const struct rule_values *vals, int nvals,
			 const char *why_inconclusive)
{
	const struct claim_rule *rule[RULES_MAX_PER_CLAIM];
	int i, run, nruns = RULES_MAX_RUNS, holds = 0, decided = 0;
	size_t len = strlen(claim);
	bool control_failed = false;
	enum verdict v;

	if (nvals > RULES_MAX_PER_CLAIM)
		die("claim %s: more than %d rules", claim, RULES_MAX_PER_CLAIM);
	for (i = 0; i < nvals; i++) {
		rule[i] = rule_get(vals[i].id);
		if (strncmp(vals[i].id, claim, len) || vals[i].id[len] != '.')
			die("rule %s is not one of claim %s's", vals[i].id,
			    claim);
		if (vals[i].n < nruns)
			nruns = vals[i].n;
	}
	if (!nvals)
		nruns = 0;
	/* Run by run: a failed control voids the run. */
	for (run = 0; run < nruns; run++) {
		bool ok = true, void_run = false;

		for (i = 0; i < nvals; i++) {
			if (rule_pass(rule[i], vals[i].v[run]))
				continue;
			if (rule[i]->role == RULE_CONTROL)
				void_run = true;
			else
				ok = false;
		}
		if (void_run) {
			control_failed = true;
			continue;
		}
		decided++;
		holds += ok;
	}
	v = agree(holds, decided);
	if (control_failed || why_inconclusive)
		v = VERDICT_INCONCLUSIVE;
	fprintf(f, "CLAIM %s %s runs=%d", claim, verdict_name(v), nruns);
	if (why_inconclusive)
		fprintf(f, " why=\"%s\"", why_inconclusive);
	else if (control_failed)
		fprintf(f, " why=\"a control failed in %d of %d runs\"",
			nruns - decided, nruns);
	else if (!nruns)
		fprintf(f, " why=\"nothing measured\"");
	else if (v == VERDICT_UNSTABLE)
		fprintf(f, " why=\"%d of %d runs hold\"", holds, nruns);
	fprintf(f, "\n");
	for (i = 0; i < nvals; i++)
		print_rule_line(f, rule[i], &vals[i]);
	return v;
}

void print_rules(FILE *f)
{
	const char *last = "";
	char text[512];
	int i;

	fprintf(f, "A claim HOLDS or FAILS only if every run agrees (else UNSTABLE);\n"
		"a failed control, or a load average above %.1f per CPU before\n"
		"the run, makes it INCONCLUSIVE.\n", RULES_MAX_LOAD_PER_CPU);
	for (i = 0; i < nr_claim_rules; i++) {
		const struct claim_rule *r = &claim_rules[i];

		if (strcmp(last, r->claim))
			fprintf(f, "\n\"%s\"\n", r->claim);
		last = r->claim;
		fprintf(f, "  %s%s: %s\n    why: %s\n", r->id,
			r->role == RULE_CONTROL ? " (control)" : "",
			rule_text(r, text, sizeof(text)), r->why);
	}
}

/* The claim of a rule id: what comes before its first '.'. */
static void claim_of(const char *id, char *buf, size_t len)
{
	size_t n = strcspn(id, ".");

	snprintf(buf, len, "%.*s", (int)n, id);
}

int judge_stdin(void)
{
	static struct rule_values vals[64];
	char line[4096], claim[64], other[64], why[128] = "";
	int nvals = 0, i, j, lineno = 0;
	double load = 0;

	while (fgets(line, sizeof(line), stdin)) {
		struct rule_values *rv;
		char *tok, *save, *end;

		lineno++;
		tok = strtok_r(line, " \t\n", &save);
		if (!tok || tok[0] == '#')
			continue;
		if (!strcmp(tok, "LOAD")) {
			tok = strtok_r(NULL, " \t\n", &save);
			load = tok ? strtod(tok, NULL) : 0;
			continue;
		}
		if (strcmp(tok, "VALUE") || nvals == ARRAY_SIZE(vals)) {
			fprintf(stderr, "--judge: line %d: want VALUE <rule> <v>...\n",
				lineno);
			return 2;
		}
		tok = strtok_r(NULL, " \t\n", &save);
		if (!tok)
			return 2;
		rv = &vals[nvals++];
		rv->id = rule_get(tok)->id;
		while ((tok = strtok_r(NULL, " \t\n", &save)) &&
		       rv->n < RULES_MAX_RUNS) {
			rv->v[rv->n] = strtod(tok, &end);
			if (*end) {
				fprintf(stderr, "--judge: line %d: bad number %s\n",
					lineno, tok);
				return 2;
			}
			rv->n++;
		}
	}
	if (load > RULES_MAX_LOAD_PER_CPU)
		snprintf(why, sizeof(why),
			 "load average %.2f per CPU before the runs, above %.1f",
			 load, RULES_MAX_LOAD_PER_CPU);
	/* Each claim once, with all its rules, in order of appearance. */
	for (i = 0; i < nvals; i++) {
		struct rule_values group[RULES_MAX_PER_CLAIM];
		int n = 0;
		bool seen = false;

		claim_of(vals[i].id, claim, sizeof(claim));
		for (j = 0; j < i && !seen; j++) {
			claim_of(vals[j].id, other, sizeof(other));
			seen = !strcmp(claim, other);
		}
		if (seen)
			continue;
		for (j = i; j < nvals && n < RULES_MAX_PER_CLAIM; j++) {
			claim_of(vals[j].id, other, sizeof(other));
			if (!strcmp(claim, other))
				group[n++] = vals[j];
		}
		judge_claim(stdout, claim, group, n, why[0] ? why : NULL);
	}
	return 0;
}
