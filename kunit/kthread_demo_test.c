// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for kthread_demo.
 *
 * Each case builds a private pool with the module's own functions, so the
 * pool users see in /sys/kernel/kthread_demo is never touched. Cleanup is
 * registered with kunit_add_action(), so a failed assertion still stops
 * every thread the case started. Every wait is bounded (KTD_TEST_WAIT_MS).
 *
 * Suites: kthread_demo_pool (lifecycle, placement, priority, hotplug),
 * kthread_demo_workloads (what each workload measures), kthread_demo_stats
 * (histogram and percentile arithmetic on known inputs) and
 * kthread_demo_input (what the sysfs parsers accept and reject).
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "../kthread_demo.h"

#define KTD_TEST_WAIT_MS	10000	/* bound on every wait in this file */

/* Poll @cond every 10 ms for at most KTD_TEST_WAIT_MS; true if it held. */
#define ktd_wait_until(cond)						\
({									\
	unsigned long __end = jiffies + msecs_to_jiffies(KTD_TEST_WAIT_MS); \
	bool __ok;							\
	while (!(__ok = (cond)) && time_before(jiffies, __end))		\
		usleep_range(10000, 11000);				\
	__ok;								\
})

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

static struct ktd_thread *ktd_test_thread(struct ktd_pool *pool,
					  unsigned int i)
{
	struct ktd_thread *t;

	mutex_lock(&pool->lock);
	t = ktd_pool_thread(pool, i);
	mutex_unlock(&pool->lock);
	return t;
}

/* Thread @i has run @more loops beyond what it had when called. */
static bool ktd_test_advances(struct ktd_pool *pool, unsigned int i, u64 more)
{
	struct ktd_thread *t = ktd_test_thread(pool, i);
	u64 start = ktd_thread_loops(t);

	return ktd_wait_until(ktd_thread_loops(t) >= start + more);
}

static bool ktd_test_all_parked(struct ktd_pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->nr_threads; i++)
		if (READ_ONCE(ktd_test_thread(pool, i)->task->__state) != TASK_PARKED)
			return false;
	return true;
}

/* ---- kthread_demo_pool ------------------------------------------------ */

static void ktd_test_spawn_runs_and_stops(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	struct task_struct *task;
	struct ktd_thread *t;

	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 1), 0);
	KUNIT_ASSERT_EQ(test, pool->nr_threads, 1U);
	t = ktd_test_thread(pool, 0);
	task = t->task;
	KUNIT_EXPECT_STREQ(test, task->comm, "ktdt/0");
	KUNIT_EXPECT_TRUE(test, task->flags & PF_KTHREAD);
	/* The thread really runs: its own counter moves. */
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 0, 3));
	KUNIT_EXPECT_TRUE(test, READ_ONCE(t->started));

	/* Stopping takes it out of the pool; our reference kept it valid. */
	get_task_struct(task);
	KUNIT_EXPECT_EQ(test, ktd_pool_resize(pool, 0), 0);
	KUNIT_EXPECT_EQ(test, pool->nr_threads, 0U);
	KUNIT_EXPECT_TRUE(test, task->flags & PF_EXITING);
	put_task_struct(task);
	KUNIT_EXPECT_EQ(test, pool->never_ran, 0ULL);
}

static void ktd_test_stop_before_run(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	struct ktd_thread *t;

	t = ktd_thread_create_on_cpu(pool, 0, raw_smp_processor_id());
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(t->started));
	/* Never woken: the thread function never runs, kthread_stop says so. */
	KUNIT_EXPECT_EQ(test, ktd_thread_stop(t), -EINTR);
	KUNIT_EXPECT_EQ(test, pool->never_ran, 1ULL);
}

static void ktd_test_resize_keeps_survivors(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 8);
	struct task_struct *first[2];
	unsigned int i;

	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2), 0);
	for (i = 0; i < 2; i++)
		first[i] = ktd_test_thread(pool, i)->task;
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 6), 0);
	KUNIT_EXPECT_EQ(test, pool->nr_threads, 6U);
	KUNIT_EXPECT_STREQ(test, ktd_test_thread(pool, 5)->task->comm, "ktdt/5");
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2), 0);
	KUNIT_EXPECT_EQ(test, pool->nr_threads, 2U);
	/* The two that stayed are the very same tasks, still running. */
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_PTR_EQ(test, ktd_test_thread(pool, i)->task, first[i]);
		KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, i, 2));
	}
}

