// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for workqueue_demo: every mechanism runs what it is given,
 * keeps the promises its API documents, and the report adds up.
 *
 * Each case builds its own mechanism and item set with the module's
 * functions, so a benchmark run in debugfs is never touched. Teardown is
 * registered with kunit_add_action(), so a failed assertion still cancels
 * every item and stops every thread. Every wait is bounded.
 */
#include <kunit/test.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>

#include "../workqueue_demo.h"

#define WQD_TEST_WAIT	(5 * HZ)	/* bound on every wait in this suite */

/* The mechanism names are interface: scripts and users type them. */
static const char *const wqd_test_mechs[WQD_NR_MECHS] = {
	"kthread", "kthread_worker", "wq_percpu", "wq_unbound", "wq_highpri",
	"wq_cpu_intensive", "wq_ordered", "system_wq",
};

static void wqd_test_mech_desc(const char *const *name, char *desc)
{
	strscpy(desc, *name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(wqd_test_mech, wqd_test_mechs, wqd_test_mech_desc);

static void wqd_test_mech_destroy(void *m)
{
	wqd_mech_destroy(m);
}

static void wqd_test_set_destroy(void *set)
{
	wqd_set_destroy(set);
}

/* The mechanism this case is for, torn down when the case ends. */
static struct wqd_mech *wqd_test_mech(struct kunit *test)
{
	const char *const *name = test->param_value;
	struct wqd_mech *m = wqd_mech_create(*name, 0);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							wqd_test_mech_destroy,
							m), 0);
	return m;
}

/* A set on @m; its items are cancelled before @m goes (actions are LIFO). */
static struct wqd_set *wqd_test_set(struct kunit *test, struct wqd_mech *m,
				    unsigned int nr, enum wqd_body body,
				    unsigned int arg)
{
	struct wqd_set *set = wqd_set_create(m, nr, body, arg);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, set);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							wqd_test_set_destroy,
							set), 0);
	return set;
}

static void wqd_test_names(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < WQD_NR_MECHS; i++)
		KUNIT_EXPECT_STREQ(test, wqd_mech_name(i), wqd_test_mechs[i]);
	KUNIT_EXPECT_NULL(test, wqd_mech_name(WQD_NR_MECHS));
	KUNIT_EXPECT_TRUE(test, IS_ERR(wqd_mech_create("wq_bogus", 0)));
}

static void wqd_test_all_items_run(struct kunit *test)
{
	struct wqd_mech *m = wqd_test_mech(test);
	struct wqd_set *set = wqd_test_set(test, m, 16, WQD_BODY_NONE, 0);
	unsigned int i, seqs = 0;

	for (i = 0; i < set->nr; i++)
		KUNIT_ASSERT_EQ(test, wqd_item_queue(&set->items[i], 0), 0);
	/* An item runs once per queueing: a second queue is refused. */
	KUNIT_EXPECT_EQ(test, wqd_item_queue(&set->items[0], 0), -EBUSY);
	KUNIT_ASSERT_EQ(test, wqd_set_wait(set, WQD_TEST_WAIT), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&set->pending), 0);
	for (i = 0; i < set->nr; i++) {
		struct wqd_item *it = &set->items[i];

		KUNIT_EXPECT_GE(test, it->t_start, it->t_submit);
		KUNIT_EXPECT_GE(test, it->t_end, it->t_start);
		KUNIT_EXPECT_GT(test, it->pid, 0);
		if (it->seq >= 1 && it->seq <= 16)
			seqs |= BIT(it->seq - 1);
	}
	/* Each handler ran exactly once. */
	KUNIT_EXPECT_EQ(test, seqs, (unsigned int)GENMASK(15, 0));
	KUNIT_EXPECT_EQ(test, atomic_read(&set->seq), 16);
}

