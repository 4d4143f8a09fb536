// SPDX-License-Identifier: GPL-2.0
/*
 * A pool of kernel threads under live control, measured.
 *
 * Users size the pool and pick what its threads do through the files in
 * /sys/kernel/kthread_demo/, and read what the threads did in
 * /sys/kernel/debug/kthread_demo/{threads,stats}. Each file is documented
 * in Documentation/ABI/testing/ (sysfs-kernel-kthread_demo and
 * debugfs-kthread_demo).
 *
 * Lifetime rules, each owned by one helper:
 *  - ktd_thread_create() creates a thread and takes our own reference to
 *    its task before it can run, because a thread may finish on its own
 *    (after `iterations` loops) and its task_struct must stay valid until
 *    we stop it; ktd_thread_hold() parks it before its thread function
 *    runs, and ktd_thread_start() lets it go, or not if the pool is
 *    parked;
 *  - ktd_thread_stop() is the only way a thread goes: kthread_stop_put(),
 *    then the memory after an RCU grace period, because a ping-pong
 *    partner may still be looking at it;
 *  - ktd_thread_park_set()/ktd_thread_park_clear() are the only callers of
 *    kthread_park()/kthread_unpark(); ktd_thread_away_set()/_clear() take
 *    a bound thread off and back on its CPU around CPU hotplug;
 *  - a store never half-applies: threads with new creation-time settings
 *    are all created before any old one stops (ktd_pool_create_batch()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/freezer.h>
#include <linux/hrtimer.h>
#include <linux/kobject.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/rt.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "kthread_demo.h"

#define CREATE_TRACE_POINTS
#include "ktd_trace.h"

/* workqueue_demo reports its work items through these. */
EXPORT_TRACEPOINT_SYMBOL_GPL(ktd_work_queued);
EXPORT_TRACEPOINT_SYMBOL_GPL(ktd_work_start);
EXPORT_TRACEPOINT_SYMBOL_GPL(ktd_work_finish);
EXPORT_TRACEPOINT_SYMBOL_GPL(ktd_work_phase);
EXPORT_TRACEPOINT_SYMBOL_GPL(ktd_scenario);

static unsigned int max_threads = 4096;
module_param(max_threads, uint, 0444);
MODULE_PARM_DESC(max_threads, "Upper bound for nr_threads, 1 to 65536 (default 4096)");

static unsigned int nr_threads = 1;
module_param(nr_threads, uint, 0444);
MODULE_PARM_DESC(nr_threads, "Threads started at load time (default 1)");

static char *workload = "sleep";
module_param(workload, charp, 0444);
MODULE_PARM_DESC(workload, "Workload at load time, one of /sys/kernel/kthread_demo/available_workloads (default sleep)");

#define KTD_SPIN_CHUNK		10000		/* ops between cond_resched() */
#define KTD_WAIT_SLICE		(HZ / 10)	/* re-check period of waits */

static struct ktd_pool ktd_main;
static struct kobject *ktd_kobj;
static struct dentry *ktd_debugfs;
static enum cpuhp_state ktd_cpuhp_state;

/* ---- measuring: only the thread itself writes t->st ------------------- */

/*
 * A running task's scheduler counters. The scheduler updates them with
 * plain stores as the task runs: sum_exec_runtime on every tick and
 * switch, from an interrupt on the task's own CPU or from another CPU
 * that updates its runqueue. A reader (debugfs, or the task itself at a
 * stats reset) that sees a value from just before or just after an update
 * is as right as it can be, and on 64-bit a word-sized load does not tear.
 */
static unsigned long ktd_task_nvcsw(struct task_struct *task)
{
	/* Benign: a statistic, bumped by the scheduler as the task runs. */
	return data_race(task->nvcsw);
}

static unsigned long ktd_task_nivcsw(struct task_struct *task)
{
	/* Benign: as above. */
	return data_race(task->nivcsw);
}

static u64 ktd_task_runtime(struct task_struct *task)
{
	/* Benign: as above, updated on every tick and switch of the task. */
	return data_race(task->se.sum_exec_runtime);
}

/*
 * Catch up with a reset: zero our stats and remember where we start.
 * Readers may still be summing the old numbers (they checked gen just
 * before the reset), so every field is written with WRITE_ONCE.
 */
static void ktd_stats_sync(struct ktd_thread *t)
{
	unsigned long gen = READ_ONCE(t->pool->stats_gen);

	if (likely(t->st.gen == gen))
		return;
	WRITE_ONCE(t->st.loops, 0);
	WRITE_ONCE(t->st.last_lat_ns, 0);
	ktd_hist_init(&t->st.lat[0]);
	ktd_hist_init(&t->st.lat[1]);
	WRITE_ONCE(t->st.base_nvcsw, ktd_task_nvcsw(current));
	WRITE_ONCE(t->st.base_nivcsw, ktd_task_nivcsw(current));
	WRITE_ONCE(t->st.base_runtime_ns, ktd_task_runtime(current));
	WRITE_ONCE(t->st.start_ns, ktime_get_ns());
	/* Readers trust the numbers once they see the new gen. */
	smp_store_release(&t->st.gen, gen);
}

/* One latency sample of workload @wl. */
static void ktd_record(struct ktd_thread *t, const struct ktd_workload *wl,
		       unsigned int which, u64 ns)
{
	WRITE_ONCE(t->st.last_lat_ns, ns);
	ktd_hist_add(&t->st.lat[which], ns);
	trace_ktd_latency(t->id, wl->name, which == KTD_LAT_CROSS, ns);
}

static bool ktd_stats_on(const struct ktd_thread *t)
{
	return READ_ONCE(t->pool->stats_enabled);
}

/*
 * Whether a wait must end now: the thread is asked to stop or park, the
 * freezer wants it, its CPU went away, or the settings changed under it
 * (workload, period_us, iterations, io_stall: ktd_pool_changed()).
 */
static bool ktd_should_break(struct ktd_thread *t)
{
	return kthread_should_stop() || kthread_should_park() ||
	       freezing(current) || READ_ONCE(t->away) ||
	       READ_ONCE(t->pool->settings_gen) != t->gen;
}

/* ---- the workloads ---------------------------------------------------- */

/* spin: KTD_SPIN_CHUNK rounds of xorshift, then let others run. */
static bool ktd_spin(struct ktd_thread *t, const struct ktd_workload *wl)
{
	u32 x = t->rnd | 1;
	unsigned int i;

	for (i = 0; i < KTD_SPIN_CHUNK; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
	}
	t->rnd = x;
	/*
	 * cond_resched() gives way only to tasks that should preempt us. A
	 * SCHED_FIFO task never preempts a peer of its own priority, so FIFO
	 * spinners would starve each other, including a peer that has to run
	 * to park or stop. In real time, spinners nap between chunks instead.
	 */
	if (rt_task(current))
		usleep_range(10, 20);
	else
		cond_resched();
	return true;
}

/*
 * sleep: wake every period_us on an absolute hrtimer and record how late
 * we are, the way cyclictest does. The thread sleeps on its wait queue,
 * so a change of settings wakes it at once (ktd_pool_changed()).
 */