static void ktd_test_resize_above_cap(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 2);

	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 1), 0);
	KUNIT_EXPECT_EQ(test, ktd_pool_resize(pool, 3), -ERANGE);
	KUNIT_EXPECT_EQ(test, pool->nr_threads, 1U);
}

static void ktd_test_bind_one_cpu(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	int cpu = cpumask_last(cpu_online_mask);
	unsigned int i;

	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 3), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_bind(pool, cpu), 0);
	KUNIT_EXPECT_EQ(test, pool->nr_threads, 3U);
	for (i = 0; i < 3; i++) {
		struct task_struct *task = ktd_test_thread(pool, i)->task;

		KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, i, 2));
		KUNIT_EXPECT_EQ(test, task_cpu(task), cpu);
		KUNIT_EXPECT_EQ(test, task->nr_cpus_allowed, 1);
		/* kthread_bind() also forbids user-space sched_setaffinity. */
		KUNIT_EXPECT_TRUE(test, task->flags & PF_NO_SETAFFINITY);
	}
	KUNIT_EXPECT_EQ(test, ktd_pool_set_bind(pool, KTD_BIND_NONE), 0);
	KUNIT_EXPECT_GT(test, ktd_test_thread(pool, 0)->task->nr_cpus_allowed,
			num_online_cpus() > 1 ? 1 : 0);
	KUNIT_EXPECT_EQ(test, ktd_pool_set_bind(pool, nr_cpu_ids), -ERANGE);
	KUNIT_EXPECT_EQ(test, pool->bind, KTD_BIND_NONE);
}

static void ktd_test_bind_spread(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 8);
	unsigned int i, n = num_online_cpus();

	KUNIT_ASSERT_EQ(test, ktd_pool_set_bind(pool, KTD_BIND_SPREAD), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2 * n), 0);
	for (i = 0; i < 2 * n; i++) {
		KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, i, 1));
		KUNIT_EXPECT_EQ(test, task_cpu(ktd_test_thread(pool, i)->task),
				cpumask_nth(i % n, cpu_online_mask));
	}
}

static void ktd_test_priority(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	struct task_struct *task;

	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2), 0);
	task = ktd_test_thread(pool, 1)->task;
	KUNIT_EXPECT_EQ(test, task->policy, SCHED_NORMAL);

	KUNIT_EXPECT_EQ(test, ktd_pool_set_priority(pool, SCHED_FIFO, 0), 0);
	KUNIT_EXPECT_EQ(test, task->policy, SCHED_FIFO);
	KUNIT_EXPECT_GT(test, task->rt_priority, 0U);
	/* Threads started later get the pool's priority too. */
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 3), 0);
	KUNIT_EXPECT_EQ(test, ktd_test_thread(pool, 2)->task->policy, SCHED_FIFO);

	KUNIT_EXPECT_EQ(test, ktd_pool_set_priority(pool, SCHED_NORMAL, 7), 0);
	KUNIT_EXPECT_EQ(test, task->policy, SCHED_NORMAL);
	KUNIT_EXPECT_EQ(test, task_nice(task), 7);

	KUNIT_EXPECT_EQ(test, ktd_pool_set_priority(pool, SCHED_NORMAL, 20), -ERANGE);
	KUNIT_EXPECT_EQ(test, ktd_pool_set_priority(pool, SCHED_NORMAL, -21), -ERANGE);
	KUNIT_EXPECT_EQ(test, ktd_pool_set_priority(pool, SCHED_RR, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, task_nice(task), 7);
	KUNIT_EXPECT_EQ(test, pool->nice, 7);
}

