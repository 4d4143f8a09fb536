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
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "../kthread_demo.h"

#define KTD_TEST_WAIT_MS	10000	/* bound on every wait in this file */

/* Poll @cond every 10 ms for at most @ms; true if it held. */
#define ktd_wait_until_ms(cond, ms)					\
({									\
	unsigned long __end = jiffies + msecs_to_jiffies(ms);		\
	bool __ok;							\
	while (!(__ok = (cond)) && time_before(jiffies, __end))		\
		usleep_range(10000, 11000);				\
	__ok;								\
})
#define ktd_wait_until(cond)	ktd_wait_until_ms(cond, KTD_TEST_WAIT_MS)

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

/* Thread @i runs @more loops beyond what it had when called, within @ms. */
static bool ktd_test_advances_ms(struct ktd_pool *pool, unsigned int i,
				 u64 more, unsigned int ms)
{
	struct ktd_thread *t = ktd_test_thread(pool, i);
	u64 start = ktd_thread_loops(t);

	return ktd_wait_until_ms(ktd_thread_loops(t) >= start + more, ms);
}

static bool ktd_test_advances(struct ktd_pool *pool, unsigned int i, u64 more)
{
	return ktd_test_advances_ms(pool, i, more, KTD_TEST_WAIT_MS);
}

static unsigned int ktd_test_state(struct task_struct *task)
{
	return READ_ONCE(task->__state);
}

static bool ktd_test_all_parked(struct ktd_pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->nr_threads; i++)
		if (ktd_test_state(ktd_test_thread(pool, i)->task) != TASK_PARKED)
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

	t = ktd_thread_create(pool, 0, raw_smp_processor_id(), false);
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
	unsigned int i, n = num_online_cpus();
	struct ktd_pool *pool = ktd_test_pool(test, 2 * n);

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

	KUNIT_EXPECT_EQ(test, ktd_pool_set_policy(pool, SCHED_FIFO), 0);
	KUNIT_EXPECT_EQ(test, task->policy, SCHED_FIFO);
	KUNIT_EXPECT_GT(test, task->rt_priority, 0U);
	/* Threads started later get the pool's priority too. */
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 3), 0);
	KUNIT_EXPECT_EQ(test, ktd_test_thread(pool, 2)->task->policy, SCHED_FIFO);
	/* nice is kept under FIFO, and applies when the policy goes back. */
	KUNIT_EXPECT_EQ(test, ktd_pool_set_nice(pool, 7), 0);
	KUNIT_EXPECT_EQ(test, task->policy, SCHED_FIFO);
	KUNIT_EXPECT_EQ(test, ktd_pool_set_policy(pool, SCHED_NORMAL), 0);
	KUNIT_EXPECT_EQ(test, task->policy, SCHED_NORMAL);
	KUNIT_EXPECT_EQ(test, task_nice(task), 7);

	KUNIT_EXPECT_EQ(test, ktd_pool_set_nice(pool, 20), -ERANGE);
	KUNIT_EXPECT_EQ(test, ktd_pool_set_nice(pool, -21), -ERANGE);
	KUNIT_EXPECT_EQ(test, ktd_pool_set_policy(pool, SCHED_RR), -EINVAL);
	KUNIT_EXPECT_EQ(test, task_nice(task), 7);
	KUNIT_EXPECT_EQ(test, pool->nice, 7);
	KUNIT_EXPECT_EQ(test, pool->policy, SCHED_NORMAL);
}

struct ktd_test_prio_writer {
	struct ktd_pool *pool;
	bool nice;		/* writes nice; else the policy */
	struct completion done;
};