static bool ktd_sleep(struct ktd_thread *t, const struct ktd_workload *wl)
{
	u64 period = (u64)READ_ONCE(t->pool->period_us) * NSEC_PER_USEC;
	u64 now = ktime_get_ns();
	struct hrtimer_sleeper sl;
	DEFINE_WAIT(wait);

	if (!t->next_ns || t->next_ns + period < now)
		t->next_ns = now;	/* first round, or fell behind */
	t->next_ns += period;

	hrtimer_init_sleeper_on_stack(&sl, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	hrtimer_set_expires(&sl.timer, ns_to_ktime(t->next_ns));
	hrtimer_sleeper_start_expires(&sl, HRTIMER_MODE_ABS);
	for (;;) {
		prepare_to_wait(&t->wq, &wait, TASK_INTERRUPTIBLE);
		/* The timer's callback clears sl.task when it fires. */
		if (!READ_ONCE(sl.task) || ktd_should_break(t))
			break;
		schedule();
	}
	finish_wait(&t->wq, &wait);
	hrtimer_cancel(&sl.timer);
	destroy_hrtimer_on_stack(&sl.timer);

	now = ktime_get_ns();
	if (now < t->next_ns) {
		t->next_ns -= period;	/* woken early: try this one again */
		return false;
	}
	if (ktd_stats_on(t))
		ktd_record(t, wl, KTD_LAT_SAME, now - t->next_ns);
	return true;
}

/* block: the simulated device completes an I/O from its timer. */
static enum hrtimer_restart ktd_io_complete(struct hrtimer *timer)
{
	struct ktd_thread *t = container_of(timer, struct ktd_thread, io_timer);

	WRITE_ONCE(t->io_done_ns, ktime_get_ns());
	/* Pairs with ktd_io_arrived(): io_done_ns is set before io_done. */
	smp_store_release(&t->io_done, true);
	wake_up(&t->wq);
	return HRTIMER_NORESTART;
}

static bool ktd_io_arrived(struct ktd_thread *t)
{
	/* Pairs with ktd_io_complete(). */
	return smp_load_acquire(&t->io_done);
}

/*
 * block: submit an I/O and wait for it on our wait queue, in TASK_IDLE
 * (uninterruptible, but not counted as load or as a hung task) like a
 * thread waiting for a disk. The first io_stall threads' I/Os never
 * complete, so they stay blocked while everyone else goes on.
 */
static bool ktd_block(struct ktd_thread *t, const struct ktd_workload *wl)
{
	u64 period = (u64)READ_ONCE(t->pool->period_us) * NSEC_PER_USEC;
	bool stalled = t->id < READ_ONCE(t->pool->io_stall);

	t->io_done = false;
	if (!stalled)
		hrtimer_start(&t->io_timer, ns_to_ktime(period),
			      HRTIMER_MODE_REL);
	wait_event_idle(t->wq, ktd_io_arrived(t) || ktd_should_break(t));
	hrtimer_cancel(&t->io_timer);
	if (!ktd_io_arrived(t))
		return false;
	if (ktd_stats_on(t))
		ktd_record(t, wl, KTD_LAT_SAME, ktime_get_ns() - t->io_done_ns);
	return true;
}

/* pingpong: the partner of thread i is thread i ^ 1, if it exists. */
static void ktd_send(struct ktd_thread *t, u64 token)
{
	struct ktd_pool *pool = t->pool;
	struct ktd_thread *p = NULL;
	unsigned int pid = t->id ^ 1;

	rcu_read_lock();
	if (pid < READ_ONCE(pool->nr_threads))
		p = rcu_dereference(pool->threads[pid]);
	if (p) {
		WRITE_ONCE(p->inbox_cpu, raw_smp_processor_id());
		/* Pairs with ktd_inbox(): inbox_cpu is set before inbox. */
		smp_store_release(&p->inbox, token);
		wake_up(&p->wq);
	}
	rcu_read_unlock();
}

static u64 ktd_inbox(struct ktd_thread *t)
{
	/* Pairs with ktd_send(). */
	return smp_load_acquire(&t->inbox);
}

static bool ktd_pong_ready(struct ktd_thread *t)
{
	return ktd_inbox(t) != t->answered || ktd_should_break(t);
}

static bool ktd_ping_back(struct ktd_thread *t, u64 token)
{
	return ktd_inbox(t) == token || ktd_should_break(t);
}

/*
 * pingpong: the even thread sends a fresh token and times how long it
 * takes to come back: two wake-ups and two context switches. The odd
 * thread sends every new token straight back. Every wait is bounded by
 * KTD_WAIT_SLICE, so a thread whose partner went away just goes round.
 */
static bool ktd_pingpong(struct ktd_thread *t, const struct ktd_workload *wl)
{
	bool stats = ktd_stats_on(t);
	u64 token, t0 = 0;

	if (t->id & 1) {
		wait_event_interruptible_timeout(t->wq, ktd_pong_ready(t),
						 KTD_WAIT_SLICE);
		token = ktd_inbox(t);
		if (token == t->answered)
			return false;
		t->answered = token;
		ktd_send(t, token);
		return true;
	}
	token = ++t->token;	/* never one that may still come back */
	if (stats)
		t0 = ktime_get_ns();
	ktd_send(t, token);
	wait_event_interruptible_timeout(t->wq, ktd_ping_back(t, token),
					 KTD_WAIT_SLICE);
	if (ktd_inbox(t) != token)
		return false;
	if (stats)
		ktd_record(t, wl, READ_ONCE(t->inbox_cpu) == raw_smp_processor_id() ?
			   KTD_LAT_SAME : KTD_LAT_CROSS, ktime_get_ns() - t0);
	return true;
}

/*
 * The workloads, refscale style: the `workload` file, the load-time
 * parameter, available_workloads and the stats file all read this table.
 */
const struct ktd_workload ktd_workloads[] = {
	{ .name = "spin", .loop = ktd_spin },
	{ .name = "sleep", .loop = ktd_sleep,
	  .lat_name = { "wakeup_latency_" } },
	{ .name = "block", .loop = ktd_block,
	  .lat_name = { "io_wakeup_latency_" } },
	{ .name = "pingpong", .loop = ktd_pingpong,
	  .lat_name = { "rtt_same_cpu_", "rtt_cross_cpu_" } },
};
EXPORT_SYMBOL_IF_KUNIT(ktd_workloads);
const unsigned int ktd_nr_workloads = ARRAY_SIZE(ktd_workloads);
EXPORT_SYMBOL_IF_KUNIT(ktd_nr_workloads);

/* ---- one thread ------------------------------------------------------- */

/*
 * The thread decides to finish under exit_lock, so that nobody parks it
 * (kthread_park() warns on an exiting thread) or waits for it to leave
 * an offline CPU (ktd_thread_away_set()) while it exits.
 */
static bool ktd_thread_may_finish(struct ktd_thread *t)
{
	bool finish;

	spin_lock(&t->pool->exit_lock);
	finish = !t->parked && !t->away;
	if (finish)
		WRITE_ONCE(t->finished, true);
	spin_unlock(&t->pool->exit_lock);
	return finish;
}

/*
 * Our CPU is offline: stop working until it is back. This wait, unlike
 * TASK_PARKED, is freezable, so a suspend can freeze a freezable thread
 * here (kthread_park() would make the freezer fail).
 */
static void ktd_thread_wait_cpu(struct ktd_thread *t)
{
	spin_lock(&t->pool->exit_lock);
	t->waiting_cpu = true;
	complete(&t->away_ack);
	spin_unlock(&t->pool->exit_lock);

	wait_event_freezable(t->wq, !READ_ONCE(t->away) ||
			     kthread_should_stop() || kthread_should_park());

	spin_lock(&t->pool->exit_lock);
	t->waiting_cpu = false;
	spin_unlock(&t->pool->exit_lock);
}

static int ktd_thread_fn(void *data)
{
	struct ktd_thread *t = data;
	struct ktd_pool *pool = t->pool;
	bool was_frozen = false;

	WRITE_ONCE(t->started, true);
	trace_ktd_thread_start(t->id, t->freezable);
	if (t->freezable)
		set_freezable();

	for (;;) {
		const struct ktd_workload *wl;
		u64 iterations;

		if (t->freezable ? kthread_freezable_should_stop(&was_frozen) :
				   kthread_should_stop())
			break;
		if (was_frozen) {
			WRITE_ONCE(t->freezes, t->freezes + 1);
			was_frozen = false;
		}
		if (kthread_should_park()) {
			kthread_parkme();
			continue;
		}
		if (READ_ONCE(t->away)) {
			ktd_thread_wait_cpu(t);
			continue;
		}
		/* Pairs with ktd_pool_changed(): settings as new as gen. */
		t->gen = smp_load_acquire(&pool->settings_gen);
		iterations = READ_ONCE(pool->iterations);
		if (iterations && t->total_loops >= iterations) {
			if (ktd_thread_may_finish(t))
				return 0;	/* finished on our own */
			cond_resched();		/* a park is on its way */
			continue;
		}

		ktd_stats_sync(t);
		wl = READ_ONCE(pool->workload);
		if (wl->loop(t, wl)) {
			WRITE_ONCE(t->total_loops, t->total_loops + 1);
			WRITE_ONCE(t->st.loops, t->st.loops + 1);
		}
	}
	return 0;
}

u64 ktd_thread_loops(const struct ktd_thread *t)
{
	return READ_ONCE(t->total_loops);
}
EXPORT_SYMBOL_IF_KUNIT(ktd_thread_loops);

/* Apply the pool's policy and nice to one thread. */
static void ktd_thread_set_priority(struct ktd_thread *t, int policy, int nice)
{
	if (policy == SCHED_FIFO)
		sched_set_fifo(t->task);
	else
		sched_set_normal(t->task, nice);
}

/**
 * ktd_thread_create - create a demo thread, not woken
 * @pool: the pool it belongs to (not added to it)
 * @id: its number, which names it "<prefix>/<id>"
 * @cpu: an online CPU to bind it to, or -1 for none
 * @freezable: whether it will be freezable
 *
 * The thread gets the pool's priority, and we hold our own reference to
 * its task before it can run at all: a thread may finish on its own (after
 * `iterations` loops) and be reaped, and t->task must stay valid until we
 * stop it. kthread_create_on_cpu() binds it with kthread_bind(), which
 * only works before the first wake-up. The pool holds it parked and then
 * starts it (ktd_thread_hold(), ktd_thread_start()); ktd_thread_stop()
 * may also stop it without it ever running (-EINTR).
 *
 * Return: the thread, or an ERR_PTR.
 */
struct ktd_thread *ktd_thread_create(struct ktd_pool *pool, unsigned int id,
				     int cpu, bool freezable)
{
	struct ktd_thread *t = kzalloc(sizeof(*t), GFP_KERNEL);
	char name[TASK_COMM_LEN];
	struct task_struct *task;

	if (!t)
		return ERR_PTR(-ENOMEM);
	t->pool = pool;
	t->id = id;
	t->cpu = cpu;
	t->freezable = freezable;
	t->st.gen = READ_ONCE(pool->stats_gen) - 1;	/* reset on the first loop */
	init_waitqueue_head(&t->wq);
	init_completion(&t->away_ack);
	hrtimer_init(&t->io_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	t->io_timer.function = ktd_io_complete;

	snprintf(name, sizeof(name), "%s/%u", pool->prefix, id);
	if (cpu >= 0)	/* its name format gets the CPU; ours has no %u */
		task = kthread_create_on_cpu(ktd_thread_fn, t, cpu, name);
	else
		task = kthread_create(ktd_thread_fn, t, "%s", name);
	if (IS_ERR(task)) {
		kfree(t);
		return ERR_CAST(task);
	}
	get_task_struct(task);
	t->task = task;
	ktd_thread_set_priority(t, pool->policy, pool->nice);
	return t;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_thread_create);

/* Stop @t and free it; @t is out of its pool's array, or never was in it. */
static int __ktd_thread_stop(struct ktd_thread *t)
{
	int pid = task_pid_nr(t->task);
	int ret = kthread_stop_put(t->task);

	trace_ktd_thread_stop(t->id, pid, ret, READ_ONCE(t->total_loops));
	hrtimer_cancel(&t->io_timer);
	/* After a grace period: a ping-pong partner may still look at it. */
	kfree_rcu(t, rcu);
	return ret;
}

/**
 * ktd_thread_stop - stop a demo thread and free it
 * @t: the thread, already taken out of its pool's array
 *
 * Works whether the thread is running, parked, away from an offline CPU,
 * finished on its own, or never ran at all.
 *
 * Return: the thread function's result, or -EINTR if it never ran.
 */
int ktd_thread_stop(struct ktd_thread *t)
{
	struct ktd_pool *pool = t->pool;
	int ret = __ktd_thread_stop(t);

	if (ret == -EINTR)
		WRITE_ONCE(pool->never_ran, pool->never_ran + 1);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_thread_stop);

/* Park @t for parked=1. Under pool->lock. */
static void ktd_thread_park_set(struct ktd_thread *t)
{
	bool park;

	lockdep_assert_held(&t->pool->lock);
	spin_lock(&t->pool->exit_lock);
	park = !t->parked && !t->finished;
	if (park)
		t->parked = true;
	spin_unlock(&t->pool->exit_lock);
	/*
	 * With parked set the thread no longer finishes (may_finish). On a
	 * thread that never ran, kthread_park() is its first wake-up, and it
	 * parks before its thread function runs, as smpboot's threads do.
	 */
	if (park)
		kthread_park(t->task);
}

/* Unpark @t for parked=0. Under pool->lock. */
static void ktd_thread_park_clear(struct ktd_thread *t)
{
	bool unpark;

	lockdep_assert_held(&t->pool->lock);
	spin_lock(&t->pool->exit_lock);
	unpark = t->parked;
	t->parked = false;
	spin_unlock(&t->pool->exit_lock);
	if (unpark)
		kthread_unpark(t->task);
}

/*
 * Hold a thread just created: its first wake-up parks it before its thread
 * function runs, as smpboot does with its threads. It sleeps there in
 * TASK_PARKED, not in the uninterruptible sleep of a thread never woken,
 * which the hung-task detector would report while a big batch is made.
 */
static void ktd_thread_hold(struct ktd_thread *t)
{
	t->parked = true;	/* not in the pool yet: nobody else sees it */
	kthread_park(t->task);
}

/* Let a held thread go: it stays parked if the pool is, else it runs. */
static void ktd_thread_start(struct ktd_thread *t)
{
	if (!t->pool->parked)
		ktd_thread_park_clear(t);
}

/*
 * @t's CPU goes offline: make it stop working and wait, and return once it
 * does. Under pool->lock. A parked or finished thread does no work, and a
 * thread still waiting from an earlier time needs no new word.
 */
static void ktd_thread_away_set(struct ktd_thread *t)
{
	bool wait;

	lockdep_assert_held(&t->pool->lock);
	spin_lock(&t->pool->exit_lock);
	wait = !t->finished && !t->parked && !t->waiting_cpu;
	if (wait)
		reinit_completion(&t->away_ack);
	WRITE_ONCE(t->away, true);
	spin_unlock(&t->pool->exit_lock);
	if (wait) {
		wake_up(&t->wq);
		wait_for_completion(&t->away_ack);
	}
}

/* @t's CPU is back: bind it there again and let it go on. */
static void ktd_thread_away_clear(struct ktd_thread *t)
{
	lockdep_assert_held(&t->pool->lock);
	if (!t->away)
		return;
	/*
	 * If it was woken while its CPU was offline (unparked, say), the
	 * scheduler moved it elsewhere and widened its affinity: bind it
	 * back. A thread with away set cannot finish, so t->task is alive.
	 */
	set_cpus_allowed_ptr(t->task, cpumask_of(t->cpu));
	spin_lock(&t->pool->exit_lock);
	WRITE_ONCE(t->away, false);
	spin_unlock(&t->pool->exit_lock);
	wake_up(&t->wq);
}

/* ---- the pool --------------------------------------------------------- */

static struct ktd_thread *ktd_slot(struct ktd_pool *pool, unsigned int i)
{
	return rcu_dereference_protected(pool->threads[i],
					 lockdep_is_held(&pool->lock));
}

struct ktd_thread *ktd_pool_thread(struct ktd_pool *pool, unsigned int i)
{
	return i < pool->nr_threads ? ktd_slot(pool, i) : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_thread);

/*
 * Tell every thread that the settings changed: they re-read them at once,
 * whatever they wait for. Under pool->lock, after the new values are set.
 */
static void ktd_pool_changed(struct ktd_pool *pool)
{
	unsigned int i;

	lockdep_assert_held(&pool->lock);
	/* Pairs with ktd_thread_fn(): the new settings are seen with gen. */
	smp_store_release(&pool->settings_gen, pool->settings_gen + 1);
	for (i = 0; i < pool->nr_threads; i++)
		wake_up(&ktd_slot(pool, i)->wq);
}

/*
 * The CPU thread @id goes on with binding @bind, or -1; -EBUSY if that
 * CPU is offline. The caller holds cpus_read_lock(), so the answer stays
 * true while it acts.
 */
static int ktd_pool_cpu_for(int bind, unsigned int id)
{
	if (bind == KTD_BIND_NONE)
		return -1;
	if (bind == KTD_BIND_SPREAD)
		return cpumask_nth(id % num_online_cpus(), cpu_online_mask);
	return cpu_online(bind) ? bind : -EBUSY;
}

/*
 * Create threads [from, to) with binding @bind, each held parked before its
 * thread function runs: all of them, or none (the ones made so far are
 * stopped again). Under cpus_read_lock() and pool->lock.
 */
static struct ktd_thread **ktd_pool_create_batch(struct ktd_pool *pool,
						 unsigned int from,
						 unsigned int to, int bind,
						 bool freezable)
{
	struct ktd_thread **batch;
	unsigned int i;
	int err = 0;

	batch = kvcalloc(to - from, sizeof(*batch), GFP_KERNEL);
	if (!batch)
		return ERR_PTR(-ENOMEM);
	for (i = from; i < to; i++) {
		int cpu = ktd_pool_cpu_for(bind, i);
		struct ktd_thread *t;

		t = cpu == -EBUSY ? ERR_PTR(-EBUSY) :
				    ktd_thread_create(pool, i, cpu, freezable);
		if (IS_ERR(t)) {
			err = PTR_ERR(t);
			break;
		}
		ktd_thread_hold(t);
		batch[i - from] = t;
	}
	if (!err)
		return batch;
	/* They never ran a loop: not counted in stopped_before_run. */
	while (i-- > from)
		__ktd_thread_stop(batch[i - from]);
	kvfree(batch);
	return ERR_PTR(err);
}

/*
 * Stop threads [nr, nr_threads). Under pool->lock. @undo: they are being
 * taken back after a failed store, which counts nothing.
 */
static void ktd_pool_shrink(struct ktd_pool *pool, unsigned int nr, bool undo)
{
	while (pool->nr_threads > nr) {
		unsigned int i = pool->nr_threads - 1;
		struct ktd_thread *t = ktd_slot(pool, i);

		WRITE_ONCE(pool->nr_threads, i);
		RCU_INIT_POINTER(pool->threads[i], NULL);
		if (undo)
			__ktd_thread_stop(t);
		else
			ktd_thread_stop(t);
	}
}

/*
 * Grow or shrink to @nr. Under cpus_read_lock() and pool->lock. Growing
 * starts each new thread as soon as it is made (a batch of thousands,
 * held back, would sit in uninterruptible sleep long enough to worry the
 * hung-task detector); if one cannot be made, the new ones stop again.
 */
static int __ktd_pool_resize(struct ktd_pool *pool, unsigned int nr)
{
	unsigned int i, old = pool->nr_threads;

	ktd_pool_shrink(pool, nr, false);
	for (i = old; i < nr; i++) {
		int cpu = ktd_pool_cpu_for(pool->bind, i);
		struct ktd_thread *t;

		t = cpu == -EBUSY ? ERR_PTR(-EBUSY) :
				    ktd_thread_create(pool, i, cpu, pool->freezable);
		if (IS_ERR(t)) {
			ktd_pool_shrink(pool, old, true);
			return PTR_ERR(t);
		}
		if (pool->parked)
			ktd_thread_hold(t);	/* parks before it runs */
		else
			wake_up_process(t->task);
		rcu_assign_pointer(pool->threads[i], t);
		WRITE_ONCE(pool->nr_threads, i + 1);
	}
	/* A thread whose partner went or came re-checks at once. */
	if (nr != old && nr && pool->workload->loop == ktd_pingpong)
		wake_up(&ktd_slot(pool, nr - 1)->wq);
	return 0;
}

/**
 * ktd_pool_resize - grow or shrink a pool to @nr threads
 * @pool: the pool
 * @nr: the new size, at most @pool->max_threads
 *
 * Threads that stay are not touched. If growing fails part way, the
 * threads just started stop again and the pool keeps its old size.
 *
 * Return: 0, -ERANGE if @nr is above the cap, -EBUSY if the pool is bound
 * to a CPU that is offline, or the creation error.
 */
int ktd_pool_resize(struct ktd_pool *pool, unsigned int nr)
{
	int err;

	if (nr > pool->max_threads)
		return -ERANGE;
	cpus_read_lock();
	mutex_lock(&pool->lock);
	err = __ktd_pool_resize(pool, nr);
	mutex_unlock(&pool->lock);
	cpus_read_unlock();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_resize);

/*
 * Replace every thread by one with new creation-time settings (binding,
 * freezability): kthread_bind() and set_freezable() only apply to a
 * thread before it runs, or to the thread itself. The new threads are all
 * created first; if that fails, the pool keeps its old threads and
 * settings. Under cpus_read_lock() and pool->lock.
 */
static int ktd_pool_restart(struct ktd_pool *pool, int bind, bool freezable)
{
	unsigned int i, nr = pool->nr_threads;
	struct ktd_thread **batch;

	batch = ktd_pool_create_batch(pool, 0, nr, bind, freezable);
	if (IS_ERR(batch))
		return PTR_ERR(batch);
	WRITE_ONCE(pool->bind, bind);
	WRITE_ONCE(pool->freezable, freezable);
	for (i = 0; i < nr; i++) {
		struct ktd_thread *old = ktd_slot(pool, i);

		rcu_assign_pointer(pool->threads[i], batch[i]);
		ktd_thread_stop(old);
	}
	for (i = 0; i < nr; i++)
		ktd_thread_start(batch[i]);
	kvfree(batch);
	return 0;
}

void ktd_pool_reset_stats(struct ktd_pool *pool)
{
	/* Threads zero their own stats when they see the new generation. */
	WRITE_ONCE(pool->stats_gen, pool->stats_gen + 1);
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_reset_stats);

/* Switch every thread to workload @name; -EINVAL if there is none. */
int ktd_pool_set_workload(struct ktd_pool *pool, const char *name)
{
	const struct ktd_workload *wl = ktd_workload_find(name);

	if (!wl)
		return -EINVAL;
	mutex_lock(&pool->lock);
	if (wl != pool->workload) {
		WRITE_ONCE(pool->workload, wl);
		ktd_pool_reset_stats(pool);
		ktd_pool_changed(pool);
	}
	mutex_unlock(&pool->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_workload);

/* The period of sleep and block, 1 us to 10 s; -ERANGE otherwise. */
int ktd_pool_set_period(struct ktd_pool *pool, unsigned int period_us)
{
	if (!period_us || period_us > KTD_PERIOD_MAX_US)
		return -ERANGE;
	mutex_lock(&pool->lock);
	WRITE_ONCE(pool->period_us, period_us);
	ktd_pool_changed(pool);
	mutex_unlock(&pool->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_period);

/* Loops after which a thread finishes on its own; 0 for never. */
int ktd_pool_set_iterations(struct ktd_pool *pool, u64 iterations)
{
	mutex_lock(&pool->lock);
	WRITE_ONCE(pool->iterations, iterations);
	ktd_pool_changed(pool);
	mutex_unlock(&pool->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_iterations);

/* block: the I/Os of threads [0, io_stall) never complete. */
int ktd_pool_set_io_stall(struct ktd_pool *pool, unsigned int io_stall)
{
	if (io_stall > pool->max_threads)
		return -ERANGE;
	mutex_lock(&pool->lock);
	WRITE_ONCE(pool->io_stall, io_stall);
	ktd_pool_changed(pool);
	mutex_unlock(&pool->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_io_stall);

int ktd_pool_set_stats_enabled(struct ktd_pool *pool, bool on)
{
	mutex_lock(&pool->lock);
	WRITE_ONCE(pool->stats_enabled, on);
	ktd_pool_reset_stats(pool);
	mutex_unlock(&pool->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_stats_enabled);

/*
 * Bind every thread to CPU @bind, spread them, or unbind them. The threads
 * restart (kthread_bind() only works before a thread first runs).
 * -EINVAL for a bad value, -ERANGE for a CPU that cannot exist, -EBUSY
 * for one that is offline.
 */
int ktd_pool_set_bind(struct ktd_pool *pool, int bind)
{
	int err = 0;

	if (bind < KTD_BIND_SPREAD)
		return -EINVAL;
	if (bind >= (int)nr_cpu_ids)
		return -ERANGE;
	cpus_read_lock();
	mutex_lock(&pool->lock);
	if (bind >= 0 && !cpu_online(bind))
		err = -EBUSY;
	else if (bind != pool->bind)
		err = ktd_pool_restart(pool, bind, pool->freezable);
	mutex_unlock(&pool->lock);
	cpus_read_unlock();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_bind);

/*
 * A parked thread sleeps in TASK_PARKED, which the freezer cannot freeze:
 * a pool that is both parked and freezable would make every suspend fail.
 * So the two exclude each other (-EBUSY). The threads restart, since
 * set_freezable() only works on the thread itself, before it runs.
 */
int ktd_pool_set_freezable(struct ktd_pool *pool, bool freezable)
{
	int err = 0;

	cpus_read_lock();
	mutex_lock(&pool->lock);
	if (freezable && pool->parked)
		err = -EBUSY;
	else if (freezable != pool->freezable)
		err = ktd_pool_restart(pool, pool->bind, freezable);
	mutex_unlock(&pool->lock);
	cpus_read_unlock();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_freezable);

/* Apply the pool's policy and nice to every thread. Under pool->lock. */
static void ktd_pool_apply_priority(struct ktd_pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->nr_threads; i++)
		ktd_thread_set_priority(ktd_slot(pool, i), pool->policy,
					pool->nice);
}

/* The nice value the threads have under SCHED_NORMAL, -20 to 19. */
int ktd_pool_set_nice(struct ktd_pool *pool, int nice)
{
	if (nice < MIN_NICE || nice > MAX_NICE)
		return -ERANGE;
	mutex_lock(&pool->lock);
	WRITE_ONCE(pool->nice, nice);
	ktd_pool_apply_priority(pool);
	mutex_unlock(&pool->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_nice);

/* SCHED_NORMAL (at the pool's nice) or SCHED_FIFO; -EINVAL otherwise. */
int ktd_pool_set_policy(struct ktd_pool *pool, int policy)
{
	if (policy != SCHED_NORMAL && policy != SCHED_FIFO)
		return -EINVAL;
	mutex_lock(&pool->lock);
	WRITE_ONCE(pool->policy, policy);
	ktd_pool_apply_priority(pool);
	mutex_unlock(&pool->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_policy);

int ktd_pool_set_parked(struct ktd_pool *pool, bool parked)
{
	unsigned int i;
	int err = 0;

	mutex_lock(&pool->lock);
	if (parked && pool->freezable) {
		err = -EBUSY;	/* see ktd_pool_set_freezable() */
	} else if (parked != pool->parked) {
		WRITE_ONCE(pool->parked, parked);
		for (i = 0; i < pool->nr_threads; i++) {
			if (parked)
				ktd_thread_park_set(ktd_slot(pool, i));
			else
				ktd_thread_park_clear(ktd_slot(pool, i));
		}
	}
	mutex_unlock(&pool->lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_parked);

/*
 * ---- CPU hotplug: threads bound to a CPU wait while it is away ---------
 *
 * Going offline, each thread bound to the CPU stops working and waits in a
 * freezable wait (ktd_thread_wait_cpu()) until the CPU is back; coming
 * back, it is bound there again and goes on.
 *
 * Suspend and resume take the secondary CPUs down too (cpuhp_tasks_frozen
 * is set then). Freezable threads are frozen by that time: they cannot be
 * woken, and need nothing, since they stay asleep on their CPU until it
 * is back and they are thawed. Threads that are not freezable are still
 * running, and get what any hotplug gets; otherwise the scheduler would
 * push them off the dying CPU and widen their affinity for good.
 */

static bool ktd_cpuhp_skip(struct ktd_thread *t, unsigned int cpu)
{
	return t->cpu != cpu || (cpuhp_tasks_frozen && t->freezable);
}

static int ktd_cpu_online(unsigned int cpu, struct hlist_node *node)
{
	struct ktd_pool *pool = hlist_entry(node, struct ktd_pool, cpuhp_node);
	unsigned int i;

	mutex_lock(&pool->lock);
	for (i = 0; i < pool->nr_threads; i++)
		if (!ktd_cpuhp_skip(ktd_slot(pool, i), cpu))
			ktd_thread_away_clear(ktd_slot(pool, i));
	mutex_unlock(&pool->lock);
	return 0;
}

static int ktd_cpu_offline(unsigned int cpu, struct hlist_node *node)
{
	struct ktd_pool *pool = hlist_entry(node, struct ktd_pool, cpuhp_node);
	unsigned int i;

	mutex_lock(&pool->lock);
	for (i = 0; i < pool->nr_threads; i++)
		if (!ktd_cpuhp_skip(ktd_slot(pool, i), cpu))
			ktd_thread_away_set(ktd_slot(pool, i));
	mutex_unlock(&pool->lock);
	return 0;
}

/**
 * ktd_pool_init - set up an empty pool
 * @pool: the pool
 * @prefix: threads are named "<prefix>/<id>"
 * @max_threads: the cap on its size, 1 to KTD_MAX_THREADS_LIMIT
 *
 * Return: 0, -ERANGE for a bad @max_threads, -ENOMEM, or the error from
 * registering with CPU hotplug.
 */
int ktd_pool_init(struct ktd_pool *pool, const char *prefix,
		  unsigned int max_threads)
{
	int err;

	if (!max_threads || max_threads > KTD_MAX_THREADS_LIMIT)
		return -ERANGE;
	memset(pool, 0, sizeof(*pool));
	pool->threads = kvcalloc(max_threads, sizeof(*pool->threads),
				 GFP_KERNEL);
	if (!pool->threads)
		return -ENOMEM;
	mutex_init(&pool->lock);
	spin_lock_init(&pool->exit_lock);
	pool->max_threads = max_threads;
	pool->prefix = prefix;
	pool->workload = ktd_workload_find("sleep");
	pool->period_us = 1000;
	pool->bind = KTD_BIND_NONE;
	pool->policy = SCHED_NORMAL;
	pool->stats_enabled = true;
	err = cpuhp_state_add_instance_nocalls(ktd_cpuhp_state,
					       &pool->cpuhp_node);
	if (err) {
		mutex_destroy(&pool->lock);
		kvfree(pool->threads);
		pool->threads = NULL;
	}
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_init);

void ktd_pool_destroy(struct ktd_pool *pool)
{
	cpuhp_state_remove_instance_nocalls(ktd_cpuhp_state, &pool->cpuhp_node);
	ktd_pool_resize(pool, 0);
	mutex_destroy(&pool->lock);
	kvfree(pool->threads);
	pool->threads = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_destroy);

/* ---- parsing what users write ----------------------------------------- */

/* The workload called @buf (a sysfs spelling), or NULL. */
const struct ktd_workload *ktd_workload_find(const char *buf)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ktd_workloads); i++)
		if (sysfs_streq(buf, ktd_workloads[i].name))
			return &ktd_workloads[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_workload_find);

/* The workloads' names, space-separated, as available_workloads shows. */
static int ktd_workload_list(char *buf, size_t size)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < ARRAY_SIZE(ktd_workloads); i++)
		n += scnprintf(buf + n, size - n, "%s%s", i ? " " : "",
			       ktd_workloads[i].name);
	return n;
}

/* "none", "spread", or a CPU number (-ERANGE if there is no such CPU). */
int ktd_parse_bind(const char *buf, int *bind)
{
	unsigned int cpu;
	int err;

	if (sysfs_streq(buf, "none")) {
		*bind = KTD_BIND_NONE;
		return 0;
	}
	if (sysfs_streq(buf, "spread")) {
		*bind = KTD_BIND_SPREAD;
		return 0;
	}
	err = kstrtouint(buf, 10, &cpu);
	if (err)
		return err;
	if (cpu >= nr_cpu_ids)
		return -ERANGE;
	*bind = cpu;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_parse_bind);

int ktd_parse_policy(const char *buf, int *policy)
{
	if (sysfs_streq(buf, "normal"))
		*policy = SCHED_NORMAL;
	else if (sysfs_streq(buf, "fifo"))
		*policy = SCHED_FIFO;
	else
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_parse_policy);

/* ---- what the pool shows ---------------------------------------------- */

/* A thread's stats, or NULL while they await a reset. */
static const struct ktd_tstats *ktd_thread_stats(struct ktd_thread *t)
{
	/* Pairs with the release in ktd_stats_sync(). */
	if (smp_load_acquire(&t->st.gen) != READ_ONCE(t->pool->stats_gen))
		return NULL;
	return &t->st;
}

static const char *ktd_thread_state(struct ktd_thread *t)
{
	if (READ_ONCE(t->finished))
		return "done";
	/* A thread parked before it ran parks inside kthread() itself. */
	if (t->away)
		return "parked-hp";	/* its CPU is offline */
	if (t->parked)
		return "parked";
	if (!READ_ONCE(t->started))
		return "new";
	return "run";
}

/* The `threads` file: one row per thread. Under pool->lock. */
void ktd_pool_show_threads(struct seq_file *m, struct ktd_pool *pool)
{
	unsigned int i;

	lockdep_assert_held(&pool->lock);
	seq_printf(m, "%-10s %7s %4s %5s %-9s %-9s %12s %10s %10s %14s %12s\n",
		   "name", "pid", "cpu", "sched", "state", "workload", "loops",
		   "nvcsw", "nivcsw", "runtime_ns", "last_lat_ns");
	for (i = 0; i < pool->nr_threads; i++) {
		struct ktd_thread *t = ktd_slot(pool, i);
		const struct ktd_tstats *st = ktd_thread_stats(t);
		struct task_struct *task = t->task;

		seq_printf(m, "%-10s %7d %4d %5c %-9s %-9s %12llu %10lu %10lu %14llu %12llu\n",
			   task->comm, task_pid_nr(task), task_cpu(task),
			   task_state_to_char(task), ktd_thread_state(t),
			   pool->workload->name,
			   st ? READ_ONCE(st->loops) : 0,
			   st ? ktd_task_nvcsw(task) - READ_ONCE(st->base_nvcsw) : 0,
			   st ? ktd_task_nivcsw(task) - READ_ONCE(st->base_nivcsw) : 0,
			   st ? ktd_task_runtime(task) -
				READ_ONCE(st->base_runtime_ns) : 0,
			   st ? READ_ONCE(st->last_lat_ns) : 0);
	}
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_show_threads);

/* The `stats` file: key: value lines, then the latency histograms. */
void ktd_pool_show_stats(struct seq_file *m, struct ktd_pool *pool)
{
	const struct ktd_workload *wl = pool->workload;
	u64 loops = 0, runtime = 0, start = U64_MAX, elapsed, now;
	unsigned long nvcsw = 0, nivcsw = 0;
	unsigned int i, j, fresh = 0, parked = 0, finished = 0;
	u64 freezes = 0;
	struct ktd_hist *h;

	lockdep_assert_held(&pool->lock);
	h = kvmalloc_array(2, sizeof(*h), GFP_KERNEL);
	if (!h) {
		seq_puts(m, "error: out of memory\n");
		return;
	}
	ktd_hist_init(&h[0]);
	ktd_hist_init(&h[1]);
	for (i = 0; i < pool->nr_threads; i++) {
		struct ktd_thread *t = ktd_slot(pool, i);
		const struct ktd_tstats *st = ktd_thread_stats(t);

		freezes += READ_ONCE(t->freezes);
		finished += READ_ONCE(t->finished);
		parked += (t->parked || t->away) && !READ_ONCE(t->finished);
		if (!st)
			continue;
		fresh++;
		loops += READ_ONCE(st->loops);
		nvcsw += ktd_task_nvcsw(t->task) - READ_ONCE(st->base_nvcsw);
		nivcsw += ktd_task_nivcsw(t->task) - READ_ONCE(st->base_nivcsw);
		runtime += ktd_task_runtime(t->task) -
			   READ_ONCE(st->base_runtime_ns);
		start = min(start, READ_ONCE(st->start_ns));
		for (j = 0; j < 2; j++)
			ktd_hist_merge(&h[j], &st->lat[j]);
	}
	now = ktime_get_ns();
	elapsed = fresh && now > start ? now - start : 0;

	seq_printf(m, "workload: %s\n", wl->name);
	seq_printf(m, "threads: %u\n", pool->nr_threads);
	seq_printf(m, "threads_reporting: %u\n", fresh);
	seq_printf(m, "threads_parked: %u\n", parked);
	seq_printf(m, "threads_finished: %u\n", finished);
	seq_printf(m, "stats_enabled: %d\n", pool->stats_enabled);
	seq_printf(m, "elapsed_ns: %llu\n", elapsed);
	seq_printf(m, "loops: %llu\n", loops);
	seq_printf(m, "loops_per_sec: %llu\n",
		   elapsed ? mul_u64_u64_div_u64(loops, NSEC_PER_SEC, elapsed) : 0);
	if (wl->loop == ktd_spin)
		seq_printf(m, "spin_ops_per_sec: %llu\n", elapsed ?
			   mul_u64_u64_div_u64(loops * KTD_SPIN_CHUNK,
					       NSEC_PER_SEC, elapsed) : 0);
	seq_printf(m, "nvcsw: %lu\n", nvcsw);
	seq_printf(m, "nivcsw: %lu\n", nivcsw);
	seq_printf(m, "runtime_ns: %llu\n", runtime);
	seq_printf(m, "freezes: %llu\n", freezes);
	seq_printf(m, "stopped_before_run: %llu\n", READ_ONCE(pool->never_ran));
	for (j = 0; j < 2; j++)
		if (wl->lat_name[j])
			ktd_hist_show(m, wl->lat_name[j], &h[j], true);
	kvfree(h);
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_show_stats);

/* ---- sysfs: /sys/kernel/kthread_demo ---------------------------------- */

/*
 * Every store parses the value (decimal, as every file shows it) and hands
 * it to the pool's setter, which checks it and applies it, or changes
 * nothing. The numeric files share one show and one store: each names the
 * field that shows it and how to apply a new value.
 */
enum ktd_num_kind { KTD_NUM_BOOL, KTD_NUM_UINT, KTD_NUM_INT, KTD_NUM_U64 };

struct ktd_num_attr {
	struct kobj_attribute attr;
	enum ktd_num_kind kind;
	const void *val;
	union {
		int (*set_bool)(struct ktd_pool *pool, bool v);
		int (*set_uint)(struct ktd_pool *pool, unsigned int v);
		int (*set_int)(struct ktd_pool *pool, int v);
		int (*set_u64)(struct ktd_pool *pool, u64 v);
	};
};

static ssize_t ktd_num_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct ktd_num_attr *na = container_of(attr, struct ktd_num_attr, attr);

	switch (na->kind) {
	case KTD_NUM_BOOL:
		return sysfs_emit(buf, "%d\n", READ_ONCE(*(const bool *)na->val));
	case KTD_NUM_UINT:
		return sysfs_emit(buf, "%u\n",
				  READ_ONCE(*(const unsigned int *)na->val));
	case KTD_NUM_INT:
		return sysfs_emit(buf, "%d\n", READ_ONCE(*(const int *)na->val));
	case KTD_NUM_U64:
		return sysfs_emit(buf, "%llu\n", READ_ONCE(*(const u64 *)na->val));
	}
	return -EINVAL;
}

static ssize_t ktd_num_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	struct ktd_num_attr *na = container_of(attr, struct ktd_num_attr, attr);
	unsigned int u;
	int err, i;
	u64 v;

	switch (na->kind) {
	case KTD_NUM_BOOL:
		err = kstrtouint(buf, 10, &u);
		if (!err)
			err = u > 1 ? -ERANGE : na->set_bool(&ktd_main, u);
		break;
	case KTD_NUM_UINT:
		err = kstrtouint(buf, 10, &u);
		if (!err)
			err = na->set_uint(&ktd_main, u);
		break;
	case KTD_NUM_INT:
		err = kstrtoint(buf, 10, &i);
		if (!err)
			err = na->set_int(&ktd_main, i);
		break;
	case KTD_NUM_U64:
		err = kstrtou64(buf, 10, &v);
		if (!err)
			err = na->set_u64(&ktd_main, v);
		break;
	default:
		err = -EINVAL;
	}
	return err ? err : count;
}

#define KTD_NUM_ATTR(_name, _kind, _field, _set)			\
	{								\
		.attr = __ATTR(_name, 0644, ktd_num_show, ktd_num_store), \
		.kind = _kind,						\
		.val = &ktd_main._field,				\
		_set,							\
	}

static struct ktd_num_attr ktd_num_attrs[] = {
	KTD_NUM_ATTR(nr_threads, KTD_NUM_UINT, nr_threads,
		     .set_uint = ktd_pool_resize),
	KTD_NUM_ATTR(period_us, KTD_NUM_UINT, period_us,
		     .set_uint = ktd_pool_set_period),
	KTD_NUM_ATTR(nice, KTD_NUM_INT, nice, .set_int = ktd_pool_set_nice),
	KTD_NUM_ATTR(parked, KTD_NUM_BOOL, parked,
		     .set_bool = ktd_pool_set_parked),
	KTD_NUM_ATTR(freezable, KTD_NUM_BOOL, freezable,
		     .set_bool = ktd_pool_set_freezable),
	KTD_NUM_ATTR(iterations, KTD_NUM_U64, iterations,
		     .set_u64 = ktd_pool_set_iterations),
	KTD_NUM_ATTR(io_stall, KTD_NUM_UINT, io_stall,
		     .set_uint = ktd_pool_set_io_stall),
	KTD_NUM_ATTR(stats_enabled, KTD_NUM_BOOL, stats_enabled,
		     .set_bool = ktd_pool_set_stats_enabled),
};

static ssize_t workload_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", READ_ONCE(ktd_main.workload)->name);
}

static ssize_t workload_store(struct kobject *kobj,
			      struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	int err = ktd_pool_set_workload(&ktd_main, buf);

	return err ? err : count;
}

static ssize_t available_workloads_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	int n = ktd_workload_list(buf, PAGE_SIZE - 1);

	return n + sysfs_emit_at(buf, n, "\n");
}

static ssize_t bind_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	int bind = READ_ONCE(ktd_main.bind);

	if (bind == KTD_BIND_NONE)
		return sysfs_emit(buf, "none\n");
	if (bind == KTD_BIND_SPREAD)
		return sysfs_emit(buf, "spread\n");
	return sysfs_emit(buf, "%d\n", bind);
}

