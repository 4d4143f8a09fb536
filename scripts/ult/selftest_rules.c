// SPDX-License-Identifier: GPL-2.0
/*
 * ult-selftest's cases for the claim rules (bench_rules.c): the table is
 * well formed, and judge_claim() gives each verdict exactly when it
 * should, on fixed figures (nothing here is timed).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench_rules.h"
#include "selftest.h"

/* Every rule: "<claim>.<name>", unique, a finite threshold, words. */
int test_rules_table(void)
{
	int i, j;

	if (CHECK_FAILED(nr_claim_rules > 0, "empty table"))
		return -1;
	for (i = 0; i < nr_claim_rules; i++) {
		const struct claim_rule *r = &claim_rules[i];
		const char *dot = strchr(r->id, '.');

		if (CHECK_FAILED(dot && dot != r->id && dot[1], "rule %s", r->id) ||
		    CHECK_FAILED(isfinite(r->threshold), "rule %s", r->id) ||
		    CHECK_FAILED(r->claim && r->claim[0], "rule %s", r->id) ||
		    CHECK_FAILED(r->quantity && r->quantity[0], "rule %s", r->id) ||
		    CHECK_FAILED(r->why && r->why[0], "rule %s", r->id) ||
		    CHECK_FAILED(rule_get(r->id) == r, "rule %s", r->id))
			return -1;
		for (j = 0; j < i; j++)
			if (CHECK_FAILED(strcmp(claim_rules[j].id, r->id),
					 "rule %s twice", r->id))
				return -1;
	}
	return 0;
}

static enum verdict judge3(FILE *f, const double *test, const double *ctl,
			   const char *why)
{
	struct rule_values v[2] = {
		{ .id = "c.ult_speedup", .n = 3 },
		{ .id = "c.pthread_speedup", .n = 3 },
	};

	memcpy(v[0].v, test, 3 * sizeof(*test));
	memcpy(v[1].v, ctl, 3 * sizeof(*ctl));
	return judge_claim(f, "c", v, 2, why);
}

/*
 * Claim (c): c.ult_speedup <= 1.2 is the test, c.pthread_speedup >= 1.5
 * its control. Every verdict, from three runs each.
 */
int test_rules_verdicts(void)
{
	static const double pass[3] = { 1.0, 1.1, 0.9 };
	static const double fail[3] = { 1.9, 1.8, 2.0 };
	static const double mixed[3] = { 1.0, 1.9, 1.0 };
	static const double ctl_ok[3] = { 1.9, 1.8, 2.0 };
	static const double ctl_bad[3] = { 1.9, 1.0, 2.0 };
	FILE *f = fopen("/dev/null", "w");
	int rc = -1;

	if (CHECK_FAILED(f, "/dev/null"))
		return -1;
	if (CHECK_FAILED(judge3(f, pass, ctl_ok, NULL) == VERDICT_HOLDS, "all pass") ||
	    CHECK_FAILED(judge3(f, fail, ctl_ok, NULL) == VERDICT_FAILS, "all fail") ||
	    CHECK_FAILED(judge3(f, mixed, ctl_ok, NULL) == VERDICT_UNSTABLE, "mixed") ||
	    CHECK_FAILED(judge3(f, pass, ctl_bad, NULL) == VERDICT_INCONCLUSIVE,
			 "a control failed once") ||
	    CHECK_FAILED(judge3(f, pass, ctl_ok, "busy") == VERDICT_INCONCLUSIVE,
			 "a busy machine") ||
	    CHECK_FAILED(rule_pass(rule_get("c.ult_speedup"), 1.2), "at the bound") ||
	    CHECK_FAILED(!rule_pass(rule_get("c.ult_speedup"), NAN), "NaN passes"))
		goto out;
	rc = 0;
out:
	fclose(f);
	return rc;
}

/*
 * seed002_winner.tie, the margin by which seed 002's pick may trail the
 * measured best and still tie: the same answer whichever way a row is
 * better (throughput up, time down), a tie inside the margin, a loss
 * outside it, and no tie without a figure.
 */
int test_rules_tie(void)
{
	const struct claim_rule *tie = rule_get("seed002_winner.tie");
	double t = tie->threshold;

	if (CHECK_FAILED(t > 0 && t < 1, "threshold %g is not a fraction", t) ||
	    CHECK_FAILED(rule_closeness(90, 100) == rule_closeness(100, 90),
			 "the direction of the row changed the answer") ||
	    CHECK_FAILED(rule_closeness(7, 7) == 1, "equal figures") ||
	    CHECK_FAILED(rule_pass(tie, rule_closeness(100 * (1 + t) / 2, 100)),
			 "halfway inside the margin was not a tie") ||
	    CHECK_FAILED(!rule_pass(tie, rule_closeness(100 * t * t, 100)),
			 "twice the margin away was a tie") ||
	    CHECK_FAILED(!rule_pass(tie, rule_closeness(0, 100)),
			 "no figure was a tie") ||
	    CHECK_FAILED(!rule_pass(tie, rule_closeness(NAN, 100)),
			 "NaN was a tie"))
		return -1;
	return 0;
}