static int ktd_test_prio_writer_fn(void *data)
{
	struct ktd_test_prio_writer *w = data;
	unsigned int i;

	/* 400 writes each, the last one of nice 5 or of SCHED_FIFO. */
	for (i = 1; i <= 400; i++) {
		if (w->nice)
			ktd_pool_set_nice(w->pool, i & 1 ? 6 : 5);
		else
			ktd_pool_set_policy(w->pool, i & 1 ? SCHED_NORMAL :
					    SCHED_FIFO);
	}
	complete(&w->done);
	/* Never return before being stopped: the test holds no reference. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static void ktd_test_kthread_stop(void *task)
{
	kthread_stop(task);
}

/* A helper kthread on @cpu, stopped when the case ends, however it ends. */
static void ktd_test_kthread(struct kunit *test, int (*fn)(void *), void *data,
			     int cpu)
{
	struct task_struct *task = kthread_run_on_cpu(fn, data, cpu, "ktdt-h/%u");

	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ktd_test_kthread_stop,
							task), 0);
}

/* nice and policy written at the same time: neither write is lost. */
static void ktd_test_priority_concurrent(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	struct ktd_test_prio_writer w[2];
	struct task_struct *task;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 1), 0);
	for (i = 0; i < 2; i++) {
		w[i].pool = pool;
		w[i].nice = i == 0;
		init_completion(&w[i].done);
	}
	for (i = 0; i < 2; i++)
		ktd_test_kthread(test, ktd_test_prio_writer_fn, &w[i],
				 cpumask_nth(i % num_online_cpus(), cpu_online_mask));
	for (i = 0; i < 2; i++) {
		unsigned long left = msecs_to_jiffies(KTD_TEST_WAIT_MS);

		left = wait_for_completion_timeout(&w[i].done, left);
		KUNIT_ASSERT_GT(test, left, 0UL);
	}
	task = ktd_test_thread(pool, 0)->task;
	KUNIT_EXPECT_EQ(test, pool->nice, 5);
	KUNIT_EXPECT_EQ(test, pool->policy, SCHED_FIFO);
	KUNIT_EXPECT_EQ(test, task->policy, SCHED_FIFO);
	KUNIT_EXPECT_EQ(test, ktd_pool_set_policy(pool, SCHED_NORMAL), 0);
	KUNIT_EXPECT_EQ(test, task_nice(task), 5);
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

	KUNIT_ASSERT_EQ(test, ktd_pool_set_period(pool, 100), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_iterations(pool, 5), 0);
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

/*
 * Every thread waits for its CPU, off it: asleep in a freezable wait, not
 * in TASK_PARKED, which a suspend could not freeze.
 */
static bool ktd_test_all_away(struct ktd_pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->nr_threads; i++) {
		struct ktd_thread *t = ktd_test_thread(pool, i);
		unsigned int state = ktd_test_state(t->task);

		if (!READ_ONCE(t->away) || state == TASK_RUNNING ||
		    state == TASK_PARKED)
			return false;
	}
	return true;
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
	KUNIT_EXPECT_TRUE(test, t->away);
	KUNIT_EXPECT_TRUE(test, ktd_wait_until(ktd_test_all_away(pool)));
	/* While the CPU is away, binding to it is refused. */
	KUNIT_EXPECT_EQ(test, ktd_pool_set_bind(pool, KTD_BIND_NONE), 0);
	KUNIT_EXPECT_EQ(test, ktd_pool_set_bind(pool, cpu), -EBUSY);
	KUNIT_EXPECT_EQ(test, pool->bind, KTD_BIND_NONE);
	KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);

	/* Rebound threads park and resume on their own CPU. */
	KUNIT_ASSERT_EQ(test, ktd_pool_set_bind(pool, cpu), 0);
	t = ktd_test_thread(pool, 1);
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	KUNIT_EXPECT_TRUE(test, ktd_wait_until(ktd_test_all_away(pool)));
	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	KUNIT_EXPECT_FALSE(test, t->away);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 1, 2));
	KUNIT_EXPECT_EQ(test, task_cpu(t->task), cpu);
	KUNIT_EXPECT_EQ(test, t->task->nr_cpus_allowed, 1);
}