static void ktd_test_park_unpark(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	u64 loops;

	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_parked(pool, true), 0);
	KUNIT_EXPECT_TRUE(test, ktd_wait_until(ktd_test_all_parked(pool)));
	/* A thread started while the pool is parked parks too. */
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 3), 0);
	KUNIT_EXPECT_TRUE(test, ktd_wait_until(ktd_test_all_parked(pool)));
	loops = ktd_thread_loops(ktd_test_thread(pool, 0));
	msleep(50);
	KUNIT_EXPECT_EQ(test, ktd_thread_loops(ktd_test_thread(pool, 0)), loops);

	KUNIT_ASSERT_EQ(test, ktd_pool_set_parked(pool, false), 0);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 0, 2));
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 2, 2));
	/* Parked threads cannot freeze, so a parked pool refuses freezable. */
	KUNIT_ASSERT_EQ(test, ktd_pool_set_parked(pool, true), 0);
	KUNIT_EXPECT_EQ(test, ktd_pool_set_freezable(pool, true), -EBUSY);
	KUNIT_EXPECT_FALSE(test, pool->freezable);
	/* Stopping parked threads works as well. */
	KUNIT_ASSERT_EQ(test, ktd_pool_set_parked(pool, true), 0);
	KUNIT_EXPECT_EQ(test, ktd_pool_resize(pool, 0), 0);
}

static void ktd_test_iterations_finish(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	struct ktd_thread *t;

	WRITE_ONCE(pool->period_us, 100);
	WRITE_ONCE(pool->iterations, 5);
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2), 0);
	t = ktd_test_thread(pool, 1);
	/* It returns on its own; our task reference keeps it inspectable. */
	KUNIT_EXPECT_TRUE(test, ktd_wait_until(READ_ONCE(t->finished)));
	KUNIT_EXPECT_TRUE(test, ktd_wait_until(t->task->flags & PF_EXITING));
	KUNIT_EXPECT_EQ(test, ktd_thread_loops(t), 5ULL);
	/* Parking skips a finished thread instead of warning about it. */
	KUNIT_EXPECT_EQ(test, ktd_pool_set_parked(pool, true), 0);
	KUNIT_EXPECT_EQ(test, ktd_pool_set_parked(pool, false), 0);
	KUNIT_EXPECT_EQ(test, ktd_pool_resize(pool, 0), 0);
	KUNIT_EXPECT_EQ(test, pool->never_ran, 0ULL);
}

static void ktd_test_freezable(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	struct task_struct *before;
	struct ktd_thread *t;

	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2), 0);
	t = ktd_test_thread(pool, 0);
	KUNIT_ASSERT_TRUE(test, ktd_test_advances(pool, 0, 1));
	/* Kernel threads start unfreezable (PF_NOFREEZE). */
	KUNIT_EXPECT_TRUE(test, t->task->flags & PF_NOFREEZE);
	before = t->task;

	/* set_freezable() only works on current: the threads restart. */
	KUNIT_ASSERT_EQ(test, ktd_pool_set_freezable(pool, true), 0);
	t = ktd_test_thread(pool, 0);
	KUNIT_EXPECT_PTR_NE(test, t->task, before);
	KUNIT_EXPECT_TRUE(test, t->freezable);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 0, 1));
	KUNIT_EXPECT_FALSE(test, t->task->flags & PF_NOFREEZE);
	KUNIT_EXPECT_EQ(test, pool->nr_threads, 2U);
	/* ... and a freezable pool refuses to park. */
	KUNIT_EXPECT_EQ(test, ktd_pool_set_parked(pool, true), -EBUSY);
	KUNIT_EXPECT_FALSE(test, pool->parked);
}