/* Ordered mechanisms run their items one at a time, in queueing order. */
static void wqd_test_order(struct kunit *test)
{
	struct wqd_mech *m = wqd_test_mech(test);
	struct wqd_set *set;
	unsigned int i;

	if (!wqd_mech_ordered(m))
		kunit_skip(test, "no ordering promise");
	set = wqd_test_set(test, m, 12, WQD_BODY_SLEEP, 2);
	for (i = 0; i < set->nr; i++)
		KUNIT_ASSERT_EQ(test, wqd_item_queue(&set->items[i], 0), 0);
	KUNIT_ASSERT_EQ(test, wqd_set_wait(set, WQD_TEST_WAIT), 0);
	for (i = 0; i < set->nr; i++) {
		KUNIT_EXPECT_EQ(test, set->items[i].seq, i + 1);
		if (i)
			KUNIT_EXPECT_GE(test, set->items[i].t_start,
					set->items[i - 1].t_end);
	}
	KUNIT_EXPECT_EQ(test, wqd_peak_concurrency(set->items, set->nr), 1U);
}

/* Flush returns once the handler has finished; flushing again is a no-op. */
static void wqd_test_flush(struct kunit *test)
{
	struct wqd_mech *m = wqd_test_mech(test);
	struct wqd_set *set = wqd_test_set(test, m, 2, WQD_BODY_SLEEP, 50);
	struct wqd_item *it = &set->items[0];

	/* Never queued: nothing to wait for. */
	KUNIT_EXPECT_FALSE(test, wqd_item_flush(&set->items[1]));
	KUNIT_ASSERT_EQ(test, wqd_item_queue(it, 0), 0);
	wqd_item_flush(it);
	KUNIT_EXPECT_NE(test, it->t_end, 0ULL);
	KUNIT_EXPECT_GE(test, it->t_end - it->t_start,
			(u64)50 * NSEC_PER_MSEC);
	KUNIT_EXPECT_FALSE(test, wqd_item_flush(it));
}

/*
 * Cancel takes back an item still on its timer: it reports true and the
 * handler never runs. An item that is done, or never queued, gives false.
 */
static void wqd_test_cancel(struct kunit *test)
{
	struct wqd_mech *m = wqd_test_mech(test);
	struct wqd_set *set = wqd_test_set(test, m, 3, WQD_BODY_NONE, 0);
	struct wqd_item *late = &set->items[0], *now = &set->items[1];

	KUNIT_ASSERT_EQ(test, wqd_item_queue(late, 60 * HZ), 0);
	KUNIT_EXPECT_TRUE(test, wqd_item_cancel(late));
	KUNIT_EXPECT_FALSE(test, wqd_item_cancel(late));
	KUNIT_EXPECT_EQ(test, late->t_start, 0ULL);
	KUNIT_EXPECT_FALSE(test, wqd_item_flush(late));

	KUNIT_ASSERT_EQ(test, wqd_item_queue(now, 0), 0);
	KUNIT_ASSERT_EQ(test, wqd_item_wait(now, WQD_TEST_WAIT), 0);
	KUNIT_EXPECT_FALSE(test, wqd_item_cancel(now));
	KUNIT_EXPECT_NE(test, now->t_start, 0ULL);

	KUNIT_EXPECT_FALSE(test, wqd_item_cancel(&set->items[2]));
	/* A cancelled item can be queued again, and then it runs. */
	KUNIT_ASSERT_EQ(test, wqd_item_queue(late, 0), 0);
	KUNIT_EXPECT_EQ(test, wqd_item_wait(late, WQD_TEST_WAIT), 0);
}

/*
 * A delayed item fires, after its timer: by then at least its delay has
 * passed in jiffies, the unit the promise is made in. (Not in ktime: a
 * guest under emulation gets its ticks late and in bursts, so jiffies can
 * catch up faster than the clock; wqd_test_cancel covers "not before" for
 * a long delay.)
 */
