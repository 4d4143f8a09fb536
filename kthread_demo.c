// SPDX-License-Identifier: GPL-2.0
/*
 * A pool of kernel threads under live control, measured.
 *
 * Users size the pool and pick what its threads do through the files in
 * /sys/kernel/kthread_demo/ (README.md documents each one), and read what
 * the threads did in /sys/kernel/debug/kthread_demo/{threads,stats}.
 *
 * Lifetime rules, each owned by one helper:
 *  - ktd_thread_create_on_cpu()/ktd_thread_run() start a thread and take
 *    our own reference to its task, because a thread may finish on its own
 *    (after `iterations` loops) and its task_struct must stay valid until
 *    we stop it;
 *  - ktd_thread_stop() is the only way a thread goes: kthread_stop_put(),
 *    then the memory after an RCU grace period, because a ping-pong
 *    partner may still be looking at it;
 *  - ktd_thread_park_set()/ktd_thread_park_clear() are the only callers of
 *    kthread_park()/kthread_unpark().
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

static unsigned int max_threads = 4096;
module_param(max_threads, uint, 0444);
MODULE_PARM_DESC(max_threads, "Upper bound for nr_threads (default 4096)");

static unsigned int nr_threads = 1;
module_param(nr_threads, uint, 0444);
MODULE_PARM_DESC(nr_threads, "Threads started at load time (default 1)");

static char *workload = "sleep";
module_param(workload, charp, 0444);
MODULE_PARM_DESC(workload, "Workload at load time: spin, sleep, block or pingpong (default sleep)");

#define KTD_PERIOD_MAX_US	10000000U	/* 10 s */
#define KTD_SPIN_CHUNK		10000		/* ops between cond_resched() */
#define KTD_WAIT_SLICE		(HZ / 10)	/* re-check period of waits */

static struct ktd_pool ktd_main;
static struct kobject *ktd_kobj;
static struct dentry *ktd_debugfs;
static enum cpuhp_state ktd_cpuhp_state;

const char * const ktd_workload_names[KTD_NR_WORKLOADS] = {
	[KTD_WL_SPIN] = "spin",
	[KTD_WL_SLEEP] = "sleep",
	[KTD_WL_BLOCK] = "block",
	[KTD_WL_PINGPONG] = "pingpong",
};
EXPORT_SYMBOL_IF_KUNIT(ktd_workload_names);

/* ---- measuring: only the thread itself writes t->st ------------------- */

/* Catch up with a reset: zero our stats and remember where we start. */
static void ktd_stats_sync(struct ktd_thread *t)
{
	unsigned long gen = READ_ONCE(t->pool->stats_gen);

	if (likely(t->st.gen == gen))
		return;
	WRITE_ONCE(t->st.loops, 0);
	WRITE_ONCE(t->st.last_lat_ns, 0);
	ktd_hist_init(&t->st.lat[0]);
	ktd_hist_init(&t->st.lat[1]);
	t->st.base_nvcsw = current->nvcsw;
	t->st.base_nivcsw = current->nivcsw;
	t->st.base_runtime_ns = current->se.sum_exec_runtime;
	t->st.start_ns = ktime_get_ns();
	/* Readers trust the numbers once they see the new gen. */
	smp_store_release(&t->st.gen, gen);
}

/* One latency sample of workload @wl (each caller passes its own). */
static void ktd_record(struct ktd_thread *t, enum ktd_workload wl,
		       unsigned int which, u64 ns)
{
	WRITE_ONCE(t->st.last_lat_ns, ns);
	ktd_hist_add(&t->st.lat[which], ns);
	trace_ktd_latency(t->id, ktd_workload_names[wl], which == KTD_LAT_CROSS, ns);
}

static bool ktd_stats_on(const struct ktd_thread *t)
{
	return READ_ONCE(t->pool->stats_enabled);
}

/*
 * Whether a wait must end now: the thread is asked to stop or park, the
 * freezer wants it, or its workload changed under it.
 */
static bool ktd_should_break(struct ktd_thread *t, enum ktd_workload wl)
{
	return kthread_should_stop() || kthread_should_park() ||
	       freezing(current) || READ_ONCE(t->pool->workload) != wl;
}

