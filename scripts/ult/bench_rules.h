/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The claim rules: every rule that turns a measurement into a verdict,
 * in one table (bench_rules.c), and the one function that judges a claim
 * over several independent runs and prints the verdict with its rules.
 *
 * A claim ("a", "d_tlb", ...) has one or more rules. A rule compares one
 * quantity, measured once per run, with a threshold. A control rule checks
 * that the experiment could show anything at all (say, that pthreads got
 * a second CPU); when it fails, the claim is INCONCLUSIVE, not FAILS.
 *
 * To use it, collect one value per run for each rule of a claim, then:
 *
 *	struct rule_values v[] = {
 *		{ .id = "c.ult_speedup", .n = runs, .v = { ... } },
 *		{ .id = "c.pthread_speedup", .n = runs, .v = { ... } },
 *	};
 *	judge_claim(stdout, "c", v, ARRAY_SIZE(v), load_why);
 *
 * which prints, for scripts and people alike:
 *
 *	CLAIM c HOLDS runs=5
 *	RULE c.ult_speedup HOLDS median=1.00 runs=1.00,0.99,... rule="..." why="..."
 *
 * "ultbench --rules" prints the whole table; "ultbench --judge" reads
 * "VALUE <rule> <v1> <v2> ..." lines on stdin (figures measured elsewhere,
 * such as in a guest) and judges them with the same code.
 */
#ifndef ULT_BENCH_RULES_H
#define ULT_BENCH_RULES_H

#include <stdbool.h>
#include <stdio.h>

#define RULES_MAX_RUNS		32
#define RULES_MAX_PER_CLAIM	8

/*
 * Refuse to decide when the load average before a run exceeds this, per
 * CPU: other work then takes the CPUs the benchmarks compare.
 */
#define RULES_MAX_LOAD_PER_CPU	0.5

enum rule_cmp { RULE_AT_LEAST, RULE_AT_MOST };
enum rule_role { RULE_TEST, RULE_CONTROL };

struct claim_rule {
	const char *id;		/* "<claim>.<name>", e.g. "a.switch_vs_call" */
	const char *claim;	/* the claim's words, as the seed puts them */
	const char *quantity;	/* what is measured, and its unit */
	enum rule_cmp cmp;
	double threshold;
	enum rule_role role;
	const char *why;	/* one sentence defending the threshold */
};

enum verdict {
	VERDICT_HOLDS,		/* every run passed */
	VERDICT_FAILS,		/* every run failed */
	VERDICT_UNSTABLE,	/* the runs disagree */
	VERDICT_INCONCLUSIVE,	/* a control failed, busy machine, no data */
};

/* One rule's value in each run. */
struct rule_values {
	const char *id;
	int n;
	double v[RULES_MAX_RUNS];
};

extern const struct claim_rule claim_rules[];
extern const int nr_claim_rules;

/* The rule with this id; dies listing the valid ids if there is none. */
const struct claim_rule *rule_get(const char *id);
bool rule_pass(const struct claim_rule *r, double value);
/*
 * How close two positive figures are: the smaller over the larger (1:
 * equal), whichever is better; NaN unless both are positive. What
 * seed002_winner.tie compares with its threshold.
 */
double rule_closeness(double a, double b);
/* "<quantity> >= <threshold>" */
const char *rule_text(const struct claim_rule *r, char *buf, size_t len);
const char *verdict_name(enum verdict v);

/*
 * Judge a claim from its rules' values, run by run: a run HOLDS if every
 * test rule passes, FAILS if one does not, and is INCONCLUSIVE if a
 * control fails. The claim HOLDS or FAILS only if every run agrees, and
 * is UNSTABLE otherwise. why_inconclusive (say, the load average) forces
 * INCONCLUSIVE; NULL if there is no such reason. Prints a CLAIM line,
 * then a RULE line per rule with its own verdict, every run's value, the
 * rule and its defence.
 */
enum verdict judge_claim(FILE *f, const char *claim,
			 const struct rule_values *vals, int nvals,
			 const char *why_inconclusive);

/* Every rule, one block each (ultbench --rules). */
void print_rules(FILE *f);

/*
 * "ultbench --judge": VALUE lines from stdin, then a judgement for each
 * claim they name, in the order they first appear. A "LOAD <per-CPU>"
 * line above RULES_MAX_LOAD_PER_CPU makes every claim INCONCLUSIVE.
 * Returns 0, or 2 on a malformed line.
 */
int judge_stdin(void);

#endif /* ULT_BENCH_RULES_H */