static void wqd_test_delayed_fires(struct kunit *test)
{
	struct wqd_mech *m = wqd_test_mech(test);
	struct wqd_set *set = wqd_test_set(test, m, 1, WQD_BODY_NONE, 0);
	struct wqd_item *it = &set->items[0];
	unsigned long delay = msecs_to_jiffies(30), j0 = jiffies;

	KUNIT_ASSERT_EQ(test, wqd_item_queue(it, delay), 0);
	KUNIT_ASSERT_EQ(test, wqd_item_wait(it, WQD_TEST_WAIT), 0);
	KUNIT_EXPECT_GT(test, it->t_start, it->t_submit);
	KUNIT_EXPECT_GE(test, jiffies - j0, delay);
}

/*
 * Items that sleep do not hold each other up, except where the mechanism
 * promises order: a blocked worker makes cmwq start another one.
 */
static void wqd_test_blocking_concurrency(struct kunit *test)
{
	struct wqd_mech *m = wqd_test_mech(test);
	struct wqd_set *set = wqd_test_set(test, m, 4, WQD_BODY_SLEEP, 50);
	unsigned int i, peak;

	for (i = 0; i < set->nr; i++)
		KUNIT_ASSERT_EQ(test, wqd_item_queue(&set->items[i], 0), 0);
	KUNIT_ASSERT_EQ(test, wqd_set_wait(set, WQD_TEST_WAIT), 0);
	peak = wqd_peak_concurrency(set->items, set->nr);
	if (wqd_mech_ordered(m)) {
		KUNIT_EXPECT_EQ(test, peak, 1U);
	} else {
		KUNIT_EXPECT_GT(test, peak, 1U);
		KUNIT_EXPECT_GE(test, wqd_distinct_tasks(set->items, set->nr),
				peak);
	}
}

/*
 * A steps item burns, sleeps and burns for what its units say, and keeps
 * when its sleep began and ended.
 */
static void wqd_test_steps(struct kunit *test)
{
	static const struct wqd_step steps[] = {
		{ .units = 1 }, { .sleep = true, .units = 2 }, { .units = 1 },
		{ }
	};
	const u64 unit = 2 * NSEC_PER_MSEC;
	struct wqd_mech *m = wqd_test_mech(test);
	struct wqd_set *set = wqd_test_set(test, m, 1, WQD_BODY_STEPS,
					   unit / NSEC_PER_USEC);
	struct wqd_item *it = &set->items[0];

	it->steps = steps;
	KUNIT_ASSERT_EQ(test, wqd_item_queue(it, 0), 0);
	KUNIT_ASSERT_EQ(test, wqd_item_wait(it, WQD_TEST_WAIT), 0);
	KUNIT_ASSERT_NE(test, it->t_sleep, 0ULL);
	KUNIT_ASSERT_NE(test, it->t_wake, 0ULL);
	KUNIT_EXPECT_GE(test, it->t_sleep - it->t_start, unit);
	KUNIT_EXPECT_GE(test, it->t_wake - it->t_sleep, 2 * unit);
	KUNIT_EXPECT_GE(test, it->t_end - it->t_wake, unit);
}

/* An item with no steps returns at once; aborting cuts a long sleep short. */
static void wqd_test_steps_abort(struct kunit *test)
{
	static const struct wqd_step nap[] = {
		{ .sleep = true, .units = 1 }, { }
	};
	struct wqd_mech *m = wqd_test_mech(test);
	/* a unit of 100 s: only the abort can end it within the bound */
	struct wqd_set *set = wqd_test_set(test, m, 2, WQD_BODY_STEPS,
					   100 * USEC_PER_SEC);

	set->items[1].steps = nap;
	KUNIT_ASSERT_EQ(test, wqd_item_queue(&set->items[0], 0), 0);
	KUNIT_EXPECT_EQ(test, wqd_item_wait(&set->items[0], WQD_TEST_WAIT), 0);
	KUNIT_EXPECT_EQ(test, set->items[0].t_sleep, 0ULL);
	KUNIT_ASSERT_EQ(test, wqd_item_queue(&set->items[1], 0), 0);
	KUNIT_EXPECT_EQ(test, wqd_item_wait(&set->items[1], HZ / 5),
			-ETIMEDOUT);
	wqd_set_abort(set);
	KUNIT_EXPECT_EQ(test, wqd_set_wait(set, WQD_TEST_WAIT), 0);
}