static ssize_t bind_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	int bind, err = ktd_parse_bind(buf, &bind);

	if (!err)
		err = ktd_pool_set_bind(&ktd_main, bind);
	return err ? err : count;
}

static ssize_t policy_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", READ_ONCE(ktd_main.policy) == SCHED_FIFO ?
			  "fifo" : "normal");
}

static ssize_t policy_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	int policy, err = ktd_parse_policy(buf, &policy);

	if (!err)
		err = ktd_pool_set_policy(&ktd_main, policy);
	return err ? err : count;
}

static struct kobj_attribute workload_attr = __ATTR_RW(workload);
static struct kobj_attribute available_workloads_attr =
	__ATTR_RO(available_workloads);
static struct kobj_attribute bind_attr = __ATTR_RW(bind);
static struct kobj_attribute policy_attr = __ATTR_RW(policy);

static struct attribute *ktd_attrs[] = {
	&ktd_num_attrs[0].attr.attr,	/* nr_threads */
	&workload_attr.attr,
	&available_workloads_attr.attr,
	&ktd_num_attrs[1].attr.attr,	/* period_us */
	&bind_attr.attr,
	&ktd_num_attrs[2].attr.attr,	/* nice */
	&policy_attr.attr,
	&ktd_num_attrs[3].attr.attr,	/* parked */
	&ktd_num_attrs[4].attr.attr,	/* freezable */
	&ktd_num_attrs[5].attr.attr,	/* iterations */
	&ktd_num_attrs[6].attr.attr,	/* io_stall */
	&ktd_num_attrs[7].attr.attr,	/* stats_enabled */
	NULL,
};

