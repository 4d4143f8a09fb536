// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for ktd_activations: a registered thread that blocks makes a
 * "blocked" event and then a "resumed" one, a yield makes none, bad input
 * gets its documented errno and changes nothing, and files and VPs go
 * away cleanly whatever their threads are doing (KASAN and kmemleak in
 * the debug kernel judge that part).
 *
 * The probe stays attached for the whole suite (ktda_anchor, below).
 * Each case makes its own file with the module's functions, as open()
 * does, so /dev/ktd_activations is never touched. Files and helper
 * threads are released by kunit_add_action(), so a failed assertion
 * still cleans up. Every wait is bounded.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>

#include "../ktd_activations.h"

#define KTDA_TEST_WAIT	(5 * HZ)	/* bound on every wait in this suite */

/*
 * The probe is attached for the whole suite: a helper thread of the
 * suite's own stays registered from suite_init to suite_exit. Attaching
 * and detaching rewrite kernel code (the tracepoint's static key), which
 * QEMU 7.2's TCG cannot do safely with another vCPU running (see
 * no_other_cpu in scripts/guest-ktap.sh): those two moments run with
 * every CPU but CPU 0 offline; the cases themselves run on all CPUs.
 */
static struct ktda_anchor {
	struct ktda_file *f;
	struct task_struct *task;
	struct completion registered;
	int ret;
	cpumask_var_t offlined;
} ktda_anchor;

static int ktda_anchor_fn(void *arg)
{
	ktda_anchor.ret = ktda_register(ktda_anchor.f, 0);
	complete(&ktda_anchor.registered);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

/* Every online CPU but CPU 0 goes offline; ktda_cpus_back() undoes it. */
static void ktda_cpus_off(void)
{
	unsigned int cpu;

	cpumask_clear(ktda_anchor.offlined);
	for_each_online_cpu(cpu)
		if (cpu && !remove_cpu(cpu))
			cpumask_set_cpu(cpu, ktda_anchor.offlined);
}

static void ktda_cpus_back(void)
{
	unsigned int cpu;

	for_each_cpu(cpu, ktda_anchor.offlined)
		WARN_ON(add_cpu(cpu));
}

static int ktda_suite_init(struct kunit_suite *suite)
{
	struct task_struct *t;
	int ret = -ENOMEM;

	if (!zalloc_cpumask_var(&ktda_anchor.offlined, GFP_KERNEL))
		return -ENOMEM;
	init_completion(&ktda_anchor.registered);
	t = kthread_create(ktda_anchor_fn, NULL, "ktda_anchor");
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
		goto err_free_mask;
	}
	get_task_struct(t);
	ktda_anchor.task = t;
	ktda_anchor.f = ktda_file_alloc(task_tgid(t));
	if (!ktda_anchor.f)
		goto err_stop;
	ktda_cpus_off();
	wake_up_process(t);
	wait_for_completion(&ktda_anchor.registered);
	ktda_cpus_back();
	ret = ktda_anchor.ret;
	if (ret)
		goto err_free_file;
	return 0;

err_free_file:
	ktda_file_free(ktda_anchor.f);
err_stop:
	kthread_stop_put(t);	/* woken or not */
err_free_mask:
	free_cpumask_var(ktda_anchor.offlined);
	return ret;
}

static void ktda_suite_exit(struct kunit_suite *suite)
{
	ktda_cpus_off();
	ktda_file_free(ktda_anchor.f);
	WARN_ON(ktda_probe_attached());
	ktda_cpus_back();
	kthread_stop_put(ktda_anchor.task);
	free_cpumask_var(ktda_anchor.offlined);
}

static void ktda_test_file_free(void *f)
{
	ktda_file_free(f);
}

/* A file for the threads of @tgid, freed when the case ends. */
static struct ktda_file *ktda_test_file(struct kunit *test, struct pid *tgid)
{
	struct ktda_file *f = ktda_file_alloc(tgid);

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							ktda_test_file_free,
							f), 0);
	return f;
}

/* Unregister the case's own thread, whatever the case did. */
static void ktda_test_unregister(void *f)
{
	ktda_unregister(f);
}

static void ktda_test_register_self(struct kunit *test, struct ktda_file *f,
				    u32 id)
{
	KUNIT_ASSERT_EQ(test, ktda_register(f, id), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							ktda_test_unregister,
							f), 0);
}

/* Wait up to KTDA_TEST_WAIT for an event of @type; 0 or -ETIMEDOUT. */
static int ktda_test_wait_event(struct ktda_file *f, u32 type,
				struct ktd_act_event *out)
{
	unsigned long end = jiffies + KTDA_TEST_WAIT;