static void ktd_test_cpu_hotplug_parks(struct kunit *test)
{
	struct ktd_pool *pool;
	struct ktd_thread *t;
	int cpu = cpumask_last(cpu_online_mask);

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || num_online_cpus() < 2 || !cpu)
		kunit_skip(test, "needs a second CPU that can go offline");
	pool = ktd_test_pool(test, 4);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_bind(pool, cpu), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2), 0);
	t = ktd_test_thread(pool, 0);
	KUNIT_ASSERT_TRUE(test, ktd_test_advances(pool, 0, 2));

	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	KUNIT_EXPECT_TRUE(test, t->park_why & KTD_PARK_HOTPLUG);
	KUNIT_EXPECT_TRUE(test, ktd_wait_until(ktd_test_all_parked(pool)));
	/* While the CPU is away, binding to it is refused. */
	KUNIT_EXPECT_EQ(test, ktd_pool_set_bind(pool, KTD_BIND_NONE), 0);
	KUNIT_EXPECT_EQ(test, ktd_pool_set_bind(pool, cpu), -EBUSY);
	KUNIT_EXPECT_EQ(test, pool->bind, KTD_BIND_NONE);
	KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);

	/* Rebound threads park and resume on their own CPU. */
	KUNIT_ASSERT_EQ(test, ktd_pool_set_bind(pool, cpu), 0);
	t = ktd_test_thread(pool, 1);
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	KUNIT_EXPECT_TRUE(test, ktd_wait_until(ktd_test_all_parked(pool)));
	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	KUNIT_EXPECT_FALSE(test, t->park_why);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 1, 2));
	KUNIT_EXPECT_EQ(test, task_cpu(t->task), cpu);
	KUNIT_EXPECT_EQ(test, t->task->nr_cpus_allowed, 1);
}

static struct kunit_case ktd_pool_cases[] = {
	KUNIT_CASE(ktd_test_spawn_runs_and_stops),
	KUNIT_CASE(ktd_test_stop_before_run),
	KUNIT_CASE(ktd_test_resize_keeps_survivors),
	KUNIT_CASE(ktd_test_resize_above_cap),
	KUNIT_CASE(ktd_test_bind_one_cpu),
	KUNIT_CASE(ktd_test_bind_spread),
	KUNIT_CASE(ktd_test_priority),
	KUNIT_CASE(ktd_test_park_unpark),
	KUNIT_CASE(ktd_test_iterations_finish),
	KUNIT_CASE(ktd_test_freezable),
	KUNIT_CASE(ktd_test_cpu_hotplug_parks),
	{}
};

static struct kunit_suite ktd_pool_suite = {
	.name = "kthread_demo_pool",
	.test_cases = ktd_pool_cases,
};

/* ---- kthread_demo_workloads ------------------------------------------- */

/* Sum of one latency histogram over the pool's threads with fresh stats. */
static u64 ktd_test_samples(struct ktd_pool *pool, unsigned int which)
{
	u64 n = 0;
	unsigned int i;

	mutex_lock(&pool->lock);
	for (i = 0; i < pool->nr_threads; i++) {
		struct ktd_thread *t = ktd_pool_thread(pool, i);

		/* Pairs with the release in ktd_stats_sync(). */
		if (smp_load_acquire(&t->st.gen) == READ_ONCE(pool->stats_gen))
			n += READ_ONCE(t->st.lat[which].count);
	}
	mutex_unlock(&pool->lock);
	return n;
}

static void ktd_test_sleep_records_latency(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	struct ktd_thread *t;
	u64 reset_ns, loops;

	WRITE_ONCE(pool->period_us, 500);
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2), 0);
	KUNIT_EXPECT_TRUE(test, ktd_wait_until(ktd_test_samples(pool, KTD_LAT_SAME) >= 20));
	t = ktd_test_thread(pool, 0);
	KUNIT_EXPECT_LE(test, READ_ONCE(t->st.lat[0].min), READ_ONCE(t->st.lat[0].max));

	/* A reset zeroes them; the threads catch up on their next loop. */
	reset_ns = ktime_get_ns();
	mutex_lock(&pool->lock);
	ktd_pool_reset_stats(pool);
	mutex_unlock(&pool->lock);
	/* Pairs with the release in ktd_stats_sync(). */
	KUNIT_EXPECT_TRUE(test, ktd_wait_until(smp_load_acquire(&t->st.gen) ==
					       READ_ONCE(pool->stats_gen)));
	KUNIT_EXPECT_GE(test, READ_ONCE(t->st.start_ns), reset_ns);
	/* Loops since the reset, read first, are fewer than loops ever. */
	loops = READ_ONCE(t->st.loops);
	KUNIT_EXPECT_LT(test, loops, ktd_thread_loops(t));

	/* With stats off, loops go on but nothing is recorded. */
	WRITE_ONCE(pool->stats_enabled, false);
	mutex_lock(&pool->lock);
	ktd_pool_reset_stats(pool);
	mutex_unlock(&pool->lock);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 0, 5));
	KUNIT_EXPECT_EQ(test, ktd_test_samples(pool, KTD_LAT_SAME), 0ULL);
}