/* ---- the workloads ---------------------------------------------------- */

/* spin: KTD_SPIN_CHUNK rounds of xorshift, then let others run. */
static void ktd_spin(struct ktd_thread *t)
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
}

/*
 * sleep: wake every period_us on an absolute hrtimer and record how late
 * we are, the way cyclictest does.
 */
static void ktd_sleep(struct ktd_thread *t)
{
	u64 period = (u64)READ_ONCE(t->pool->period_us) * NSEC_PER_USEC;
	u64 now = ktime_get_ns();
	ktime_t expires;

	if (!t->next_ns || t->next_ns + period < now)
		t->next_ns = now;	/* first round, or fell behind */
	t->next_ns += period;
	expires = ns_to_ktime(t->next_ns);

	set_current_state(TASK_INTERRUPTIBLE);
	if (!ktd_should_break(t, KTD_WL_SLEEP))
		schedule_hrtimeout(&expires, HRTIMER_MODE_ABS);
	__set_current_state(TASK_RUNNING);

	now = ktime_get_ns();
	if (now < t->next_ns) {
		t->next_ns -= period;	/* woken early: try this one again */
		return;
	}
	if (ktd_stats_on(t))
		ktd_record(t, KTD_WL_SLEEP, KTD_LAT_SAME, now - t->next_ns);
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
static void ktd_block(struct ktd_thread *t)
{
	u64 period = (u64)READ_ONCE(t->pool->period_us) * NSEC_PER_USEC;
	bool stalled = t->id < READ_ONCE(t->pool->io_stall);

	t->io_done = false;
	if (!stalled)
		hrtimer_start(&t->io_timer, ns_to_ktime(period),
			      HRTIMER_MODE_REL);
	wait_event_idle(t->wq, ktd_io_arrived(t) ||
			ktd_should_break(t, KTD_WL_BLOCK) ||
			stalled != (t->id < READ_ONCE(t->pool->io_stall)));
	hrtimer_cancel(&t->io_timer);
	if (ktd_io_arrived(t) && ktd_stats_on(t))
		ktd_record(t, KTD_WL_BLOCK, KTD_LAT_SAME,
			   ktime_get_ns() - t->io_done_ns);
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
	return ktd_inbox(t) != t->answered ||
	       ktd_should_break(t, KTD_WL_PINGPONG);
}

static bool ktd_ping_back(struct ktd_thread *t, u64 token)
{
	return ktd_inbox(t) == token || ktd_should_break(t, KTD_WL_PINGPONG);
}

/*
 * pingpong: the even thread sends a fresh token and times how long it
 * takes to come back: two wake-ups and two context switches. The odd
 * thread sends every new token straight back. Every wait is bounded by
 * KTD_WAIT_SLICE, so a thread whose partner went away just goes round.
 */
static void ktd_pingpong(struct ktd_thread *t)
{
	bool stats = ktd_stats_on(t);
	u64 token, t0 = 0;

	if (t->id & 1) {
		wait_event_interruptible_timeout(t->wq, ktd_pong_ready(t),
						 KTD_WAIT_SLICE);
		token = ktd_inbox(t);
		if (token != t->answered) {
			t->answered = token;
			ktd_send(t, token);
		}
		return;
	}
	token = t->total_loops + 1;	/* never the one we last got back */
	if (stats)
		t0 = ktime_get_ns();
	ktd_send(t, token);
	wait_event_interruptible_timeout(t->wq, ktd_ping_back(t, token),
					 KTD_WAIT_SLICE);
	if (stats && ktd_inbox(t) == token)
		ktd_record(t, KTD_WL_PINGPONG,
			   READ_ONCE(t->inbox_cpu) == raw_smp_processor_id() ?
			   KTD_LAT_SAME : KTD_LAT_CROSS, ktime_get_ns() - t0);
}

static void (* const ktd_workload_fns[KTD_NR_WORKLOADS])(struct ktd_thread *) = {
	[KTD_WL_SPIN] = ktd_spin,
	[KTD_WL_SLEEP] = ktd_sleep,
	[KTD_WL_BLOCK] = ktd_block,
	[KTD_WL_PINGPONG] = ktd_pingpong,
};

/* ---- one thread ------------------------------------------------------- */

/*
 * The thread decides to finish under exit_lock, so ktd_thread_park_set()
 * never parks a thread that is exiting (kthread_park() warns on that).
 */
static bool ktd_thread_may_finish(struct ktd_thread *t)
{
	bool finish;

	spin_lock(&t->pool->exit_lock);
	finish = !t->park_why;
	if (finish)
		WRITE_ONCE(t->finished, true);
	spin_unlock(&t->pool->exit_lock);
	return finish;
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
		u64 iterations = READ_ONCE(pool->iterations);

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
		if (iterations && t->total_loops >= iterations &&
		    ktd_thread_may_finish(t))
			return 0;	/* finished on our own */

		ktd_stats_sync(t);
		ktd_workload_fns[READ_ONCE(pool->workload)](t);
		WRITE_ONCE(t->total_loops, t->total_loops + 1);
		WRITE_ONCE(t->st.loops, t->st.loops + 1);
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

static struct ktd_thread *ktd_thread_alloc(struct ktd_pool *pool,
					   unsigned int id, int cpu)
{
	struct ktd_thread *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	t->pool = pool;
	t->id = id;
	t->cpu = cpu;
	t->freezable = pool->freezable;
	t->st.gen = pool->stats_gen - 1;	/* reset on the first loop */
	init_waitqueue_head(&t->wq);
	hrtimer_init(&t->io_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	t->io_timer.function = ktd_io_complete;
	return t;
}

/**
 * ktd_thread_create_on_cpu - create a demo thread bound to @cpu, not woken
 * @pool: the pool it belongs to (not added to it)
 * @id: its number, which names it "<prefix>/<id>"
 * @cpu: an online CPU
 *
 * kthread_create_on_cpu() binds the new thread with kthread_bind(), which
 * only works before the first wake-up. The caller wakes the thread with
 * wake_up_process(), or stops it with ktd_thread_stop() without ever
 * waking it, in which case kthread_stop() returns -EINTR.
 *
 * Return: the thread, or an ERR_PTR.
 */
struct ktd_thread *ktd_thread_create_on_cpu(struct ktd_pool *pool,
					    unsigned int id, int cpu)
{
	struct ktd_thread *t = ktd_thread_alloc(pool, id, cpu);
	char name[TASK_COMM_LEN];

	if (!t)
		return ERR_PTR(-ENOMEM);
	/* The name format gets the CPU as its argument; ours ignores it. */
	snprintf(name, sizeof(name), "%s/%u", pool->prefix, id);
	t->task = kthread_create_on_cpu(ktd_thread_fn, t, cpu, name);
	if (IS_ERR(t->task)) {
		int err = PTR_ERR(t->task);

		kfree(t);
		return ERR_PTR(err);
	}
	get_task_struct(t->task);
	return t;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_thread_create_on_cpu);

/* Start an unbound demo thread: kthread_run() creates and wakes it. */
static struct ktd_thread *ktd_thread_run(struct ktd_pool *pool,
					 unsigned int id)
{
	struct ktd_thread *t = ktd_thread_alloc(pool, id, -1);
	struct task_struct *task;

	if (!t)
		return ERR_PTR(-ENOMEM);
	/*
	 * The thread may run before kthread_run() returns; it only needs
	 * t->task once it is stopped, so publish the reference after.
	 */
	task = kthread_run(ktd_thread_fn, t, "%s/%u", pool->prefix, id);
	if (IS_ERR(task)) {
		kfree(t);
		return ERR_CAST(task);
	}
	get_task_struct(task);
	t->task = task;
	return t;
}

/**
 * ktd_thread_stop - stop a demo thread and free it
 * @t: the thread, already taken out of its pool's array
 *
 * Works whether the thread is running, parked, finished on its own, or
 * never ran at all.
 *
 * Return: the thread function's result, or -EINTR if it never ran.
 */
int ktd_thread_stop(struct ktd_thread *t)
{
	int pid = task_pid_nr(t->task);
	int ret = kthread_stop_put(t->task);

	trace_ktd_thread_stop(t->id, pid, ret, READ_ONCE(t->total_loops));
	hrtimer_cancel(&t->io_timer);
	if (ret == -EINTR)
		WRITE_ONCE(t->pool->never_ran, t->pool->never_ran + 1);
	kfree_rcu(t, rcu);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_thread_stop);

/* Park @t for @why; the first reason parks it. Under pool->lock. */
static void ktd_thread_park_set(struct ktd_thread *t, unsigned int why)
{
	bool park;

	lockdep_assert_held(&t->pool->lock);
	spin_lock(&t->pool->exit_lock);
	park = !t->park_why && !t->finished;
	t->park_why |= why;
	spin_unlock(&t->pool->exit_lock);
	/* With park_why set the thread no longer finishes: see may_finish. */
	if (park)
		kthread_park(t->task);
}

/* Drop reason @why; the last one unparks @t. Under pool->lock. */
static void ktd_thread_park_clear(struct ktd_thread *t, unsigned int why)
{
	bool unpark;

	lockdep_assert_held(&t->pool->lock);
	spin_lock(&t->pool->exit_lock);
	unpark = t->park_why == why && !t->finished;
	t->park_why &= ~why;
	spin_unlock(&t->pool->exit_lock);
	if (!unpark)
		return;
	/*
	 * A thread bound to a CPU that went offline was moved off it by the
	 * scheduler (kthread_bind() affinity is not kept for a dying CPU);
	 * bind it back before it runs again.
	 */
	if (t->cpu >= 0)
		set_cpus_allowed_ptr(t->task, cpumask_of(t->cpu));
	kthread_unpark(t->task);
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
 * The CPU thread @id goes on, or -1; -EBUSY if that CPU is offline. The
 * caller holds cpus_read_lock(), so the answer stays true while it acts.
 */
static int ktd_pool_cpu_for(struct ktd_pool *pool, unsigned int id)
{
	if (pool->bind == KTD_BIND_NONE)
		return -1;
	if (pool->bind == KTD_BIND_SPREAD)
		return cpumask_nth(id % num_online_cpus(), cpu_online_mask);
	return cpu_online(pool->bind) ? pool->bind : -EBUSY;
}

/* Start thread @id with the pool's settings. Under both locks. */
static struct ktd_thread *ktd_pool_start_one(struct ktd_pool *pool,
					     unsigned int id)
{
	int cpu = ktd_pool_cpu_for(pool, id);
	struct ktd_thread *t;

	if (cpu == -EBUSY)
		return ERR_PTR(-EBUSY);
	if (cpu < 0) {
		t = ktd_thread_run(pool, id);
		if (!IS_ERR(t))
			ktd_thread_set_priority(t, pool->policy, pool->nice);
	} else {
		/* Bound: set it up completely before its first instruction. */
		t = ktd_thread_create_on_cpu(pool, id, cpu);
		if (!IS_ERR(t)) {
			ktd_thread_set_priority(t, pool->policy, pool->nice);
			wake_up_process(t->task);
		}
	}
	if (!IS_ERR(t) && pool->parked)
		ktd_thread_park_set(t, KTD_PARK_USER);
	return t;
}

/* Grow or shrink to @nr. Under cpus_read_lock() and pool->lock. */
static int __ktd_pool_resize(struct ktd_pool *pool, unsigned int nr)
{
	unsigned int old = pool->nr_threads;
	int err = 0;

	while (pool->nr_threads < nr) {
		struct ktd_thread *t = ktd_pool_start_one(pool, pool->nr_threads);

		if (IS_ERR(t)) {
			err = PTR_ERR(t);
			nr = old;	/* all or nothing */
			break;
		}
		rcu_assign_pointer(pool->threads[pool->nr_threads], t);
		WRITE_ONCE(pool->nr_threads, pool->nr_threads + 1);
	}
	while (pool->nr_threads > nr) {
		unsigned int i = pool->nr_threads - 1;
		struct ktd_thread *t = ktd_slot(pool, i);

		WRITE_ONCE(pool->nr_threads, i);
		RCU_INIT_POINTER(pool->threads[i], NULL);
		ktd_thread_stop(t);
	}
	/* A thread whose partner went or came re-checks at once. */
	if (nr != old && nr && pool->workload == KTD_WL_PINGPONG)
		wake_up(&ktd_slot(pool, nr - 1)->wq);
	return err;
}

/**
 * ktd_pool_resize - grow or shrink a pool to @nr threads
 * @pool: the pool
 * @nr: the new size, at most @pool->max_threads
 *
 * Threads that stay are not touched. If growing fails part way, the
 * threads just started are stopped again and the pool keeps its old size.
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

/* Wake every thread out of its wait so it re-reads the settings. */
void ktd_pool_wake_all(struct ktd_pool *pool)
{
	unsigned int i;

	lockdep_assert_held(&pool->lock);
	for (i = 0; i < pool->nr_threads; i++)
		wake_up(&ktd_slot(pool, i)->wq);
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_wake_all);

void ktd_pool_reset_stats(struct ktd_pool *pool)
{
	/* Threads zero their own stats when they see the new generation. */
	WRITE_ONCE(pool->stats_gen, pool->stats_gen + 1);
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_reset_stats);

int ktd_pool_set_workload(struct ktd_pool *pool, enum ktd_workload wl)
{
	if (wl >= KTD_NR_WORKLOADS)
		return -EINVAL;
	mutex_lock(&pool->lock);
	if (wl != pool->workload) {
		WRITE_ONCE(pool->workload, wl);
		ktd_pool_reset_stats(pool);
		ktd_pool_wake_all(pool);
	}
	mutex_unlock(&pool->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_workload);

/*
 * Restart every thread with new creation-time settings (binding, or
 * freezability): kthread_bind() and set_freezable() only apply to a
 * thread before it runs, or to the thread itself.
 */
static int ktd_pool_restart(struct ktd_pool *pool)
{
	unsigned int nr = pool->nr_threads;

	__ktd_pool_resize(pool, 0);
	return __ktd_pool_resize(pool, nr);
}

int ktd_pool_set_bind(struct ktd_pool *pool, int bind)
{
	int err = 0, old;

	if (bind < KTD_BIND_SPREAD)
		return -EINVAL;
	if (bind >= (int)nr_cpu_ids)
		return -ERANGE;
	cpus_read_lock();
	mutex_lock(&pool->lock);
	if (bind >= 0 && !cpu_online(bind)) {
		err = -EBUSY;
	} else if (bind != pool->bind) {
		old = pool->bind;
		pool->bind = bind;
		err = ktd_pool_restart(pool);
		if (err) {
			pool->bind = old;
			ktd_pool_restart(pool);
		}
	}
	mutex_unlock(&pool->lock);
	cpus_read_unlock();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_bind);

/*
 * A parked thread sleeps in TASK_PARKED, which the freezer cannot freeze:
 * a pool that is both parked and freezable would make every suspend fail.
 * So the two exclude each other (-EBUSY).
 */
int ktd_pool_set_freezable(struct ktd_pool *pool, bool freezable)
{
	int err = 0;

	cpus_read_lock();
	mutex_lock(&pool->lock);
	if (freezable && pool->parked) {
		err = -EBUSY;
	} else if (freezable != pool->freezable) {
		pool->freezable = freezable;
		err = ktd_pool_restart(pool);
	}
	mutex_unlock(&pool->lock);
	cpus_read_unlock();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_freezable);

int ktd_pool_set_priority(struct ktd_pool *pool, int policy, int nice)
{
	unsigned int i;

	if (policy != SCHED_NORMAL && policy != SCHED_FIFO)
		return -EINVAL;
	if (nice < MIN_NICE || nice > MAX_NICE)
		return -ERANGE;
	mutex_lock(&pool->lock);
	pool->policy = policy;
	pool->nice = nice;
	for (i = 0; i < pool->nr_threads; i++)
		ktd_thread_set_priority(ktd_slot(pool, i), policy, nice);
	mutex_unlock(&pool->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_priority);

int ktd_pool_set_parked(struct ktd_pool *pool, bool parked)
{
	unsigned int i;
	int err = 0;

	mutex_lock(&pool->lock);
	if (parked && pool->freezable) {
		err = -EBUSY;	/* see ktd_pool_set_freezable() */
	} else if (parked != pool->parked) {
		pool->parked = parked;
		for (i = 0; i < pool->nr_threads; i++) {
			if (parked)
				ktd_thread_park_set(ktd_slot(pool, i), KTD_PARK_USER);
			else
				ktd_thread_park_clear(ktd_slot(pool, i), KTD_PARK_USER);
		}
	}
	mutex_unlock(&pool->lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_set_parked);

/*
 * ---- CPU hotplug: park the threads bound to a CPU while it is away -----
 *
 * Not during suspend and resume (cpuhp_tasks_frozen): then the threads are
 * frozen, a frozen thread cannot be woken to park, and they are thawed only
 * after every CPU is back.
 */

static int ktd_cpu_online(unsigned int cpu, struct hlist_node *node)
{
	struct ktd_pool *pool = hlist_entry(node, struct ktd_pool, cpuhp_node);
	unsigned int i;

	if (cpuhp_tasks_frozen)
		return 0;
	mutex_lock(&pool->lock);
	for (i = 0; i < pool->nr_threads; i++) {
		struct ktd_thread *t = ktd_slot(pool, i);

		if (t->cpu == cpu)
			ktd_thread_park_clear(t, KTD_PARK_HOTPLUG);
	}
	mutex_unlock(&pool->lock);
	return 0;
}

static int ktd_cpu_offline(unsigned int cpu, struct hlist_node *node)
{
	struct ktd_pool *pool = hlist_entry(node, struct ktd_pool, cpuhp_node);
	unsigned int i;

	if (cpuhp_tasks_frozen)
		return 0;
	mutex_lock(&pool->lock);
	for (i = 0; i < pool->nr_threads; i++) {
		struct ktd_thread *t = ktd_slot(pool, i);

		if (t->cpu == cpu)
			ktd_thread_park_set(t, KTD_PARK_HOTPLUG);
	}
	mutex_unlock(&pool->lock);
	return 0;
}

/**
 * ktd_pool_init - set up an empty pool
 * @pool: the pool
 * @prefix: threads are named "<prefix>/<id>"
 * @max_threads: the cap on its size
 *
 * Return: 0 or -ENOMEM, or the error from registering with CPU hotplug.
 */
int ktd_pool_init(struct ktd_pool *pool, const char *prefix,
		  unsigned int max_threads)
{
	int err;

	memset(pool, 0, sizeof(*pool));
	pool->threads = kvcalloc(max_threads, sizeof(*pool->threads),
				 GFP_KERNEL);
	if (!pool->threads)
		return -ENOMEM;
	mutex_init(&pool->lock);
	spin_lock_init(&pool->exit_lock);
	pool->max_threads = max_threads;
	pool->prefix = prefix;
	pool->workload = KTD_WL_SLEEP;
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

int ktd_parse_workload(const char *buf, enum ktd_workload *wl)
{
	int i = sysfs_match_string(ktd_workload_names, buf);

	if (i < 0)
		return -EINVAL;
	*wl = i;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_parse_workload);

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
	if (t->park_why & KTD_PARK_HOTPLUG)
		return "parked-hp";
	if (t->park_why)
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
			   ktd_workload_names[pool->workload],
			   st ? READ_ONCE(st->loops) : 0,
			   st ? task->nvcsw - st->base_nvcsw : 0,
			   st ? task->nivcsw - st->base_nivcsw : 0,
			   st ? task->se.sum_exec_runtime - st->base_runtime_ns : 0,
			   st ? READ_ONCE(st->last_lat_ns) : 0);
	}
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_show_threads);

/* The `stats` file: key: value lines, then the latency histograms. */
void ktd_pool_show_stats(struct seq_file *m, struct ktd_pool *pool)
{
	static const char * const lat_names[KTD_NR_WORKLOADS][2] = {
		[KTD_WL_SLEEP] = { "wakeup_latency_" },
		[KTD_WL_BLOCK] = { "io_wakeup_latency_" },
		[KTD_WL_PINGPONG] = { "rtt_same_cpu_", "rtt_cross_cpu_" },
	};
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
		parked += t->park_why && !READ_ONCE(t->finished);
		if (!st)
			continue;
		fresh++;
		loops += READ_ONCE(st->loops);
		nvcsw += t->task->nvcsw - st->base_nvcsw;
		nivcsw += t->task->nivcsw - st->base_nivcsw;
		runtime += t->task->se.sum_exec_runtime - st->base_runtime_ns;
		start = min(start, st->start_ns);
		for (j = 0; j < 2; j++)
			ktd_hist_merge(&h[j], &st->lat[j]);
	}
	now = ktime_get_ns();
	elapsed = fresh && now > start ? now - start : 0;

	seq_printf(m, "workload: %s\n", ktd_workload_names[pool->workload]);
	seq_printf(m, "threads: %u\n", pool->nr_threads);
	seq_printf(m, "threads_reporting: %u\n", fresh);
	seq_printf(m, "threads_parked: %u\n", parked);
	seq_printf(m, "threads_finished: %u\n", finished);
	seq_printf(m, "stats_enabled: %d\n", pool->stats_enabled);
	seq_printf(m, "elapsed_ns: %llu\n", elapsed);
	seq_printf(m, "loops: %llu\n", loops);
	seq_printf(m, "loops_per_sec: %llu\n",
		   elapsed ? mul_u64_u64_div_u64(loops, NSEC_PER_SEC, elapsed) : 0);
	if (pool->workload == KTD_WL_SPIN)
		seq_printf(m, "spin_ops_per_sec: %llu\n", elapsed ?
			   mul_u64_u64_div_u64(loops * KTD_SPIN_CHUNK,
					       NSEC_PER_SEC, elapsed) : 0);
	seq_printf(m, "nvcsw: %lu\n", nvcsw);
	seq_printf(m, "nivcsw: %lu\n", nivcsw);
	seq_printf(m, "runtime_ns: %llu\n", runtime);
	seq_printf(m, "freezes: %llu\n", freezes);
	seq_printf(m, "stopped_before_run: %llu\n", READ_ONCE(pool->never_ran));
	for (j = 0; j < 2; j++)
		if (lat_names[pool->workload][j])
			ktd_hist_show(m, lat_names[pool->workload][j], &h[j], true);
	kvfree(h);
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_show_stats);

/* ---- sysfs: /sys/kernel/kthread_demo ---------------------------------- */

/* Every store parses first and changes nothing unless the value is good. */
static int ktd_store_bool(const char *buf, bool *val)
{
	unsigned int v;
	int err = kstrtouint(buf, 10, &v);

	if (err)
		return err;
	if (v > 1)
		return -ERANGE;
	*val = v;
	return 0;
}

static int ktd_pool_set_stats_enabled(struct ktd_pool *pool, bool on)
{
	mutex_lock(&pool->lock);
	WRITE_ONCE(pool->stats_enabled, on);
	ktd_pool_reset_stats(pool);
	mutex_unlock(&pool->lock);
	return 0;
}

/*
 * The 0/1 files share one show and one store: each names the field that
 * shows it and the setter that applies it.
 */
struct ktd_bool_attr {
	struct kobj_attribute attr;
	const bool *val;
	int (*set)(struct ktd_pool *pool, bool on);
};

static ssize_t ktd_bool_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	struct ktd_bool_attr *ba = container_of(attr, struct ktd_bool_attr, attr);

	return sysfs_emit(buf, "%d\n", READ_ONCE(*ba->val));
}

static ssize_t ktd_bool_store(struct kobject *kobj,
			      struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	struct ktd_bool_attr *ba = container_of(attr, struct ktd_bool_attr, attr);
	bool v;
	int err = ktd_store_bool(buf, &v);

	if (!err)
		err = ba->set(&ktd_main, v);
	return err ? err : count;
}

static struct ktd_bool_attr ktd_bool_attrs[] = {
	{
		.attr = __ATTR(parked, 0644, ktd_bool_show, ktd_bool_store),
		.val = &ktd_main.parked,
		.set = ktd_pool_set_parked,
	}, {
		.attr = __ATTR(freezable, 0644, ktd_bool_show, ktd_bool_store),
		.val = &ktd_main.freezable,
		.set = ktd_pool_set_freezable,
	}, {
		.attr = __ATTR(stats_enabled, 0644, ktd_bool_show, ktd_bool_store),
		.val = &ktd_main.stats_enabled,
		.set = ktd_pool_set_stats_enabled,
	},
};

static ssize_t nr_threads_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ktd_main.nr_threads));
}