	do {
		while (ktda_pop(f, out, 1))
			if (out->type == type)
				return 0;
		usleep_range(1000, 2000);
	} while (time_before(jiffies, end));
	return -ETIMEDOUT;
}

static void ktda_test_errors(struct kunit *test)
{
	struct ktda_file *f = ktda_test_file(test, task_tgid(current));
	struct ktda_file *other;
	struct ktd_act_info info;
	struct pid *init = find_get_pid(1);

	KUNIT_ASSERT_NOT_NULL(test, init);
	other = ktda_file_alloc(init);
	put_pid(init);
	KUNIT_ASSERT_NOT_NULL(test, other);
	/* not a thread of the opener's process */
	KUNIT_EXPECT_EQ(test, ktda_register(other, 0), -EPERM);
	ktda_info(other, &info);
	KUNIT_EXPECT_EQ(test, info.nr_vps, 0);
	ktda_file_free(other);

	KUNIT_EXPECT_EQ(test, ktda_register(f, KTD_ACT_MAX_VPS), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktda_register(f, U32_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, ktda_unregister(f), -EINVAL);
	ktda_info(f, &info);
	KUNIT_EXPECT_EQ(test, info.nr_vps, 0);
	KUNIT_EXPECT_EQ(test, info.max_vps, KTD_ACT_MAX_VPS);

	ktda_test_register_self(test, f, KTD_ACT_MAX_VPS - 1);
	KUNIT_EXPECT_TRUE(test, ktda_probe_attached());
	/* a thread registers once, under one number */
	KUNIT_EXPECT_EQ(test, ktda_register(f, 0), -EBUSY);
	KUNIT_EXPECT_EQ(test, ktda_register(f, KTD_ACT_MAX_VPS - 1), -EBUSY);
	ktda_info(f, &info);
	KUNIT_EXPECT_EQ(test, info.nr_vps, 1);
	KUNIT_EXPECT_EQ(test, ktda_unregister(f), 0);
	KUNIT_EXPECT_EQ(test, ktda_unregister(f), -EINVAL);
	ktda_info(f, &info);
	KUNIT_EXPECT_EQ(test, info.nr_vps, 0);
}

static void ktda_test_block_resume(struct kunit *test)
{
	struct ktda_file *f = ktda_test_file(test, task_tgid(current));
	struct ktd_act_event blocked, resumed;

	ktda_test_register_self(test, f, 7);
	msleep(20);
	KUNIT_ASSERT_EQ(test, ktda_test_wait_event(f, KTD_ACT_BLOCKED, &blocked), 0);
	KUNIT_EXPECT_EQ(test, blocked.vp, 7);
	KUNIT_ASSERT_EQ(test, ktda_test_wait_event(f, KTD_ACT_RESUMED, &resumed), 0);
	KUNIT_EXPECT_EQ(test, resumed.vp, 7);
	KUNIT_EXPECT_GE(test, resumed.ns, blocked.ns);
}

/* schedule() while runnable (a yield, in effect) is not a block: no event. */
static void ktda_test_yield_no_event(struct kunit *test)
{
	struct ktda_file *f = ktda_test_file(test, task_tgid(current));
	struct ktd_act_event ev;
	int i;

	ktda_test_register_self(test, f, 0);
	while (ktda_pop(f, &ev, 1))	/* registering may have slept */
		;
	for (i = 0; i < 100; i++) {
		__set_current_state(TASK_RUNNING);
		schedule();
	}
	KUNIT_EXPECT_EQ(test, ktda_pop(f, &ev, 1), 0);
}

/* A helper thread: registers with @f as @id, then sleeps until stopped. */
struct ktda_test_thread {
	struct ktda_file *f;
	u32 id;
	int ret;			/* of ktda_register() */
	bool busy_sleeps;		/* block and resume every ms */
	struct completion registered;
	struct task_struct *task;	/* our reference */
	bool stopped;
};

static int ktda_test_thread_fn(void *arg)
{
	struct ktda_test_thread *a = arg;

	a->ret = ktda_register(a->f, a->id);
	complete(&a->registered);
	while (!kthread_should_stop()) {
		if (a->busy_sleeps)
			usleep_range(1000, 2000);
		else
			schedule_timeout_interruptible(HZ);
	}
	return 0;
}

/* Stop the helper now (it exits), once only. */
static void ktda_test_stop(struct ktda_test_thread *a)
{
	if (!a->stopped)
		kthread_stop(a->task);
	a->stopped = true;
}

static void ktda_test_stop_put(void *arg)
{
	struct ktda_test_thread *a = arg;

	ktda_test_stop(a);
	put_task_struct(a->task);
}

/*
 * Start a helper thread registering as VP @id with @f; it is stopped when
 * the case ends, after any file the case made later (actions run last
 * first). Its struct outlives the case's stack (kunit_kzalloc(), freed
 * after the action). With @f NULL, a new file for the helper's own
 * process is made first.
 */
static struct ktda_test_thread *ktda_test_thread(struct kunit *test,
						 struct ktda_file *f, u32 id,
						 bool busy_sleeps)
{
	struct ktda_test_thread *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct task_struct *t;

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->f = f;
	a->id = id;
	a->busy_sleeps = busy_sleeps;
	init_completion(&a->registered);
	t = kthread_create(ktda_test_thread_fn, a, "ktda_test/%u", a->id);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	get_task_struct(t);
	a->task = t;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							ktda_test_stop_put,
							a), 0);
	if (!f)
		a->f = ktda_test_file(test, task_tgid(t));
	wake_up_process(t);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&a->registered,
							  KTDA_TEST_WAIT), 0);
	return a;
}