static const struct attribute_group ktd_group = {
	.attrs = ktd_attrs,
};

/* ---- debugfs: /sys/kernel/debug/kthread_demo ------------------------- */

static int threads_show(struct seq_file *m, void *v)
{
	struct ktd_pool *pool = m->private;

	mutex_lock(&pool->lock);
	ktd_pool_show_threads(m, pool);
	mutex_unlock(&pool->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(threads);

static int stats_show(struct seq_file *m, void *v)
{
	struct ktd_pool *pool = m->private;

	mutex_lock(&pool->lock);
	ktd_pool_show_stats(m, pool);
	mutex_unlock(&pool->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/* reset: write 1 to zero every thread's counters and histograms. */
static ssize_t reset_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct ktd_pool *pool = file->private_data;
	unsigned int v;
	int err = kstrtouint_from_user(ubuf, count, 10, &v);

	if (err)
		return err;
	if (v != 1)
		return -EINVAL;
	mutex_lock(&pool->lock);
	ktd_pool_reset_stats(pool);
	mutex_unlock(&pool->lock);
	return count;
}

static const struct file_operations reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = reset_write,
};

struct dentry *ktd_debugfs_root(void)
{
	return ktd_debugfs;
}
EXPORT_SYMBOL_GPL(ktd_debugfs_root);

static int __init ktd_init(void)
{
	const struct ktd_workload *wl = ktd_workload_find(workload);
	char names[64];
	int err;

	if (!max_threads || max_threads > KTD_MAX_THREADS_LIMIT) {
		pr_err("max_threads=%u: must be 1 to %u\n", max_threads,
		       KTD_MAX_THREADS_LIMIT);
		return -ERANGE;
	}
	if (nr_threads > max_threads) {
		pr_err("nr_threads=%u is above max_threads=%u\n",
		       nr_threads, max_threads);
		return -ERANGE;
	}
	if (!wl) {
		ktd_workload_list(names, sizeof(names));
		pr_err("workload=%s: not one of: %s\n", workload, names);
		return -EINVAL;
	}
	err = cpuhp_setup_state_multi(CPUHP_AP_ONLINE_DYN, "kthread_demo:online",
				      ktd_cpu_online, ktd_cpu_offline);
	if (err < 0)
		return err;
	ktd_cpuhp_state = err;
	err = ktd_pool_init(&ktd_main, "ktd", max_threads);
	if (err)
		goto err_remove_cpuhp;
	ktd_main.workload = wl;	/* no thread runs yet */

	ktd_kobj = kobject_create_and_add("kthread_demo", kernel_kobj);
	if (!ktd_kobj) {
		err = -ENOMEM;
		goto err_destroy_pool;
	}
	err = sysfs_create_group(ktd_kobj, &ktd_group);
	if (err)
		goto err_put_kobj;

	ktd_debugfs = debugfs_create_dir("kthread_demo", NULL);
	debugfs_create_file("threads", 0444, ktd_debugfs, &ktd_main,
			    &threads_fops);
	debugfs_create_file("stats", 0444, ktd_debugfs, &ktd_main,
			    &stats_fops);
	debugfs_create_file("reset", 0200, ktd_debugfs, &ktd_main,
			    &reset_fops);

	err = ktd_pool_resize(&ktd_main, nr_threads);
	if (err)
		goto err_remove_debugfs;
	pr_info("loaded, %u threads\n", nr_threads);
	return 0;

err_remove_debugfs:
	debugfs_remove(ktd_debugfs);
err_put_kobj:
	kobject_put(ktd_kobj);
err_destroy_pool:
	ktd_pool_destroy(&ktd_main);
err_remove_cpuhp:
	cpuhp_remove_multi_state(ktd_cpuhp_state);
	return err;
}

static void __exit ktd_exit(void)
{
	/* Interfaces first, so no store can start a thread behind us. */
	debugfs_remove(ktd_debugfs);
	kobject_put(ktd_kobj);
	ktd_pool_destroy(&ktd_main);
	cpuhp_remove_multi_state(ktd_cpuhp_state);
	pr_info("unloaded\n");
}

module_init(ktd_init);
module_exit(ktd_exit);

MODULE_DESCRIPTION("Kernel threads under live control, measured");
MODULE_AUTHOR("The kthread-demo authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(KTD_VERSION);