static void ktd_test_spin_runs(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);

	KUNIT_ASSERT_EQ(test, ktd_pool_set_workload(pool, KTD_WL_SPIN), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2), 0);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 0, 100));
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 1, 100));
	KUNIT_EXPECT_EQ(test, ktd_pool_set_workload(pool, KTD_NR_WORKLOADS), -EINVAL);
	KUNIT_EXPECT_EQ(test, pool->workload, KTD_WL_SPIN);
}

/* One blocked thread does not hold up the others (one-to-one model). */
static void ktd_test_block_one_stalls_alone(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	struct ktd_thread *t0;
	u64 loops;

	WRITE_ONCE(pool->period_us, 200);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_workload(pool, KTD_WL_BLOCK), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 3), 0);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 0, 5));

	mutex_lock(&pool->lock);
	WRITE_ONCE(pool->io_stall, 1);
	ktd_pool_wake_all(pool);
	mutex_unlock(&pool->lock);
	t0 = ktd_test_thread(pool, 0);
	/* Give it time to enter its never-ending wait. */
	msleep(50);
	loops = ktd_thread_loops(t0);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 1, 20));
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 2, 20));
	KUNIT_EXPECT_EQ(test, ktd_thread_loops(t0), loops);
	KUNIT_EXPECT_EQ(test, READ_ONCE(t0->task->__state), TASK_IDLE);

	mutex_lock(&pool->lock);
	WRITE_ONCE(pool->io_stall, 0);
	ktd_pool_wake_all(pool);
	mutex_unlock(&pool->lock);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 0, 5));
	KUNIT_EXPECT_GT(test, ktd_test_samples(pool, KTD_LAT_SAME), 0ULL);
}

static void ktd_test_pingpong_same_and_cross(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	int cpu = cpumask_first(cpu_online_mask);

	KUNIT_ASSERT_EQ(test, ktd_pool_set_workload(pool, KTD_WL_PINGPONG), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_bind(pool, cpu), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2), 0);
	KUNIT_EXPECT_TRUE(test, ktd_wait_until(ktd_test_samples(pool, KTD_LAT_SAME) >= 50));
	KUNIT_EXPECT_EQ(test, ktd_test_samples(pool, KTD_LAT_CROSS), 0ULL);

	if (num_online_cpus() < 2)
		kunit_skip(test, "cross-CPU round trips need two CPUs");
	KUNIT_ASSERT_EQ(test, ktd_pool_set_bind(pool, KTD_BIND_SPREAD), 0);
	KUNIT_EXPECT_TRUE(test, ktd_wait_until(ktd_test_samples(pool, KTD_LAT_CROSS) >= 50));
}

static struct kunit_case ktd_workload_cases[] = {
	KUNIT_CASE(ktd_test_sleep_records_latency),
	KUNIT_CASE(ktd_test_spin_runs),
	KUNIT_CASE(ktd_test_block_one_stalls_alone),
	KUNIT_CASE(ktd_test_pingpong_same_and_cross),
	{}
};

static struct kunit_suite ktd_workload_suite = {
	.name = "kthread_demo_workloads",
	.test_cases = ktd_workload_cases,
};

/* ---- kthread_demo_stats ----------------------------------------------- */

static struct ktd_hist *ktd_test_hist(struct kunit *test)
{
	struct ktd_hist *h = kunit_kmalloc(test, sizeof(*h), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, h);
	ktd_hist_init(h);
	return h;
}