/* A second process cannot register with the first one's file. */
static void ktda_test_second_process(struct kunit *test)
{
	struct ktda_file *f = ktda_test_file(test, task_tgid(current));
	struct ktda_test_thread *a = ktda_test_thread(test, f, 1, false);
	struct ktd_act_info info;

	KUNIT_EXPECT_EQ(test, a->ret, -EPERM);
	ktda_info(f, &info);
	KUNIT_EXPECT_EQ(test, info.nr_vps, 0);
}

/* A registered thread that exits makes an "exited" event; the VP stays. */
static void ktda_test_thread_exit(struct kunit *test)
{
	struct ktda_test_thread *a = ktda_test_thread(test, NULL, 5, false);
	struct ktd_act_event ev;
	struct ktd_act_info info;

	KUNIT_ASSERT_EQ(test, a->ret, 0);
	ktda_test_stop(a);
	KUNIT_ASSERT_EQ(test, ktda_test_wait_event(a->f, KTD_ACT_EXITED, &ev), 0);
	KUNIT_EXPECT_EQ(test, ev.vp, 5);
	ktda_info(a->f, &info);
	KUNIT_EXPECT_EQ(test, info.nr_vps, 1);
}

/*
 * The file goes (its process closed it, or died) while its VP thread
 * keeps blocking and resuming: the probe must not touch the freed file,
 * and with nothing registered it is detached.
 */
static void ktda_test_free_while_blocking(struct kunit *test)
{
	struct ktda_test_thread *a = ktda_test_thread(test, NULL, 2, true);

	KUNIT_ASSERT_EQ(test, a->ret, 0);
	msleep(20);
	kunit_release_action(test, ktda_test_file_free, a->f);
	msleep(50);
	KUNIT_EXPECT_TRUE(test, ktda_probe_attached());	/* the anchor's */
}

/* More events than the ring holds: the rest are counted as dropped. */
static void ktda_test_overflow(struct kunit *test)
{
	struct ktda_test_thread *a = ktda_test_thread(test, NULL, 3, true);
	struct ktd_act_event ev[8];
	struct ktd_act_info info;
	unsigned long end = jiffies + KTDA_TEST_WAIT;
	unsigned int n = 0, got;

	KUNIT_ASSERT_EQ(test, a->ret, 0);
	do {
		usleep_range(5000, 10000);
		ktda_info(a->f, &info);
	} while (!info.dropped && time_before(jiffies, end));
	KUNIT_ASSERT_GT(test, info.dropped, 0);
	while ((got = ktda_pop(a->f, ev, ARRAY_SIZE(ev))))
		n += got;
	/* the queue was full; the thread went on meanwhile */
	KUNIT_EXPECT_GE(test, n, 256);
}

static struct kunit_case ktda_test_cases[] = {
	KUNIT_CASE(ktda_test_errors),
	KUNIT_CASE(ktda_test_block_resume),
	KUNIT_CASE(ktda_test_yield_no_event),
	KUNIT_CASE(ktda_test_second_process),
	KUNIT_CASE(ktda_test_thread_exit),
	KUNIT_CASE(ktda_test_free_while_blocking),
	KUNIT_CASE(ktda_test_overflow),
	{}
};

static struct kunit_suite ktda_test_suite = {
	.name = "ktd_activations",
	.suite_init = ktda_suite_init,
	.suite_exit = ktda_suite_exit,
	.test_cases = ktda_test_cases,
};

kunit_test_suite(ktda_test_suite);

MODULE_DESCRIPTION("KUnit tests for ktd_activations");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