static ssize_t nr_threads_store(struct kobject *kobj,
				struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	unsigned int nr;
	int err = kstrtouint(buf, 0, &nr);

	if (!err)
		err = ktd_pool_resize(&ktd_main, nr);
	return err ? err : count;
}

static ssize_t workload_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  ktd_workload_names[READ_ONCE(ktd_main.workload)]);
}

static ssize_t workload_store(struct kobject *kobj,
			      struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	enum ktd_workload wl;
	int err = ktd_parse_workload(buf, &wl);

	if (!err)
		err = ktd_pool_set_workload(&ktd_main, wl);
	return err ? err : count;
}

static ssize_t period_us_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ktd_main.period_us));
}

static ssize_t period_us_store(struct kobject *kobj,
			       struct kobj_attribute *attr,
			       const char *buf, size_t count)
{
	unsigned int v;
	int err = kstrtouint(buf, 10, &v);

	if (err)
		return err;
	if (!v || v > KTD_PERIOD_MAX_US)
		return -ERANGE;
	mutex_lock(&ktd_main.lock);
	WRITE_ONCE(ktd_main.period_us, v);
	ktd_pool_wake_all(&ktd_main);
	mutex_unlock(&ktd_main.lock);
	return count;
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

static ssize_t nice_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(ktd_main.nice));
}