/*
 * A new thread, bound or not, does not run before its creator has taken
 * its reference and let it go: one that finishes at once (iterations=1)
 * could otherwise be reaped and freed before the reference is taken.
 */
static void ktd_test_create_holds_before_run(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 16);
	struct ktd_thread *t;
	unsigned int i;

	t = ktd_thread_create(pool, 0, -1, false);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	msleep(50);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(t->started));
	KUNIT_EXPECT_PTR_NE(test, t->task, NULL);
	/* kthreadd's reference and ours */
	KUNIT_EXPECT_GE(test, refcount_read(&t->task->usage), 2U);
	KUNIT_EXPECT_EQ(test, ktd_thread_stop(t), -EINTR);

	/* Threads that finish at once stay ours to inspect and stop. */
	KUNIT_ASSERT_EQ(test, ktd_pool_set_workload(pool, "spin"), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_iterations(pool, 1), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 16), 0);
	for (i = 0; i < 16; i++) {
		t = ktd_test_thread(pool, i);
		KUNIT_EXPECT_TRUE(test, ktd_wait_until(READ_ONCE(t->finished)));
		KUNIT_EXPECT_EQ(test, ktd_thread_loops(t), 1ULL);
	}
	KUNIT_EXPECT_EQ(test, ktd_pool_resize(pool, 0), 0);
}

/* Threads started in a parked pool park before their first loop. */
static void ktd_test_start_parked(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	unsigned int i;

	KUNIT_ASSERT_EQ(test, ktd_pool_set_parked(pool, true), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_workload(pool, "spin"), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_iterations(pool, 1), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2), 0);
	KUNIT_EXPECT_TRUE(test, ktd_wait_until(ktd_test_all_parked(pool)));
	msleep(50);
	for (i = 0; i < 2; i++) {
		struct ktd_thread *t = ktd_test_thread(pool, i);

		KUNIT_EXPECT_FALSE(test, READ_ONCE(t->started));
		KUNIT_EXPECT_FALSE(test, READ_ONCE(t->finished));
		KUNIT_EXPECT_EQ(test, ktd_thread_loops(t), 0ULL);
	}
	/* Unparked, they run their one loop and finish. */
	KUNIT_ASSERT_EQ(test, ktd_pool_set_parked(pool, false), 0);
	for (i = 0; i < 2; i++) {
		struct ktd_thread *t = ktd_test_thread(pool, i);

		KUNIT_EXPECT_TRUE(test, ktd_wait_until(READ_ONCE(t->finished)));
		KUNIT_EXPECT_EQ(test, ktd_thread_loops(t), 1ULL);
	}
}

/* A pool's cap is 1 to KTD_MAX_THREADS_LIMIT. */
static void ktd_test_init_bounds(struct kunit *test)
{
	struct ktd_pool *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_EXPECT_EQ(test, ktd_pool_init(pool, "ktdt", 0), -ERANGE);
	KUNIT_EXPECT_EQ(test, ktd_pool_init(pool, "ktdt",
					    KTD_MAX_THREADS_LIMIT + 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, ktd_pool_init(pool, "ktdt", 300000000), -ERANGE);
	KUNIT_EXPECT_EQ(test, ktd_pool_init(pool, "ktdt", KTD_MAX_THREADS_LIMIT), 0);
	ktd_pool_destroy(pool);
}

/* Every thread of @pool is the same task as in @tasks, and there are @nr. */
static bool ktd_test_same_threads(struct ktd_pool *pool,
				  struct task_struct **tasks, unsigned int nr)
{
	unsigned int i;

	if (pool->nr_threads != nr)
		return false;
	for (i = 0; i < nr; i++)
		if (ktd_test_thread(pool, i)->task != tasks[i])
			return false;
	return true;
}

/*
 * A store that is refused changes nothing: with the pool bound to a CPU
 * that is offline, freezable and bind are refused, and the pool keeps its
 * threads and settings.
 */
static void ktd_test_refused_store_changes_nothing(struct kunit *test)
{
	int cpu = cpumask_last(cpu_online_mask);
	struct task_struct *tasks[3];
	struct ktd_pool *pool;
	unsigned int i;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || num_online_cpus() < 2 || !cpu)
		kunit_skip(test, "needs a second CPU that can go offline");
	pool = ktd_test_pool(test, 4);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_bind(pool, cpu), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 3), 0);
	for (i = 0; i < 3; i++)
		tasks[i] = ktd_test_thread(pool, i)->task;
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);

	KUNIT_EXPECT_EQ(test, ktd_pool_set_freezable(pool, true), -EBUSY);
	KUNIT_EXPECT_FALSE(test, pool->freezable);
	KUNIT_EXPECT_TRUE(test, ktd_test_same_threads(pool, tasks, 3));
	KUNIT_EXPECT_EQ(test, ktd_pool_set_bind(pool, cpu), -EBUSY);
	KUNIT_EXPECT_EQ(test, ktd_pool_resize(pool, 4), -EBUSY);
	KUNIT_EXPECT_TRUE(test, ktd_test_same_threads(pool, tasks, 3));
	KUNIT_EXPECT_EQ(test, pool->bind, cpu);
	KUNIT_EXPECT_EQ(test, pool->never_ran, 0ULL);

	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 2, 2));
}