/* Small values have buckets of their own, so percentiles are exact. */
static void ktd_test_hist_exact_small(struct kunit *test)
{
	struct ktd_hist *h = ktd_test_hist(test);
	u64 v;

	for (v = 0; v < KTD_HIST_SUB; v++)
		ktd_hist_add(h, v);
	KUNIT_EXPECT_EQ(test, h->count, (u64)KTD_HIST_SUB);
	KUNIT_EXPECT_EQ(test, h->min, 0ULL);
	KUNIT_EXPECT_EQ(test, h->max, KTD_HIST_SUB - 1ULL);
	KUNIT_EXPECT_EQ(test, h->sum, 28ULL);
	KUNIT_EXPECT_EQ(test, ktd_hist_mean(h), 3ULL);
	/* ranks ceil(8 * p): p50 -> 4th sample (3), p90 -> 8th (7) */
	KUNIT_EXPECT_EQ(test, ktd_hist_percentile(h, 500), 3ULL);
	KUNIT_EXPECT_EQ(test, ktd_hist_percentile(h, 900), 7ULL);
	KUNIT_EXPECT_EQ(test, ktd_hist_percentile(h, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, ktd_hist_percentile(h, 1000), 7ULL);
}

/* Every value lands in a bucket whose bounds hold it. */
static void ktd_test_hist_buckets_hold_values(struct kunit *test)
{
	u64 v;

	for (v = 1; v < (1ULL << KTD_HIST_MAX_SHIFT); v = v * 3 + 1) {
		unsigned int i = ktd_hist_index(v);

		KUNIT_EXPECT_LT(test, i, (unsigned int)KTD_HIST_BUCKETS);
		KUNIT_EXPECT_LE(test, ktd_hist_lower(i), v);
		KUNIT_EXPECT_GE(test, ktd_hist_upper(i), v);
		/* a bucket is at most 1/8 of its lower bound wide */
		KUNIT_EXPECT_LE(test, ktd_hist_upper(i) - ktd_hist_lower(i),
				ktd_hist_lower(i) / KTD_HIST_SUB);
	}
	KUNIT_EXPECT_EQ(test, ktd_hist_index(U64_MAX), KTD_HIST_BUCKETS - 1);
	KUNIT_EXPECT_EQ(test, ktd_hist_index(1000), ktd_hist_index(1023));
	KUNIT_EXPECT_NE(test, ktd_hist_index(1023), ktd_hist_index(1024));
}

/* 1..1000 ns: percentiles within one bucket (12.5%) of the true value. */
static void ktd_test_hist_percentiles(struct kunit *test)
{
	static const unsigned int pm[] = { 500, 900, 990, 999 };
	struct ktd_hist *h = ktd_test_hist(test);
	unsigned int i;
	u64 v;

	for (v = 1; v <= 1000; v++)
		ktd_hist_add(h, v);
	for (i = 0; i < ARRAY_SIZE(pm); i++) {
		u64 got = ktd_hist_percentile(h, pm[i]), want = pm[i];

		KUNIT_EXPECT_GE(test, got, want);
		KUNIT_EXPECT_LE(test, got, want + want / KTD_HIST_SUB);
	}
	/* p50 of 1..1000 is 500, in bucket [480, 511] */
	KUNIT_EXPECT_EQ(test, ktd_hist_percentile(h, 500), 511ULL);
	/* the top is clamped to the largest sample seen */
	KUNIT_EXPECT_EQ(test, ktd_hist_percentile(h, 999), 1000ULL);
	KUNIT_EXPECT_EQ(test, ktd_hist_mean(h), 500ULL);
}

static void ktd_test_hist_merge(struct kunit *test)
{
	struct ktd_hist *a = ktd_test_hist(test), *b = ktd_test_hist(test);
	struct ktd_hist *sum = ktd_test_hist(test);

	ktd_hist_add(a, 5);
	ktd_hist_add(a, 100);
	ktd_hist_add(b, 2);
	ktd_hist_add(b, 1000000);
	ktd_hist_merge(sum, a);
	ktd_hist_merge(sum, b);
	KUNIT_EXPECT_EQ(test, sum->count, 4ULL);
	KUNIT_EXPECT_EQ(test, ktd_hist_samples(sum), 4ULL);
	KUNIT_EXPECT_EQ(test, sum->min, 2ULL);
	KUNIT_EXPECT_EQ(test, sum->max, 1000000ULL);
	KUNIT_EXPECT_EQ(test, sum->sum, 1000107ULL);
	KUNIT_EXPECT_EQ(test, ktd_hist_percentile(sum, 500), 5ULL);
	KUNIT_EXPECT_EQ(test, ktd_hist_percentile(sum, 1000), 1000000ULL);
	/* an empty histogram reports zeros, not garbage */
	KUNIT_EXPECT_EQ(test, ktd_hist_percentile(ktd_test_hist(test), 500), 0ULL);
}

static struct kunit_case ktd_stats_cases[] = {
	KUNIT_CASE(ktd_test_hist_exact_small),
	KUNIT_CASE(ktd_test_hist_buckets_hold_values),
	KUNIT_CASE(ktd_test_hist_percentiles),
	KUNIT_CASE(ktd_test_hist_merge),
	{}
};

static struct kunit_suite ktd_stats_suite = {
	.name = "kthread_demo_stats",
	.test_cases = ktd_stats_cases,
};

/* ---- kthread_demo_input ----------------------------------------------- */

struct ktd_input_case {
	const char *buf;
	int (*parse)(const char *buf, int *val);
	int err;	/* expected result */
	int val;	/* expected value when err == 0 */
};

static int ktd_test_parse_workload(const char *buf, int *val)
{
	enum ktd_workload wl;
	int err = ktd_parse_workload(buf, &wl);

	if (!err)
		*val = wl;
	return err;
}

static const struct ktd_input_case ktd_input_cases[] = {
	{ "spin\n", ktd_test_parse_workload, 0, KTD_WL_SPIN },
	{ "pingpong", ktd_test_parse_workload, 0, KTD_WL_PINGPONG },
	{ "Spin\n", ktd_test_parse_workload, -EINVAL },
	{ "", ktd_test_parse_workload, -EINVAL },
	{ "sleep block", ktd_test_parse_workload, -EINVAL },
	{ "none\n", ktd_parse_bind, 0, KTD_BIND_NONE },
	{ "spread", ktd_parse_bind, 0, KTD_BIND_SPREAD },
	{ "0\n", ktd_parse_bind, 0, 0 },
	{ "-1", ktd_parse_bind, -EINVAL },
	{ "cpu0", ktd_parse_bind, -EINVAL },
	{ "4096", ktd_parse_bind, -ERANGE },
	{ "99999999999", ktd_parse_bind, -ERANGE },
	{ "fifo\n", ktd_parse_policy, 0, SCHED_FIFO },
	{ "normal", ktd_parse_policy, 0, SCHED_NORMAL },
	{ "rr", ktd_parse_policy, -EINVAL },
	{ " fifo", ktd_parse_policy, -EINVAL },
};

static void ktd_input_desc(const struct ktd_input_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%ps(\"%.*s\")", c->parse,
		 (int)strcspn(c->buf, "\n"), c->buf);
}

KUNIT_ARRAY_PARAM(ktd_input, ktd_input_cases, ktd_input_desc);

static void ktd_test_parse(struct kunit *test)
{
	const struct ktd_input_case *c = test->param_value;
	int val = 12345;

	KUNIT_EXPECT_EQ(test, c->parse(c->buf, &val), c->err);
	/* A rejected value leaves the destination alone. */
	KUNIT_EXPECT_EQ(test, val, c->err ? 12345 : c->val);
}

static struct kunit_case ktd_input_test_cases[] = {
	KUNIT_CASE_PARAM(ktd_test_parse, ktd_input_gen_params),
	{}
};

static struct kunit_suite ktd_input_suite = {
	.name = "kthread_demo_input",
	.test_cases = ktd_input_test_cases,
};

kunit_test_suites(&ktd_pool_suite, &ktd_workload_suite, &ktd_stats_suite,
		  &ktd_input_suite);

MODULE_DESCRIPTION("KUnit tests for kthread_demo");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