/* The scenario's summary: workers, peak and which items overlapped. */
static void wqd_test_scen_summarise(struct kunit *test)
{
	/* start, end and pid of w0, w1, w2 for three timelines */
	static const struct {
		u64 t[WQD_SCEN_ITEMS][2];
		pid_t pid[WQD_SCEN_ITEMS];
		unsigned int workers, peak, overlaps;
		u64 done;
	} cases[] = {
		/* the serialising queue: ends touch, nothing overlaps */
		{ { { 0, 20 }, { 20, 35 }, { 35, 50 } }, { 7, 7, 7 }, 1, 1, 0,
		  50 },
		/* cmwq, max_active >= 3 */
		{ { { 0, 20 }, { 5, 20 }, { 10, 25 } }, { 7, 8, 9 }, 3, 3,
		  WQD_SCEN_PAIR(0, 1) | WQD_SCEN_PAIR(0, 2) |
		  WQD_SCEN_PAIR(1, 2), 25 },
		/* cmwq, max_active == 2: w2 on w0's worker once it is done */
		{ { { 0, 20 }, { 5, 20 }, { 20, 35 } }, { 7, 8, 7 }, 2, 2,
		  WQD_SCEN_PAIR(0, 1), 35 },
	};
	struct wqd_scen_result r;
	unsigned int c, i;

	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		memset(&r, 0, sizeof(r));
		for (i = 0; i < WQD_SCEN_ITEMS; i++) {
			r.item[i].start = cases[c].t[i][0];
			r.item[i].end = cases[c].t[i][1];
			r.item[i].pid = cases[c].pid[i];
		}
		wqd_scen_summarise(&r);
		KUNIT_EXPECT_EQ_MSG(test, r.workers, cases[c].workers, "case %u", c);
		KUNIT_EXPECT_EQ_MSG(test, r.peak, cases[c].peak, "case %u", c);
		KUNIT_EXPECT_EQ_MSG(test, r.overlaps, cases[c].overlaps, "case %u", c);
		KUNIT_EXPECT_EQ_MSG(test, r.done, cases[c].done, "case %u", c);
	}
}

static void wqd_test_ms_fmt(struct kunit *test)
{
	static const struct {
		s64 ns;
		bool sign;
		const char *want;
	} cases[] = {
		{ 25000000, false, "25.0" }, { 25849999, false, "25.8" },
		{ 25850000, false, "25.9" }, { 0, false, "0.0" },
		{ 0, true, "+0.0" }, { 900000, true, "+0.9" },
		{ -1250000, true, "-1.3" }, { -40000, true, "+0.0" },
		{ 123456789012LL, false, "123456.8" },
	};
	char buf[24];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		wqd_ms_fmt(buf, sizeof(buf), cases[i].ns, cases[i].sign);
		KUNIT_EXPECT_STREQ(test, buf, cases[i].want);
	}
}

