// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the kthread_demo thread pool.
 *
 * Each case builds a private pool with the module's own functions, so the
 * pool users see in /sys/kernel/kthread_demo is never touched. Cleanup is
 * registered with kunit_add_action(), so a failed assertion still stops
 * every thread the case started.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/sched.h>
#include <linux/sched/task.h>

#include "../kthread_demo.h"

#define KTD_TEST_WAIT_MS	5000	/* bound on every wait in this suite */

static void ktd_test_pool_destroy(void *pool)
{
	ktd_pool_destroy(pool);
}

static struct ktd_pool *ktd_test_pool(struct kunit *test, unsigned int max)
{
	struct ktd_pool *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, ktd_pool_init(pool, "ktdt", max), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							ktd_test_pool_destroy,
							pool), 0);
	return pool;
}

/* Wait, bounded, until thread @t has run at least @loops loops. */
static bool ktd_test_wait_loops(struct ktd_thread *t, u64 loops)
{
	unsigned int waited;

	for (waited = 0; waited < KTD_TEST_WAIT_MS; waited += 20) {
		if (ktd_thread_loops(t) >= loops)
			return true;
		msleep(20);
	}
	return false;
}

static void ktd_test_spawn_runs_and_stops(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	struct task_struct *task;
	struct ktd_thread *t;

	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 1), 0);
	KUNIT_ASSERT_EQ(test, pool->nr_threads, 1U);
	t = pool->threads[0];
	task = t->task;
	KUNIT_EXPECT_STREQ(test, task->comm, "ktdt/0");
	KUNIT_EXPECT_TRUE(test, task->flags & PF_KTHREAD);
	/* The thread really runs: its own counter moves. */
	KUNIT_EXPECT_TRUE(test, ktd_test_wait_loops(t, 3));

	/* Stopping takes it out of the pool; our reference kept it valid. */
	get_task_struct(task);
	KUNIT_EXPECT_EQ(test, ktd_pool_resize(pool, 0), 0);
	KUNIT_EXPECT_EQ(test, pool->nr_threads, 0U);
	KUNIT_EXPECT_TRUE(test, task->flags & PF_EXITING);
	put_task_struct(task);
}

static void ktd_test_resize_above_cap(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 2);

	KUNIT_EXPECT_EQ(test, ktd_pool_resize(pool, 3), -ERANGE);
	KUNIT_EXPECT_EQ(test, pool->nr_threads, 0U);
}

static struct kunit_case ktd_pool_cases[] = {
	KUNIT_CASE(ktd_test_spawn_runs_and_stops),
	KUNIT_CASE(ktd_test_resize_above_cap),
	{}
};

static struct kunit_suite ktd_pool_suite = {
	.name = "kthread_demo_pool",
	.test_cases = ktd_pool_cases,
};

kunit_test_suite(ktd_pool_suite);

MODULE_DESCRIPTION("KUnit tests for kthread_demo");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