/*
 * A freezable thread whose CPU goes offline waits in a freezable sleep, so
 * a suspend could freeze it; TASK_PARKED cannot be frozen.
 */
static void ktd_test_hotplug_freezable(struct kunit *test)
{
	int cpu = cpumask_last(cpu_online_mask);
	struct ktd_pool *pool;
	struct ktd_thread *t;
	unsigned int i;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || num_online_cpus() < 2 || !cpu)
		kunit_skip(test, "needs a second CPU that can go offline");
	pool = ktd_test_pool(test, 4);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_freezable(pool, true), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_bind(pool, cpu), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2), 0);
	KUNIT_ASSERT_TRUE(test, ktd_test_advances(pool, 0, 2));
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	KUNIT_EXPECT_TRUE(test, ktd_wait_until(ktd_test_all_away(pool)));
	for (i = 0; i < 2; i++) {
		t = ktd_test_thread(pool, i);
		KUNIT_EXPECT_TRUE(test, ktd_test_state(t->task) & TASK_FREEZABLE);
	}
	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 1, 2));
	KUNIT_EXPECT_EQ(test, task_cpu(ktd_test_thread(pool, 1)->task), cpu);
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
	KUNIT_CASE_SLOW(ktd_test_cpu_hotplug_parks),
	KUNIT_CASE(ktd_test_create_holds_before_run),
	KUNIT_CASE(ktd_test_start_parked),
	KUNIT_CASE(ktd_test_init_bounds),
	KUNIT_CASE_SLOW(ktd_test_refused_store_changes_nothing),
	KUNIT_CASE_SLOW(ktd_test_hotplug_freezable),
	KUNIT_CASE(ktd_test_priority_concurrent),
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

	KUNIT_ASSERT_EQ(test, ktd_pool_set_period(pool, 500), 0);
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
	KUNIT_ASSERT_EQ(test, ktd_pool_set_stats_enabled(pool, false), 0);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 0, 5));
	KUNIT_EXPECT_EQ(test, ktd_test_samples(pool, KTD_LAT_SAME), 0ULL);
}

static void ktd_test_spin_runs(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);

	KUNIT_ASSERT_EQ(test, ktd_pool_set_workload(pool, "spin"), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2), 0);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 0, 100));
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 1, 100));
	KUNIT_EXPECT_EQ(test, ktd_pool_set_workload(pool, "walk"), -EINVAL);
	KUNIT_EXPECT_STREQ(test, pool->workload->name, "spin");
}

/*
 * A change of workload, period_us or iterations reaches every thread at
 * once, even one in the middle of a 5 s sleep.
 */