static void wqd_test_report_arithmetic(struct kunit *test)
{
	/* Four items: tasks 10, 11, 10, 12 on CPUs 0, 1, 0, 0. */
	static const struct {
		u64 start, end;
		pid_t pid;
		int cpu;
	} t[] = {
		{ 100, 110, 10, 0 }, { 105, 115, 11, 1 },
		{ 110, 120, 10, 0 }, { 112, 113, 12, 0 },
	};
	struct wqd_item *items;
	char buf[16];
	unsigned int i;

	items = kunit_kcalloc(test, ARRAY_SIZE(t), sizeof(*items), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, items);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		items[i].t_start = t[i].start;
		items[i].t_end = t[i].end;
		items[i].pid = t[i].pid;
		items[i].cpu = t[i].cpu;
	}
	KUNIT_EXPECT_EQ(test, wqd_distinct_tasks(items, 4), 3U);
	KUNIT_EXPECT_EQ(test, wqd_distinct_cpus(items, 4), 2U);
	/* At 112: items 1 [105, 115), 2 [110, 120) and 3 itself. */
	KUNIT_EXPECT_EQ(test, wqd_peak_concurrency(items, 4), 3U);
	/* An item that never ran counts for nothing. */
	items[3].t_start = 0;
	KUNIT_EXPECT_EQ(test, wqd_distinct_tasks(items, 4), 2U);
	KUNIT_EXPECT_EQ(test, wqd_peak_concurrency(items, 4), 2U);

	KUNIT_EXPECT_EQ(test, wqd_rate(1000, 2 * NSEC_PER_SEC), 500ULL);
	KUNIT_EXPECT_EQ(test, wqd_rate(1, NSEC_PER_MSEC), 1000ULL);
	KUNIT_EXPECT_EQ(test, wqd_rate(5, 0), 0ULL);

	wqd_ratio_fmt(buf, sizeof(buf), 50, 100);
	KUNIT_EXPECT_STREQ(test, buf, "0.50");
	wqd_ratio_fmt(buf, sizeof(buf), 2, 3);
	KUNIT_EXPECT_STREQ(test, buf, "0.67");
	wqd_ratio_fmt(buf, sizeof(buf), 3, 2);
	KUNIT_EXPECT_STREQ(test, buf, "1.50");
	wqd_ratio_fmt(buf, sizeof(buf), 7, 7);
	KUNIT_EXPECT_STREQ(test, buf, "1.00");
	wqd_ratio_fmt(buf, sizeof(buf), 0, 7);
	KUNIT_EXPECT_STREQ(test, buf, "0.00");
	wqd_ratio_fmt(buf, sizeof(buf), 1234, 100);
	KUNIT_EXPECT_STREQ(test, buf, "12.3");
	wqd_ratio_fmt(buf, sizeof(buf), 123456, 100);
	KUNIT_EXPECT_STREQ(test, buf, "1235");
	wqd_ratio_fmt(buf, sizeof(buf), 5, 0);
	KUNIT_EXPECT_STREQ(test, buf, "-");
}

static struct kunit_case wqd_cases[] = {
	KUNIT_CASE(wqd_test_names),
	KUNIT_CASE(wqd_test_report_arithmetic),
	KUNIT_CASE(wqd_test_scen_summarise),
	KUNIT_CASE(wqd_test_ms_fmt),
	KUNIT_CASE_PARAM(wqd_test_all_items_run, wqd_test_mech_gen_params),
	KUNIT_CASE_PARAM(wqd_test_order, wqd_test_mech_gen_params),
	KUNIT_CASE_PARAM(wqd_test_flush, wqd_test_mech_gen_params),
	KUNIT_CASE_PARAM(wqd_test_cancel, wqd_test_mech_gen_params),
	KUNIT_CASE_PARAM(wqd_test_delayed_fires, wqd_test_mech_gen_params),
	KUNIT_CASE_PARAM(wqd_test_blocking_concurrency,
			 wqd_test_mech_gen_params),
	KUNIT_CASE_PARAM(wqd_test_steps, wqd_test_mech_gen_params),
	KUNIT_CASE_PARAM(wqd_test_steps_abort, wqd_test_mech_gen_params),
	{}
};

static struct kunit_suite wqd_suite = {
	.name = "workqueue_demo",
	.test_cases = wqd_cases,
};

kunit_test_suite(wqd_suite);

MODULE_DESCRIPTION("KUnit tests for workqueue_demo");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