static ssize_t nice_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	int nice, err = kstrtoint(buf, 10, &nice);

	if (!err)
		err = ktd_pool_set_priority(&ktd_main,
					    READ_ONCE(ktd_main.policy), nice);
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
		err = ktd_pool_set_priority(&ktd_main, policy,
					    READ_ONCE(ktd_main.nice));
	return err ? err : count;
}

static ssize_t iterations_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(ktd_main.iterations));
}

static ssize_t iterations_store(struct kobject *kobj,
				struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	u64 v;
	int err = kstrtou64(buf, 10, &v);

	if (err)
		return err;
	mutex_lock(&ktd_main.lock);
	WRITE_ONCE(ktd_main.iterations, v);
	ktd_pool_wake_all(&ktd_main);
	mutex_unlock(&ktd_main.lock);
	return count;
}

static ssize_t io_stall_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ktd_main.io_stall));
}

static ssize_t io_stall_store(struct kobject *kobj,
			      struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	unsigned int v;
	int err = kstrtouint(buf, 10, &v);

	if (err)
		return err;
	if (v > ktd_main.max_threads)
		return -ERANGE;
	mutex_lock(&ktd_main.lock);
	WRITE_ONCE(ktd_main.io_stall, v);
	ktd_pool_wake_all(&ktd_main);
	mutex_unlock(&ktd_main.lock);
	return count;
}