static void ktd_test_changes_reach_sleepers(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	struct ktd_thread *t;
	u64 loops;

	KUNIT_ASSERT_EQ(test, ktd_pool_set_period(pool, 1000), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 2), 0);
	KUNIT_ASSERT_TRUE(test, ktd_test_advances(pool, 0, 3));
	KUNIT_ASSERT_EQ(test, ktd_pool_set_period(pool, 5000000), 0);
	msleep(100);	/* into their 5 s sleeps */
	KUNIT_ASSERT_EQ(test, ktd_pool_set_workload(pool, "spin"), 0);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances_ms(pool, 0, 10, 1000));
	KUNIT_EXPECT_TRUE(test, ktd_test_advances_ms(pool, 1, 10, 1000));

	KUNIT_ASSERT_EQ(test, ktd_pool_set_workload(pool, "sleep"), 0);
	msleep(100);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_period(pool, 1000), 0);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances_ms(pool, 0, 5, 1000));

	KUNIT_ASSERT_EQ(test, ktd_pool_set_period(pool, 5000000), 0);
	msleep(100);
	t = ktd_test_thread(pool, 0);
	loops = ktd_thread_loops(t);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_iterations(pool, loops), 0);
	KUNIT_EXPECT_TRUE(test, ktd_wait_until_ms(READ_ONCE(t->finished), 1000));
	KUNIT_EXPECT_EQ(test, ktd_thread_loops(t), loops);
}

/* One blocked thread does not hold up the others (one-to-one model). */
static void ktd_test_block_one_stalls_alone(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	struct ktd_thread *t0;
	u64 loops;

	KUNIT_ASSERT_EQ(test, ktd_pool_set_period(pool, 200), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_set_workload(pool, "block"), 0);
	KUNIT_ASSERT_EQ(test, ktd_pool_resize(pool, 3), 0);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 0, 5));

	KUNIT_ASSERT_EQ(test, ktd_pool_set_io_stall(pool, 1), 0);
	t0 = ktd_test_thread(pool, 0);
	/* Give it time to enter its never-ending wait. */
	msleep(50);
	loops = ktd_thread_loops(t0);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 1, 20));
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 2, 20));
	KUNIT_EXPECT_EQ(test, ktd_thread_loops(t0), loops);
	KUNIT_EXPECT_EQ(test, ktd_test_state(t0->task), TASK_IDLE);

	KUNIT_ASSERT_EQ(test, ktd_pool_set_io_stall(pool, 0), 0);
	KUNIT_EXPECT_TRUE(test, ktd_test_advances(pool, 0, 5));
	KUNIT_EXPECT_GT(test, ktd_test_samples(pool, KTD_LAT_SAME), 0ULL);
}

static void ktd_test_pingpong_same_and_cross(struct kunit *test)
{
	struct ktd_pool *pool = ktd_test_pool(test, 4);
	int cpu = cpumask_first(cpu_online_mask);

	KUNIT_ASSERT_EQ(test, ktd_pool_set_workload(pool, "pingpong"), 0);
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
	KUNIT_CASE(ktd_test_changes_reach_sleepers),
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
	/*
	 * p50 of 1..1000 is 500, the 21st of the 32 samples in bucket
	 * [480, 511]: interpolated, 480 + 31 * 21 / 32 = 500.
	 */
	KUNIT_EXPECT_EQ(test, ktd_hist_percentile(h, 500), 500ULL);
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

/* The workload's row in ktd_workloads[]. */
static int ktd_test_parse_workload(const char *buf, int *val)
{
	const struct ktd_workload *wl = ktd_workload_find(buf);

	if (!wl)
		return -EINVAL;
	*val = wl - ktd_workloads;
	return 0;
}

static const struct ktd_input_case ktd_input_cases[] = {
	{ "spin\n", ktd_test_parse_workload, 0, 0 },
	{ "pingpong", ktd_test_parse_workload, 0, 3 },
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