static struct kobj_attribute nr_threads_attr = __ATTR_RW(nr_threads);
static struct kobj_attribute workload_attr = __ATTR_RW(workload);
static struct kobj_attribute period_us_attr = __ATTR_RW(period_us);
static struct kobj_attribute bind_attr = __ATTR_RW(bind);
static struct kobj_attribute nice_attr = __ATTR_RW(nice);
static struct kobj_attribute policy_attr = __ATTR_RW(policy);
static struct kobj_attribute iterations_attr = __ATTR_RW(iterations);
static struct kobj_attribute io_stall_attr = __ATTR_RW(io_stall);

static struct attribute *ktd_attrs[] = {
	&nr_threads_attr.attr,
	&workload_attr.attr,
	&period_us_attr.attr,
	&bind_attr.attr,
	&nice_attr.attr,
	&policy_attr.attr,
	&ktd_bool_attrs[0].attr.attr,
	&ktd_bool_attrs[1].attr.attr,
	&iterations_attr.attr,
	&io_stall_attr.attr,
	&ktd_bool_attrs[2].attr.attr,
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
	enum ktd_workload wl;
	int err;

	if (nr_threads > max_threads) {
		pr_err("nr_threads=%u is above max_threads=%u\n",
		       nr_threads, max_threads);
		return -ERANGE;
	}
	if (ktd_parse_workload(workload, &wl)) {
		pr_err("workload=%s: not one of spin, sleep, block, pingpong\n",
		       workload);
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
	ktd_main.workload = wl;

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
