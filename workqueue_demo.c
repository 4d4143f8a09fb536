// SPDX-License-Identifier: GPL-2.0
/*
 * Deferred work, measured: the same workloads on a kthread per item, a
 * kthread_worker and every workqueue flavour, side by side.
 *
 * Each mechanism is one struct wqd_ops (the way kernel/rcu/refscale.c has
 * struct ref_scale_ops), and each benchmark is written once against it.
 * A run starts when its name is written to
 * /sys/kernel/debug/kthread_demo/bench/run; the figures land in
 * .../kthread_demo/compare (a table) and compare.csv, the latency
 * histograms in bench/hist.csv, and the run of the workqueue
 * documentation's example scenario in scenario and scenario.csv.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "ktd_stats.h"
#include "kthread_demo.h"
#include "workqueue_demo.h"
#include "ktd_trace.h"

#define WQD_MAX_SUB	16		/* most submitter threads in a run */
#define WQD_WARMUP	4		/* latency items not counted */
#define WQD_GAP_US	200		/* pause between latency samples */
#define WQD_SLICE	(HZ / 50)	/* how often long waits look up */

/* ---- mechanisms ------------------------------------------------------ */

struct wqd_mech {
	const struct wqd_ops *ops;
	struct workqueue_struct *wq;	/* workqueue flavours */
	struct kthread_worker *kw;	/* kthread_worker */
	unsigned int max_active;	/* 0: the workqueue default */
};

/**
 * struct wqd_ops - one way of running deferred work
 * @name: the mechanism's name in every file of the interface
 * @what: what it is, for the report's legend
 * @wq_flags: alloc_workqueue() flags, for the module's own queues
 * @own_queue: the module allocates the queue, so max_active applies
 * @ordered: runs its items one at a time, in queueing order
 * @init: set up the queue or worker
 * @cleanup: tear it down; every item is idle by then
 * @item_init: prepare an item (INIT_DELAYED_WORK and friends)
 * @queue: stamp t_submit, then queue the item (after @delay jiffies)
 * @flush: wait until a queued item has finished
 * @cancel: make sure the item is neither pending nor running; true if it
 *	was pending and now never runs
 * @cycle: one creation and teardown, the way this mechanism does it
 */
struct wqd_ops {
	const char *name;
	const char *what;
	unsigned int wq_flags;
	bool own_queue;
	bool ordered;
	int (*init)(struct wqd_mech *m);
	void (*cleanup)(struct wqd_mech *m);
	void (*item_init)(struct wqd_item *it);
	int (*queue)(struct wqd_item *it, unsigned long delay);
	void (*flush)(struct wqd_item *it);
	bool (*cancel)(struct wqd_item *it);
	int (*cycle)(struct wqd_mech *m);
};

static unsigned long wqd_loops_per_us = 1;	/* set once, at load time */

/* @n turns of an empty loop the compiler may not remove. */
static noinline void wqd_spin_loops(unsigned long n)
{
	while (n--)
		barrier();
}

/*
 * How many loop turns make a microsecond of CPU work here: the fastest of
 * a few timed tries with preemption off, so a spinning item does the same
 * work whether it has the CPU to itself or shares it.
 */
static void wqd_spin_calibrate(void)
{
	const unsigned long n = 1UL << 18;
	u64 t, best = U64_MAX;
	unsigned int i;

	for (i = 0; i < 5; i++) {
		preempt_disable();
		t = ktime_get_ns();
		wqd_spin_loops(n);
		t = ktime_get_ns() - t;
		preempt_enable();
		best = min(best, t);
	}
	wqd_loops_per_us = max_t(unsigned long, 1,
				 div64_u64((u64)n * NSEC_PER_USEC, best ?: 1));
}

/* @us of CPU work in short chunks, offering the CPU between them. */
static void wqd_spin(struct wqd_set *set, unsigned int us)
{
	unsigned long loops = us * wqd_loops_per_us, chunk;

	while (loops && !READ_ONCE(set->abort)) {
		chunk = min(loops, 20 * wqd_loops_per_us);
		wqd_spin_loops(chunk);
		loops -= chunk;
		cond_resched();
	}
}

/*
 * @ns of time on the CPU, as this kernel's clock sees it: spin in chunks,
 * offering the CPU between them, and count each turn of the loop in full
 * if the task kept the CPU all along, else only what the chunk is worth.
 * Time spent waiting for the CPU does not count, so two items burning
 * side by side on one CPU take twice as long, as in the workqueue
 * documentation. A virtual CPU that its host stalls cannot tell: the
 * stall counts as time on the CPU.
 */
static void wqd_burn(struct wqd_set *set, u64 ns)
{
	const unsigned long chunk = 20 * wqd_loops_per_us;
	u64 done = 0, last = ktime_get_ns(), now, t;
	unsigned long csw;

	while (done < ns && !READ_ONCE(set->abort)) {
		csw = current->nvcsw + current->nivcsw;
		wqd_spin_loops(chunk);
		cond_resched();
		now = ktime_get_ns();
		t = now - last;
		if (current->nvcsw + current->nivcsw != csw)
			t = min_t(u64, t, 20 * NSEC_PER_USEC);
		done += t;
		last = now;
	}
}

/*
 * A WQD_BODY_STEPS item: its steps in turn, each traced as it begins
 * (ktd_work_phase). The first sleep's start and end are kept.
 */
static void wqd_run_steps(struct wqd_item *it)
{
	struct wqd_set *set = it->set;
	const struct wqd_step *step;
	u64 ns;

	for (step = it->steps; step && step->units; step++) {
		if (READ_ONCE(set->abort))
			break;
		ns = (u64)step->units * set->arg * NSEC_PER_USEC;
		trace_ktd_work_phase(set->mech->ops->name, it->idx, step->sleep,
				     ns);
		if (!step->sleep) {
			wqd_burn(set, ns);
			continue;
		}
		if (!it->t_sleep)
			it->t_sleep = ktime_get_ns();
		wait_event_hrtimeout(set->abort_wq, READ_ONCE(set->abort),
				     ns_to_ktime(ns));
		if (!it->t_wake)
			it->t_wake = ktime_get_ns();
	}
}

/*
 * The handler every mechanism ends up in. The first instruction takes the
 * start time; the item's own fields are the only memory it writes besides
 * the set's two counters, so no lock is taken on the hot path.
 */
static void wqd_item_run(struct wqd_item *it)
{
	u64 now = ktime_get_ns();
	struct wqd_set *set = it->set;

	it->t_start = now;
	trace_ktd_work_start(set->mech->ops->name, it->idx, now - it->t_submit);
	it->pid = task_pid_nr(current);
	it->cpu = raw_smp_processor_id();
	it->seq = atomic_inc_return(&set->seq);
	switch (set->body) {
	case WQD_BODY_NONE:
		break;
	case WQD_BODY_SLEEP:
		wait_event_hrtimeout(set->abort_wq, READ_ONCE(set->abort),
				     ms_to_ktime(set->arg));
		break;
	case WQD_BODY_SPIN:
		/*
		 * CPU-bound, but polite the way long kernel loops must be:
		 * whether another item runs beside this one is up to the
		 * mechanism, not to the preemption model.
		 */
		wqd_spin(set, set->arg);
		break;
	case WQD_BODY_STEPS:
		wqd_run_steps(it);
		break;
	}
	it->t_end = ktime_get_ns();
	trace_ktd_work_finish(set->mech->ops->name, it->idx, it->t_end - now);
	/* An item runs once: stay done for every later flush and wait. */
	complete_all(&it->done);
	if (atomic_dec_and_test(&set->pending))
		complete_all(&set->all_done);
}

/* A kthread that idles until it is stopped. */
static int wqd_idle_fn(void *unused)
{
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* -- kthread: one thread per item -- */

static int wqd_kthread_fn(void *data)
{
	struct wqd_item *it = data;
	long left;

	/* A delayed item sleeps until its time, unless it is cancelled. */
	while (it->delay) {
		left = (long)(it->expires - jiffies);
		if (left <= 0)
			break;
		if (kthread_should_stop())
			return -ECANCELED;
		schedule_timeout_interruptible(left);
	}
	wqd_item_run(it);
	return 0;
}

static void wqd_kthread_item_init(struct wqd_item *it)
{
}

static int wqd_kthread_queue(struct wqd_item *it, unsigned long delay)
{
	struct task_struct *t;

	t = kthread_create(wqd_kthread_fn, it, "wqd-kt/%u", it->idx);
	if (IS_ERR(t))
		return PTR_ERR(t);
	/* It exits on its own; our reference keeps kthread_stop() valid. */
	get_task_struct(t);
	it->task = t;
	it->delay = delay;
	it->expires = jiffies + delay;
	it->t_submit = ktime_get_ns();
	wake_up_process(t);
	return 0;
}

static void wqd_kthread_flush(struct wqd_item *it)
{
	wait_for_completion(&it->done);
}

/* The one place an item's thread is stopped; it also clears the pointer. */
static bool wqd_kthread_cancel(struct wqd_item *it)
{
	int ret;

	if (!it->task)
		return false;
	ret = kthread_stop_put(it->task);
	it->task = NULL;
	/* -EINTR: stopped before it ever ran; -ECANCELED: during its delay */
	return ret == -EINTR || ret == -ECANCELED;
}

static int wqd_kthread_cycle(struct wqd_mech *m)
{
	struct task_struct *t = kthread_run(wqd_idle_fn, NULL, "wqd-cycle");

	if (IS_ERR(t))
		return PTR_ERR(t);
	kthread_stop(t);
	return 0;
}

static int wqd_nop_init(struct wqd_mech *m)
{
	return 0;
}

static void wqd_nop_cleanup(struct wqd_mech *m)
{
}

/* -- kthread_worker: one worker thread, items queued to it -- */

static void wqd_kwork_fn(struct kthread_work *work)
{
	wqd_item_run(container_of(work, struct wqd_item, kdwork.work));
}

static void wqd_nop_kwork_fn(struct kthread_work *work)
{
}

static int wqd_kw_init(struct wqd_mech *m)
{
	m->kw = kthread_create_worker(0, "wqd-worker");
	return PTR_ERR_OR_ZERO(m->kw);
}

static void wqd_kw_cleanup(struct wqd_mech *m)
{
	kthread_destroy_worker(m->kw);
}

static void wqd_kw_item_init(struct wqd_item *it)
{
	kthread_init_delayed_work(&it->kdwork, wqd_kwork_fn);
}

static int wqd_kw_queue(struct wqd_item *it, unsigned long delay)
{
	struct kthread_worker *kw = it->set->mech->kw;
	bool queued;

	it->delay = delay;
	it->t_submit = ktime_get_ns();
	if (delay)
		queued = kthread_queue_delayed_work(kw, &it->kdwork, delay);
	else
		queued = kthread_queue_work(kw, &it->kdwork.work);
	return queued ? 0 : -EBUSY;
}

/*
 * kthread_flush_work() must not see an item still on its timer: the flush
 * would be parked on the worker's delayed list and never run. Wait for the
 * handler instead, as a kthread would.
 */
static void wqd_kw_flush(struct wqd_item *it)
{
	if (it->delay)
		wait_for_completion(&it->done);
	else
		kthread_flush_work(&it->kdwork.work);
}

static bool wqd_kw_cancel(struct wqd_item *it)
{
	return kthread_cancel_delayed_work_sync(&it->kdwork);
}

static int wqd_kw_cycle(struct wqd_mech *m)
{
	struct kthread_worker *kw = kthread_create_worker(0, "wqd-cycle");
	struct kthread_work work;

	if (IS_ERR(kw))
		return PTR_ERR(kw);
	kthread_init_work(&work, wqd_nop_kwork_fn);
	kthread_queue_work(kw, &work);
	kthread_flush_work(&work);
	kthread_destroy_worker(kw);
	return 0;
}

/* -- workqueues: one ops table per flavour, the code shared -- */

static void wqd_work_fn(struct work_struct *work)
{
	wqd_item_run(container_of(to_delayed_work(work), struct wqd_item,
				  dwork));
}

static void wqd_nop_work_fn(struct work_struct *work)
{
}

static int wqd_wq_init(struct wqd_mech *m)
{
	m->wq = alloc_workqueue("wqd-%s", m->ops->wq_flags, m->max_active,
				m->ops->name);
	return m->wq ? 0 : -ENOMEM;
}

static int wqd_ordered_init(struct wqd_mech *m)
{
	m->wq = alloc_ordered_workqueue("wqd-%s", 0, m->ops->name);
	return m->wq ? 0 : -ENOMEM;
}

/* system_wq is shared: never flushed or destroyed, only our own items. */
static int wqd_system_init(struct wqd_mech *m)
{
	m->wq = system_wq;
	return 0;
}

static void wqd_wq_cleanup(struct wqd_mech *m)
{
	destroy_workqueue(m->wq);
}

static void wqd_wq_item_init(struct wqd_item *it)
{
	INIT_DELAYED_WORK(&it->dwork, wqd_work_fn);
}

static int wqd_wq_queue(struct wqd_item *it, unsigned long delay)
{
	struct workqueue_struct *wq = it->set->mech->wq;
	bool queued;

	it->delay = delay;
	it->t_submit = ktime_get_ns();
	if (delay)
		queued = queue_delayed_work(wq, &it->dwork, delay);
	else
		queued = queue_work(wq, &it->dwork.work);
	return queued ? 0 : -EBUSY;
}

/* An item still on its timer is queued at once, then waited for. */
static void wqd_wq_flush(struct wqd_item *it)
{
	flush_delayed_work(&it->dwork);
}

static bool wqd_wq_cancel(struct wqd_item *it)
{
	return cancel_delayed_work_sync(&it->dwork);
}

static int wqd_wq_cycle(struct wqd_mech *m)
{
	struct work_struct work;

	INIT_WORK_ONSTACK(&work, wqd_nop_work_fn);
	queue_work(m->wq, &work);
	flush_work(&work);
	destroy_work_on_stack(&work);
	return 0;
}

#define WQD_WQ_OPS(_name, _what, _flags, _own, _init, _cleanup)	\
	{								\
		.name = _name,						\
		.what = _what,						\
		.wq_flags = _flags,					\
		.own_queue = _own,					\
		.init = _init,						\
		.cleanup = _cleanup,					\
		.item_init = wqd_wq_item_init,				\
		.queue = wqd_wq_queue,					\
		.flush = wqd_wq_flush,					\
		.cancel = wqd_wq_cancel,				\
		.cycle = wqd_wq_cycle,					\
	}

/* The order of this table is the order of every report. */
static const struct wqd_ops wqd_mechs[WQD_NR_MECHS] = {
	{
		.name = "kthread",
		.what = "one kthread per item (kthread_create+wake_up_process)",
		.init = wqd_nop_init,
		.cleanup = wqd_nop_cleanup,
		.item_init = wqd_kthread_item_init,
		.queue = wqd_kthread_queue,
		.flush = wqd_kthread_flush,
		.cancel = wqd_kthread_cancel,
		.cycle = wqd_kthread_cycle,
	},
	{
		.name = "kthread_worker",
		.what = "one kthread_create_worker, kthread_queue_work",
		.ordered = true,
		.init = wqd_kw_init,
		.cleanup = wqd_kw_cleanup,
		.item_init = wqd_kw_item_init,
		.queue = wqd_kw_queue,
		.flush = wqd_kw_flush,
		.cancel = wqd_kw_cancel,
		.cycle = wqd_kw_cycle,
	},
	WQD_WQ_OPS("wq_percpu", "alloc_workqueue(0): bound, per-CPU pools",
		   0, true, wqd_wq_init, wqd_wq_cleanup),
	WQD_WQ_OPS("wq_unbound", "alloc_workqueue(WQ_UNBOUND)",
		   WQ_UNBOUND, true, wqd_wq_init, wqd_wq_cleanup),
	WQD_WQ_OPS("wq_highpri", "alloc_workqueue(WQ_HIGHPRI): nice -20 pools",
		   WQ_HIGHPRI, true, wqd_wq_init, wqd_wq_cleanup),
	WQD_WQ_OPS("wq_cpu_intensive",
		   "alloc_workqueue(WQ_CPU_INTENSIVE): not concurrency-managed",
		   WQ_CPU_INTENSIVE, true, wqd_wq_init, wqd_wq_cleanup),
	{
		.name = "wq_ordered",
		.what = "alloc_ordered_workqueue: one item at a time, in order",
		.ordered = true,
		.init = wqd_ordered_init,
		.cleanup = wqd_wq_cleanup,
		.item_init = wqd_wq_item_init,
		.queue = wqd_wq_queue,
		.flush = wqd_wq_flush,
		.cancel = wqd_wq_cancel,
		.cycle = wqd_wq_cycle,
	},
	WQD_WQ_OPS("system_wq", "the shared system_wq (never flushed)",
		   0, false, wqd_system_init, wqd_nop_cleanup),
};

const char *wqd_mech_name(unsigned int i)
{
	return i < WQD_NR_MECHS ? wqd_mechs[i].name : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(wqd_mech_name);

/* One line, rate-limited: users can write anything, and often. */
static void wqd_print_mechs(const char *bad)
{
	char names[160] = "";
	unsigned int i;

	for (i = 0; i < WQD_NR_MECHS; i++) {
		strlcat(names, i ? " " : "", sizeof(names));
		strlcat(names, wqd_mechs[i].name, sizeof(names));
	}
	pr_info_ratelimited("unknown mechanism '%.32s'; valid: %s\n", bad, names);
}

static int wqd_mech_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < WQD_NR_MECHS; i++)
		if (sysfs_streq(name, wqd_mechs[i].name))
			return i;
	return -EINVAL;
}

static struct wqd_mech *wqd_mech_create_idx(unsigned int i,
					    unsigned int max_active)
{
	struct wqd_mech *m;
	int err;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->ops = &wqd_mechs[i];
	m->max_active = m->ops->own_queue ? max_active : 0;
	err = m->ops->init(m);
	if (err) {
		kfree(m);
		return ERR_PTR(err);
	}
	return m;
}

/**
 * wqd_mech_create - set up one mechanism
 * @name: its name, as in the interface ("kthread", "wq_unbound", ...)
 * @max_active: for the module's own queues; 0 for the default
 *
 * Return: the mechanism, ERR_PTR(-EINVAL) for an unknown name (the valid
 * ones go to the kernel log), or the error from creating it.
 */
struct wqd_mech *wqd_mech_create(const char *name, unsigned int max_active)
{
	int i = wqd_mech_index(name);

	if (i < 0) {
		wqd_print_mechs(name);
		return ERR_PTR(i);
	}
	return wqd_mech_create_idx(i, max_active);
}
EXPORT_SYMBOL_IF_KUNIT(wqd_mech_create);

/* Every set on @m must have been destroyed first. */
void wqd_mech_destroy(struct wqd_mech *m)
{
	m->ops->cleanup(m);
	kfree(m);
}
EXPORT_SYMBOL_IF_KUNIT(wqd_mech_destroy);

bool wqd_mech_ordered(const struct wqd_mech *m)
{
	return m->ops->ordered;
}
EXPORT_SYMBOL_IF_KUNIT(wqd_mech_ordered);

/* ---- item sets ------------------------------------------------------- */

/**
 * wqd_set_create - @nr idle items for mechanism @m
 * @m: the mechanism
 * @nr: how many items, at least one
 * @body: what each handler does
 * @arg: ms to sleep, us to spin, or us a step's unit lasts
 *
 * Return: the set, or ERR_PTR(-EINVAL / -ENOMEM).
 */
struct wqd_set *wqd_set_create(struct wqd_mech *m, unsigned int nr,
			       enum wqd_body body, unsigned int arg)
{
	struct wqd_set *set;
	unsigned int i;

	if (!nr)
		return ERR_PTR(-EINVAL);
	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (!set)
		return ERR_PTR(-ENOMEM);
	set->items = kvcalloc(nr, sizeof(*set->items), GFP_KERNEL);
	if (!set->items) {
		kfree(set);
		return ERR_PTR(-ENOMEM);
	}
	set->mech = m;
	set->nr = nr;
	set->body = body;
	set->arg = arg;
	atomic_set(&set->pending, nr);
	atomic_set(&set->seq, 0);
	init_completion(&set->all_done);
	init_waitqueue_head(&set->abort_wq);
	for (i = 0; i < nr; i++) {
		struct wqd_item *it = &set->items[i];

		it->set = set;
		it->idx = i;
		init_completion(&it->done);
		m->ops->item_init(it);
	}
	return set;
}
EXPORT_SYMBOL_IF_KUNIT(wqd_set_create);

/* Sleeping and spinning bodies return early; submitters stop. */
void wqd_set_abort(struct wqd_set *set)
{
	WRITE_ONCE(set->abort, true);
	wake_up_all(&set->abort_wq);
}
EXPORT_SYMBOL_IF_KUNIT(wqd_set_abort);

/*
 * Cancel every item, which also waits for any still running, then free the
 * set: after this no item, timer or thread of the set is left.
 */
void wqd_set_destroy(struct wqd_set *set)
{
	const struct wqd_ops *ops = set->mech->ops;
	unsigned int i;

	wqd_set_abort(set);
	for (i = 0; i < set->nr; i++)
		ops->cancel(&set->items[i]);
	kvfree(set->items);
	kfree(set);
}
EXPORT_SYMBOL_IF_KUNIT(wqd_set_destroy);

/* Wait up to @timeout jiffies for every handler. Return: 0 or -ETIMEDOUT. */
int wqd_set_wait(struct wqd_set *set, unsigned long timeout)
{
	return wait_for_completion_timeout(&set->all_done, timeout) ?
	       0 : -ETIMEDOUT;
}
EXPORT_SYMBOL_IF_KUNIT(wqd_set_wait);

/**
 * wqd_item_queue - submit an item once
 * @it: the item
 * @delay: jiffies to wait first (the timer path), or 0
 *
 * Return: 0, -EBUSY if it was queued before, or the creation error.
 */
int wqd_item_queue(struct wqd_item *it, unsigned long delay)
{
	int err;

	if (it->queued)
		return -EBUSY;
	it->queued = true;
	trace_ktd_work_queued(it->set->mech->ops->name, it->idx, ktime_get_ns());
	err = it->set->mech->ops->queue(it, delay);
	if (err)
		it->queued = false;
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(wqd_item_queue);

/* Wait up to @timeout jiffies for one handler. Return: 0 or -ETIMEDOUT. */
int wqd_item_wait(struct wqd_item *it, unsigned long timeout)
{
	return wait_for_completion_timeout(&it->done, timeout) ?
	       0 : -ETIMEDOUT;
}
EXPORT_SYMBOL_IF_KUNIT(wqd_item_wait);

/**
 * wqd_item_flush - wait until a queued item has finished
 * @it: the item
 *
 * Return: false if there was nothing to wait for (never queued, cancelled,
 * or already finished), true after waiting for the handler.
 */
bool wqd_item_flush(struct wqd_item *it)
{
	if (!it->queued || completion_done(&it->done))
		return false;
	it->set->mech->ops->flush(it);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(wqd_item_flush);

/**
 * wqd_item_cancel - take an item back
 * @it: the item
 *
 * On return the item is neither pending nor running.
 *
 * Return: true if it was pending and now never runs.
 */
bool wqd_item_cancel(struct wqd_item *it)
{
	bool cancelled = it->set->mech->ops->cancel(it);

	if (cancelled)
		it->queued = false;
	return cancelled;
}
EXPORT_SYMBOL_IF_KUNIT(wqd_item_cancel);

/* ---- report arithmetic ------------------------------------------------ */

/* Items per second for @n items in @ns nanoseconds; 0 if @ns is 0. */
u64 wqd_rate(u64 n, u64 ns)
{
	return ns ? div64_u64(n * NSEC_PER_SEC, ns) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(wqd_rate);

/*
 * @v / @base, rounded: "0.52", "12.3" or "123"; "-" without a base.
 */
void wqd_ratio_fmt(char *buf, size_t size, u64 v, u64 base)
{
	u64 r;

	if (!base) {
		strscpy(buf, "-", size);
		return;
	}
	r = div64_u64(v * 100 + base / 2, base);
	if (r < 1000) {
		snprintf(buf, size, "%u.%02u", (unsigned int)r / 100,
			 (unsigned int)r % 100);
	} else if (r < 10000) {
		r = (r + 5) / 10;
		snprintf(buf, size, "%u.%u", (unsigned int)r / 10,
			 (unsigned int)r % 10);
	} else {
		snprintf(buf, size, "%llu", div_u64(r + 50, 100));
	}
}
EXPORT_SYMBOL_IF_KUNIT(wqd_ratio_fmt);

/* Distinct tasks (@cpu false) or CPUs among the items that ran. */
static unsigned int wqd_distinct(const struct wqd_item *items,
				 unsigned int n, bool cpu)
{
	unsigned int i, j, d = 0;

	for (i = 0; i < n; i++) {
		int key = cpu ? items[i].cpu : items[i].pid;

		if (!items[i].t_start)
			continue;
		for (j = 0; j < i; j++)
			if (items[j].t_start &&
			    key == (cpu ? items[j].cpu : items[j].pid))
				break;
		if (j == i)
			d++;
	}
	return d;
}

unsigned int wqd_distinct_tasks(const struct wqd_item *items, unsigned int n)
{
	return wqd_distinct(items, n, false);
}
EXPORT_SYMBOL_IF_KUNIT(wqd_distinct_tasks);

unsigned int wqd_distinct_cpus(const struct wqd_item *items, unsigned int n)
{
	return wqd_distinct(items, n, true);
}
EXPORT_SYMBOL_IF_KUNIT(wqd_distinct_cpus);

/* Most handlers running at one instant, from [t_start, t_end). */
unsigned int wqd_peak_concurrency(const struct wqd_item *items,
				  unsigned int n)
{
	unsigned int i, j, c, peak = 0;

	for (i = 0; i < n; i++) {
		u64 t = items[i].t_start;

		if (!t)
			continue;
		for (c = 0, j = 0; j < n; j++)
			if (j == i || (items[j].t_start &&
				       items[j].t_start <= t &&
				       t < items[j].t_end))
				c++;
		peak = max(peak, c);
	}
	return peak;
}
EXPORT_SYMBOL_IF_KUNIT(wqd_peak_concurrency);

/**
 * wqd_ms_fmt - nanoseconds as milliseconds with one decimal
 * @buf: where to write
 * @size: its size
 * @ns: the time
 * @sign: write "+" before a positive time (for differences)
 *
 * Rounded to the nearest tenth: "25.8", "+0.9", "-1.2", "0.0".
 */
void wqd_ms_fmt(char *buf, size_t size, s64 ns, bool sign)
{
	u64 tenths = div_u64((ns < 0 ? -(u64)ns : (u64)ns) + 50000, 100000);
	const char *pre = "";
	u32 rem;
	u64 ms;

	if (tenths && ns < 0)
		pre = "-";
	else if (sign)
		pre = "+";
	ms = div_u64_rem(tenths, 10, &rem);
	snprintf(buf, size, "%s%llu.%u", pre, ms, rem);
}
EXPORT_SYMBOL_IF_KUNIT(wqd_ms_fmt);

/**
 * wqd_scen_summarise - what a scenario run's items add up to
 * @r: the result; its items' pid, start and end are read
 *
 * Fills in @r->done (the last end), @r->workers (distinct tasks),
 * @r->peak (most items running at one instant, from [start, end)) and
 * @r->overlaps: WQD_SCEN_PAIR(a, b) for each pair of items that ran at
 * the same time for a while (touching ends are no overlap).
 */
void wqd_scen_summarise(struct wqd_scen_result *r)
{
	const struct wqd_scen_item *it = r->item;
	unsigned int a, b, c;

	r->done = 0;
	r->workers = 0;
	r->peak = 0;
	r->overlaps = 0;
	for (a = 0; a < WQD_SCEN_ITEMS; a++) {
		r->done = max(r->done, it[a].end);
		for (b = 0; b < a; b++)
			if (it[b].pid == it[a].pid)
				break;
		if (b == a)
			r->workers++;
		for (c = 0, b = 0; b < WQD_SCEN_ITEMS; b++)
			if (b == a || (it[b].start <= it[a].start &&
				       it[a].start < it[b].end))
				c++;
		r->peak = max(r->peak, c);
		for (b = a + 1; b < WQD_SCEN_ITEMS; b++)
			if (max(it[a].start, it[b].start) <
			    min(it[a].end, it[b].end))
				r->overlaps |= WQD_SCEN_PAIR(a, b);
	}
}
EXPORT_SYMBOL_IF_KUNIT(wqd_scen_summarise);

static u64 wqd_last_end(const struct wqd_item *items, unsigned int n)
{
	u64 t = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		t = max(t, items[i].t_end);
	return t;
}

/* ---- parameters, results and run state -------------------------------- */

enum wqd_param_id {
	WQD_P_LAT_ITEMS, WQD_P_TPUT_ITEMS, WQD_P_SUBMITTERS, WQD_P_BLK_ITEMS,
	WQD_P_SLEEP_MS, WQD_P_MAX_ACTIVE, WQD_P_LIMIT_ACTIVE, WQD_P_CPU_ITEMS,
	WQD_P_SPIN_US, WQD_P_CREATE_LOOPS, WQD_P_DELAY_ITEMS, WQD_P_DELAY_MS,
	WQD_P_SCEN_UNIT_US, WQD_P_TIMEOUT_S, WQD_NR_PARAMS
};

/* One file each under bench/; writes outside [min, max] get -ERANGE. */
static const struct wqd_param {
	const char *name;
	unsigned int min, max, def;
} wqd_params[WQD_NR_PARAMS] = {
	[WQD_P_LAT_ITEMS]	= { "lat_items",	1, 10000, 200 },
	[WQD_P_TPUT_ITEMS]	= { "tput_items",	1, 10000, 500 },
	/* 0: one submitter per online CPU, at most WQD_MAX_SUB */
	[WQD_P_SUBMITTERS]	= { "submitters",	0, WQD_MAX_SUB, 0 },
	[WQD_P_BLK_ITEMS]	= { "blk_items",	1, 512, 16 },
	[WQD_P_SLEEP_MS]	= { "sleep_ms",		1, 1000, 20 },
	/* 0: the workqueue default */
	[WQD_P_MAX_ACTIVE]	= { "max_active",	0, 512, 0 },
	[WQD_P_LIMIT_ACTIVE]	= { "limit_active",	1, 512, 2 },
	[WQD_P_CPU_ITEMS]	= { "cpu_items",	1, 256, 8 },
	[WQD_P_SPIN_US]		= { "spin_us",		1, 100000, 20000 },
	[WQD_P_CREATE_LOOPS]	= { "create_loops",	1, 10000, 100 },
	[WQD_P_DELAY_ITEMS]	= { "delay_items",	1, 1000, 20 },
	[WQD_P_DELAY_MS]	= { "delay_ms",		1, 1000, 10 },
	/* the scenario's unit: the documentation's 5 ms by default */
	[WQD_P_SCEN_UNIT_US]	= { "scen_unit_us",	100, 100000, 5000 },
	[WQD_P_TIMEOUT_S]	= { "timeout_s",	1, 600, 60 },
};

enum wqd_metric_id {
	WQD_M_LAT_P50, WQD_M_LAT_P99, WQD_M_CREATE, WQD_M_TPUT_1, WQD_M_TPUT_N,
	WQD_M_BLOCK, WQD_M_BLOCK_TASKS, WQD_M_BLOCK_LIM, WQD_M_BLOCK_LIM_TASKS,
	WQD_M_CPU, WQD_M_CPU_CONC, WQD_M_CPU_CPUS, WQD_M_CPU_PROBE,
	WQD_M_LATE_P50,
	WQD_M_LATE_P99, WQD_NR_METRICS
};

/* Values are kept in ns or plain counts and shown divided by @div. */
static const struct wqd_metric {
	const char *name;
	u64 div;
} wqd_metrics[WQD_NR_METRICS] = {
	[WQD_M_LAT_P50]		= { "lat_p50_ns", 1 },
	[WQD_M_LAT_P99]		= { "lat_p99_ns", 1 },
	[WQD_M_CREATE]		= { "create_ns", 1 },
	[WQD_M_TPUT_1]		= { "tput_1_per_s", 1 },
	[WQD_M_TPUT_N]		= { "tput_n_per_s", 1 },
	[WQD_M_BLOCK]		= { "block_ms", NSEC_PER_MSEC },
	[WQD_M_BLOCK_TASKS]	= { "block_tasks", 1 },
	[WQD_M_BLOCK_LIM]	= { "block_lim_ms", NSEC_PER_MSEC },
	[WQD_M_BLOCK_LIM_TASKS]	= { "block_lim_tasks", 1 },
	[WQD_M_CPU]		= { "cpu_ms", NSEC_PER_MSEC },
	[WQD_M_CPU_CONC]	= { "cpu_conc", 1 },
	[WQD_M_CPU_CPUS]	= { "cpu_cpus", 1 },
	[WQD_M_CPU_PROBE]	= { "cpu_probe_us", NSEC_PER_USEC },
	[WQD_M_LATE_P50]	= { "late_p50_us", NSEC_PER_USEC },
	[WQD_M_LATE_P99]	= { "late_p99_us", NSEC_PER_USEC },
};

enum wqd_hist_id { WQD_H_LAT, WQD_H_LATE, WQD_NR_HISTS };
static const char *const wqd_hist_names[WQD_NR_HISTS] = {
	[WQD_H_LAT] = "dispatch_latency",
	[WQD_H_LATE] = "timer_lateness",
};

struct wqd_result {
	unsigned long valid;			/* bit per metric */
	u64 val[WQD_NR_METRICS];
	u64 tput[WQD_MAX_SUB];			/* [s - 1]: s submitters */
	struct ktd_hist hist[WQD_NR_HISTS];
};

enum wqd_state {
	WQD_IDLE, WQD_RUNNING, WQD_DONE, WQD_INTERRUPTED, WQD_TIMEOUT,
	WQD_FAILED
};

static const char *const wqd_state_names[] = {
	[WQD_IDLE] = "idle",
	[WQD_RUNNING] = "running",
	[WQD_DONE] = "done",
	[WQD_INTERRUPTED] = "interrupted",
	[WQD_TIMEOUT] = "timeout",
	[WQD_FAILED] = "failed",
};

/* What one run was asked to do, fixed when it starts. */
struct wqd_run {
	unsigned int p[WQD_NR_PARAMS];
	unsigned long mechs;		/* bit per mechanism */
	unsigned long benches;		/* bit per benchmark */
	const char *name;		/* what was written to bench/run */
	unsigned int nr_sub;		/* most submitters in throughput */
	u64 t_begin, t_end, deadline;	/* ns */
	int cur_bench, cur_mech;	/* what runs now, -1 for nothing */
	enum wqd_state state;
	int err;
};

static DEFINE_MUTEX(wqd_lock);	/* guards everything below */
static unsigned int wqd_param_val[WQD_NR_PARAMS];
static unsigned long wqd_mech_mask = GENMASK(WQD_NR_MECHS - 1, 0);
static struct wqd_run wqd_run;
static struct wqd_result wqd_results[WQD_NR_MECHS];
static struct task_struct *wqd_runner;	/* our reference, until reaped */

static bool wqd_stop_req;		/* "stop" or rmmod: end the run now */
static struct dentry *wqd_bench_dir, *wqd_compare, *wqd_compare_csv;
static struct dentry *wqd_scenario, *wqd_scenario_csv;

/*
 * The scenario of Documentation/core-api/workqueue.rst, "Example Execution
 * Scenarios", in units (5 ms there): w0 burns the CPU for one, sleeps two,
 * burns one; w1 and w2 burn one and sleep two.
 */
static const struct wqd_step wqd_scen_w0[] = {
	{ .units = 1 }, { .sleep = true, .units = 2 }, { .units = 1 }, { }
};

static const struct wqd_step wqd_scen_w12[] = {
	{ .units = 1 }, { .sleep = true, .units = 2 }, { }
};

/**
 * struct wqd_scen_doc - a timeline the documentation draws
 * @name: which configuration it is, in the report
 * @item: when w0, w1 and w2 start and end, in units
 * @done: when all are done, in units
 */
struct wqd_scen_doc {
	const char *name;
	u8 item[WQD_SCEN_ITEMS][2];
	u8 done;
};

/* The original workqueue: one worker per CPU, one item at a time. */
static const struct wqd_scen_doc wqd_doc_serial = {
	"original", { { 0, 4 }, { 4, 7 }, { 7, 10 } }, 10
};

/* cmwq, max_active >= 3: a new worker each time the running one sleeps. */
static const struct wqd_scen_doc wqd_doc_cmwq3 = {
	"cmwq>=3", { { 0, 4 }, { 1, 4 }, { 2, 5 } }, 5
};

/* cmwq, max_active == 2: w2 waits until w0 or w1 is done. */
static const struct wqd_scen_doc wqd_doc_cmwq2 = {
	"cmwq=2", { { 0, 4 }, { 1, 4 }, { 4, 7 } }, 7
};

/* w1 and w2 on a WQ_CPU_INTENSIVE queue: both start once w0 sleeps. */
static const struct wqd_scen_doc wqd_doc_cpu_int = {
	"cpu_int", { { 0, 4 }, { 1, 4 }, { 1, 5 } }, 5
};

/**
 * struct wqd_scen_cfg - one configuration the scenario runs on
 * @name: its name in the report and in the ktd_scenario trace event
 * @mech: the mechanism that runs w1 and w2, and w0 unless @w0_mech is set
 * @w0_mech: the mechanism that runs w0 if it is another one, else NULL
 * @max_active: for the module's own queues; 0 for the default
 * @doc: the documentation's timeline for it; NULL if it has none
 */
struct wqd_scen_cfg {
	const char *name;
	const char *mech;
	const char *w0_mech;
	unsigned int max_active;
	const struct wqd_scen_doc *doc;
};

/* The order of this table is the order of the report. */
static const struct wqd_scen_cfg wqd_scen_cfgs[] = {
	{ "kthread", "kthread", NULL, 0, NULL },
	{ "kthread_worker", "kthread_worker", NULL, 0, &wqd_doc_serial },
	{ "wq_percpu-ma3", "wq_percpu", NULL, 3, &wqd_doc_cmwq3 },
	{ "wq_percpu-ma2", "wq_percpu", NULL, 2, &wqd_doc_cmwq2 },
	{ "wq_unbound", "wq_unbound", NULL, 0, NULL },
	{ "wq_highpri", "wq_highpri", NULL, 0, &wqd_doc_cmwq3 },
	{ "wq_cpu_intensive", "wq_cpu_intensive", "wq_percpu", 0,
	  &wqd_doc_cpu_int },
	{ "wq_ordered", "wq_ordered", NULL, 0, &wqd_doc_serial },
	{ "system_wq", "system_wq", NULL, 0, &wqd_doc_cmwq3 },
};

#define WQD_NR_SCEN	ARRAY_SIZE(wqd_scen_cfgs)

static struct wqd_scen_result wqd_scen_results[WQD_NR_SCEN]; /* wqd_lock */

static void wqd_publish(unsigned int mi, unsigned int metric, u64 v)
{
	mutex_lock(&wqd_lock);
	wqd_results[mi].val[metric] = v;
	__set_bit(metric, &wqd_results[mi].valid);
	mutex_unlock(&wqd_lock);
}

/* ---- running a benchmark ---------------------------------------------- */

struct wqd_cell;

struct wqd_submitter {
	struct task_struct *task;	/* our reference */
	struct wqd_cell *cell;
	unsigned int first, last;	/* items [first, last) */
	unsigned int cpu;		/* where it was placed */
};

/* How one benchmark drives one mechanism. */
struct wqd_load {
	unsigned int nr;		/* items */
	unsigned int submitters;	/* threads queueing them, one per CPU */
	bool serial;			/* wait for each item before the next */
	unsigned long delay;		/* jiffies; 0: queue at once */
	enum wqd_body body;
	unsigned int arg;
	unsigned int max_active;
	bool probe;			/* then queue a probe on system_wq */
};

/* One benchmark on one mechanism: the runner's scratch space. */
struct wqd_cell {
	const struct wqd_load *load;
	struct wqd_mech *mech;
	struct wqd_set *set;
	struct wqd_submitter sub[WQD_MAX_SUB];
	unsigned int nr_sub;
	atomic_t ready;			/* submitters at the gate */
	struct completion gate;		/* opened once, for all of them */
	u64 t0;				/* ns, when the gate opened */
	struct ktd_hist hist;
	/* An empty system_wq item queued on the hogs' CPU right after them. */
	struct work_struct probe;
	struct completion probe_done;
	u64 probe_submit, probe_start;
};

static void wqd_probe_fn(struct work_struct *work)
{
	struct wqd_cell *cell = container_of(work, struct wqd_cell, probe);

	cell->probe_start = ktime_get_ns();
	complete_all(&cell->probe_done);
}

/* Bounded wait for @c in a submitter: gives up once the set is aborted. */
static void wqd_sub_wait(struct wqd_set *set, struct completion *c)
{
	while (!wait_for_completion_timeout(c, WQD_SLICE))
		if (READ_ONCE(set->abort))
			return;
}

/*
 * Queue @it from @cpu, the CPU its submitter was bound to, or refuse.
 * Placing a submitter under cpus_read_lock() keeps its CPU until it is
 * woken, but not for the whole run: when that CPU goes offline, the
 * scheduler moves the thread to another one without a word, and what it
 * queues from there lands in that CPU's pool. The results would then
 * describe a placement that did not happen, so -EBUSY ends the run.
 */
static int wqd_queue_on(struct wqd_item *it, unsigned long delay,
			unsigned int cpu)
{
	unsigned int now;
	int err;

	migrate_disable();
	now = raw_smp_processor_id();
	err = now == cpu ? wqd_item_queue(it, delay) : -EBUSY;
	migrate_enable();
	if (now != cpu)
		pr_warn_ratelimited("submitter for CPU %u runs on CPU %u: CPU %u went offline during the run\n",
				    cpu, now, cpu);
	return err;
}

static int wqd_submit_fn(void *data)
{
	struct wqd_submitter *sub = data;
	struct wqd_cell *cell = sub->cell;
	const struct wqd_load *load = cell->load;
	struct wqd_set *set = cell->set;
	unsigned int i;
	int err;

	atomic_inc(&cell->ready);
	wqd_sub_wait(set, &cell->gate);
	for (i = sub->first; i < sub->last && !READ_ONCE(set->abort); i++) {
		struct wqd_item *it = &set->items[i];

		err = wqd_queue_on(it, load->delay, sub->cpu);
		if (err) {
			cmpxchg(&set->error, 0, err);
			wqd_set_abort(set);
			break;
		}
		if (load->serial) {
			wqd_sub_wait(set, &it->done);
			fsleep(WQD_GAP_US);
		}
	}
	if (load->probe && !READ_ONCE(set->abort)) {
		cell->probe_submit = ktime_get_ns();
		queue_work(system_wq, &cell->probe);
	}
	return 0;
}

/* 0 while the run may go on; why it must end otherwise. */
static int wqd_run_check(void)
{
	if (READ_ONCE(wqd_stop_req) || kthread_should_stop())
		return -EINTR;
	if (ktime_get_ns() > wqd_run.deadline)
		return -ETIMEDOUT;
	return 0;
}

static int wqd_cell_wait(struct wqd_set *set, struct completion *c)
{
	int err;

	while (!wait_for_completion_timeout(c, WQD_SLICE)) {
		if (READ_ONCE(set->abort))
			return READ_ONCE(set->error) ?: -EINTR;
		err = wqd_run_check();
		if (err)
			return err;
	}
	return 0;
}

/*
 * Run @load on mechanism @mi: create the mechanism, the items and the
 * submitters (each bound to a CPU), let them all go at once and wait,
 * bounded, for every handler. wqd_cell_end() undoes it all, whatever the
 * outcome.
 */
static int wqd_cell_run(struct wqd_cell *cell, unsigned int mi,
			const struct wqd_load *load)
{
	unsigned int s, per;
	int err = 0;

	memset(cell, 0, sizeof(*cell));
	cell->load = load;
	atomic_set(&cell->ready, 0);
	init_completion(&cell->gate);
	INIT_WORK(&cell->probe, wqd_probe_fn);
	init_completion(&cell->probe_done);
	cell->mech = wqd_mech_create_idx(mi, load->max_active);
	if (IS_ERR(cell->mech)) {
		err = PTR_ERR(cell->mech);
		cell->mech = NULL;
		return err;
	}
	cell->set = wqd_set_create(cell->mech, load->nr, load->body, load->arg);
	if (IS_ERR(cell->set)) {
		err = PTR_ERR(cell->set);
		cell->set = NULL;
		return err;
	}

	per = DIV_ROUND_UP(load->nr, load->submitters);
	/*
	 * Place and start the submitters with CPU hotplug held off: a CPU
	 * that went offline between cpumask_local_spread() and the wake-up
	 * would leave its submitter unbound without a word. A CPU that goes
	 * offline later is caught by wqd_queue_on().
	 */
	cpus_read_lock();
	for (s = 0; s < load->submitters; s++) {
		struct wqd_submitter *sub = &cell->sub[s];
		struct task_struct *t;

		sub->cell = cell;
		sub->first = min(s * per, load->nr);
		sub->last = min(sub->first + per, load->nr);
		sub->cpu = cpumask_local_spread(s, NUMA_NO_NODE);
		t = kthread_create_on_cpu(wqd_submit_fn, sub, sub->cpu,
					  "wqd-sub/%u");
		if (IS_ERR(t)) {
			err = PTR_ERR(t);
			break;
		}
		get_task_struct(t);
		sub->task = t;
		cell->nr_sub++;
		wake_up_process(t);
	}
	cpus_read_unlock();
	while (!err && atomic_read(&cell->ready) < cell->nr_sub) {
		err = wqd_run_check();
		if (!err)
			schedule_timeout_uninterruptible(1);
	}
	if (err)
		wqd_set_abort(cell->set);
	cell->t0 = ktime_get_ns();
	complete_all(&cell->gate);
	if (!err)
		err = wqd_cell_wait(cell->set, &cell->set->all_done);
	if (!err && load->probe)
		err = wqd_cell_wait(cell->set, &cell->probe_done);
	if (err)
		wqd_set_abort(cell->set);
	return err;
}

static void wqd_cell_end(struct wqd_cell *cell)
{
	unsigned int s;

	for (s = 0; s < cell->nr_sub; s++) {
		kthread_stop_put(cell->sub[s].task);
		cell->sub[s].task = NULL;
	}
	/* One item of our own: cancelled, never a flush of system_wq. */
	cancel_work_sync(&cell->probe);
	if (cell->set)
		wqd_set_destroy(cell->set);
	if (cell->mech)
		wqd_mech_destroy(cell->mech);
	cell->set = NULL;
	cell->mech = NULL;
}

static void wqd_load_init(struct wqd_load *load, unsigned int nr)
{
	memset(load, 0, sizeof(*load));
	load->nr = nr;
	load->submitters = 1;
	load->max_active = wqd_run.p[WQD_P_MAX_ACTIVE];
}

/* Hand a histogram over to the readers. */
static void wqd_publish_hist(unsigned int mi, unsigned int h,
			     const struct ktd_hist *hist, unsigned int p50,
			     unsigned int p99)
{
	wqd_publish(mi, p50, ktd_hist_percentile(hist, 500));
	wqd_publish(mi, p99, ktd_hist_percentile(hist, 990));
	mutex_lock(&wqd_lock);
	wqd_results[mi].hist[h] = *hist;
	mutex_unlock(&wqd_lock);
}

/* (1) Dispatch latency: queue or wake call to the handler's first line. */
static int wqd_bench_latency(struct wqd_cell *cell, unsigned int mi)
{
	struct wqd_load load;
	unsigned int i;
	int err;

	wqd_load_init(&load, wqd_run.p[WQD_P_LAT_ITEMS] + WQD_WARMUP);
	load.serial = true;
	err = wqd_cell_run(cell, mi, &load);
	if (!err) {
		ktd_hist_init(&cell->hist);
		for (i = WQD_WARMUP; i < load.nr; i++) {
			struct wqd_item *it = &cell->set->items[i];

			ktd_hist_add(&cell->hist, it->t_start - it->t_submit);
		}
		wqd_publish_hist(mi, WQD_H_LAT, &cell->hist, WQD_M_LAT_P50,
				 WQD_M_LAT_P99);
	}
	wqd_cell_end(cell);
	return err;
}

/* (2) Creation and teardown: kthread_run+stop, work+flush, worker. */
static int wqd_bench_create(struct wqd_cell *cell, unsigned int mi)
{
	unsigned int i, loops = wqd_run.p[WQD_P_CREATE_LOOPS];
	struct wqd_mech *m;
	u64 t0;
	int err = 0;

	m = wqd_mech_create_idx(mi, wqd_run.p[WQD_P_MAX_ACTIVE]);
	if (IS_ERR(m))
		return PTR_ERR(m);
	t0 = ktime_get_ns();
	for (i = 0; i < loops && !err; i++) {
		err = m->ops->cycle(m);
		if (!err)
			err = wqd_run_check();
	}
	if (!err)
		wqd_publish(mi, WQD_M_CREATE, div_u64(ktime_get_ns() - t0, loops));
	wqd_mech_destroy(m);
	return err;
}

/* (3) Throughput: N empty items from 1, 2, ... nr_sub submitters. */
static int wqd_bench_throughput(struct wqd_cell *cell, unsigned int mi)
{
	struct wqd_load load;
	unsigned int s;
	int err = 0;

	wqd_load_init(&load, wqd_run.p[WQD_P_TPUT_ITEMS]);
	for (s = 1; s <= wqd_run.nr_sub && !err; s++) {
		u64 rate;

		load.submitters = s;
		err = wqd_cell_run(cell, mi, &load);
		if (!err) {
			rate = wqd_rate(load.nr, wqd_last_end(cell->set->items,
							      load.nr) - cell->t0);
			mutex_lock(&wqd_lock);
			wqd_results[mi].tput[s - 1] = rate;
			mutex_unlock(&wqd_lock);
			if (s == 1)
				wqd_publish(mi, WQD_M_TPUT_1, rate);
			if (s == wqd_run.nr_sub)
				wqd_publish(mi, WQD_M_TPUT_N, rate);
		}
		wqd_cell_end(cell);
	}
	return err;
}

/*
 * (4) Blocking items: M items that each sleep T ms, queued from one CPU,
 * first with max_active, then with limit_active.
 */
static int wqd_bench_blocking(struct wqd_cell *cell, unsigned int mi)
{
	static const unsigned int metric[2][2] = {
		{ WQD_M_BLOCK, WQD_M_BLOCK_TASKS },
		{ WQD_M_BLOCK_LIM, WQD_M_BLOCK_LIM_TASKS },
	};
	struct wqd_load load;
	unsigned int pass;
	int err = 0;

	wqd_load_init(&load, wqd_run.p[WQD_P_BLK_ITEMS]);
	load.body = WQD_BODY_SLEEP;
	load.arg = wqd_run.p[WQD_P_SLEEP_MS];
	for (pass = 0; pass < 2 && !err; pass++) {
		if (pass)
			load.max_active = wqd_run.p[WQD_P_LIMIT_ACTIVE];
		err = wqd_cell_run(cell, mi, &load);
		if (!err) {
			struct wqd_item *items = cell->set->items;

			wqd_publish(mi, metric[pass][0],
				    wqd_last_end(items, load.nr) - cell->t0);
			wqd_publish(mi, metric[pass][1],
				    wqd_distinct_tasks(items, load.nr));
		}
		wqd_cell_end(cell);
	}
	return err;
}

/*
 * (5) CPU-bound items: C items of S us of CPU work each, queued from one
 * CPU, then an empty probe item on system_wq from that CPU. On a bound,
 * concurrency-managed queue the hogs run one at a time and the probe waits
 * behind them in the CPU's shared pool; WQ_CPU_INTENSIVE (or, from 6.5, a
 * hog past workqueue.cpu_intensive_thresh_us) lets other work through.
 */
static int wqd_bench_cpu(struct wqd_cell *cell, unsigned int mi)
{
	struct wqd_load load;
	int err;

	wqd_load_init(&load, wqd_run.p[WQD_P_CPU_ITEMS]);
	load.body = WQD_BODY_SPIN;
	load.arg = wqd_run.p[WQD_P_SPIN_US];
	load.probe = true;
	err = wqd_cell_run(cell, mi, &load);
	if (!err) {
		struct wqd_item *items = cell->set->items;

		wqd_publish(mi, WQD_M_CPU,
			    wqd_last_end(items, load.nr) - cell->t0);
		wqd_publish(mi, WQD_M_CPU_CONC,
			    wqd_peak_concurrency(items, load.nr));
		wqd_publish(mi, WQD_M_CPU_CPUS,
			    wqd_distinct_cpus(items, load.nr));
		wqd_publish(mi, WQD_M_CPU_PROBE,
			    cell->probe_start - cell->probe_submit);
	}
	wqd_cell_end(cell);
	return err;
}

/* (6) The timer path: how late a delayed item runs, one at a time. */
static int wqd_bench_delayed(struct wqd_cell *cell, unsigned int mi)
{
	u64 want = (u64)wqd_run.p[WQD_P_DELAY_MS] * NSEC_PER_MSEC;
	struct wqd_load load;
	unsigned int i;
	int err;

	wqd_load_init(&load, wqd_run.p[WQD_P_DELAY_ITEMS]);
	load.serial = true;
	load.delay = msecs_to_jiffies(wqd_run.p[WQD_P_DELAY_MS]);
	err = wqd_cell_run(cell, mi, &load);
	if (!err) {
		ktd_hist_init(&cell->hist);
		for (i = 0; i < load.nr; i++) {
			struct wqd_item *it = &cell->set->items[i];
			u64 took = it->t_start - it->t_submit;

			ktd_hist_add(&cell->hist, took > want ? took - want : 0);
		}
		wqd_publish_hist(mi, WQD_H_LATE, &cell->hist, WQD_M_LATE_P50,
				 WQD_M_LATE_P99);
	}
	wqd_cell_end(cell);
	return err;
}

/*
 * A warm-up before each configuration: this many items that only sleep a
 * unit, queued at once, so the worker pool holds enough idle workers and
 * the measured run never waits for one to be created.
 */
#define WQD_SCEN_WARM	(2 * WQD_SCEN_ITEMS)

static const struct wqd_step wqd_scen_warm[] = {
	{ .sleep = true, .units = 1 }, { }
};

/* One run of one scenario configuration: the runner's scratch space. */
struct wqd_scen {
	/* [0]: w0's, if it has a mechanism of its own; [1]: the others' */
	struct wqd_mech *mech[2];
	struct wqd_set *set[2];
	struct wqd_item *items[WQD_SCEN_WARM];	/* in queueing order */
	unsigned int nr;
	struct task_struct *sub;	/* the submitter, our reference */
	unsigned int cpu;		/* the submitter's */
	u64 t0;				/* ns, just before the first queueing */
};

static void wqd_scen_abort(struct wqd_scen *sc)
{
	unsigned int s;

	for (s = 0; s < ARRAY_SIZE(sc->set); s++)
		if (sc->set[s])
			wqd_set_abort(sc->set[s]);
}

/* The submitter: every item queued back to back, nothing between. */
static int wqd_scen_submit_fn(void *data)
{
	struct wqd_scen *sc = data;
	unsigned int i;
	int err;

	sc->t0 = ktime_get_ns();
	for (i = 0; i < sc->nr; i++) {
		struct wqd_item *it = sc->items[i];

		if (READ_ONCE(it->set->abort))
			break;
		err = wqd_queue_on(it, 0, sc->cpu);
		if (err) {
			cmpxchg(&it->set->error, 0, err);
			wqd_scen_abort(sc);
			break;
		}
	}
	return 0;
}

/*
 * The mechanisms and items of @cfg: w0, w1 and w2, numbered across the
 * sets; or, for a warm-up, WQD_SCEN_WARM sleepers on w1's mechanism.
 */
static int wqd_scen_setup(struct wqd_scen *sc, const struct wqd_scen_cfg *cfg,
			  unsigned int unit_us, bool warmup)
{
	int mi[2] = { -1, wqd_mech_index(cfg->mech) };
	unsigned int s, k, nr;

	if (cfg->w0_mech && !warmup)
		mi[0] = wqd_mech_index(cfg->w0_mech);
	if (mi[1] < 0 || (cfg->w0_mech && !warmup && mi[0] < 0))
		return -EINVAL;
	for (s = 0; s < ARRAY_SIZE(sc->set); s++) {
		if (mi[s] < 0)
			continue;
		nr = warmup ? WQD_SCEN_WARM : s ? WQD_SCEN_ITEMS - sc->nr : 1;
		/* Warm-up sleepers all at once, whatever max_active says. */
		sc->mech[s] = wqd_mech_create_idx(mi[s],
						  warmup ? 0 : cfg->max_active);
		if (IS_ERR(sc->mech[s])) {
			int err = PTR_ERR(sc->mech[s]);

			sc->mech[s] = NULL;
			return err;
		}
		sc->set[s] = wqd_set_create(sc->mech[s], nr, WQD_BODY_STEPS,
					    unit_us);
		if (IS_ERR(sc->set[s])) {
			int err = PTR_ERR(sc->set[s]);

			sc->set[s] = NULL;
			return err;
		}
		for (k = 0; k < nr; k++, sc->nr++) {
			struct wqd_item *it = &sc->set[s]->items[k];

			it->idx = sc->nr;
			if (warmup)
				it->steps = wqd_scen_warm;
			else
				it->steps = sc->nr ? wqd_scen_w12 : wqd_scen_w0;
			sc->items[sc->nr] = it;
		}
	}
	return 0;
}

/* Undo wqd_scen_setup() and the submitter, whatever state they are in. */
static void wqd_scen_end(struct wqd_scen *sc)
{
	unsigned int s;

	if (sc->sub) {
		kthread_stop_put(sc->sub);
		sc->sub = NULL;
	}
	for (s = 0; s < ARRAY_SIZE(sc->set); s++) {
		if (sc->set[s])
			wqd_set_destroy(sc->set[s]);
		if (sc->mech[s])
			wqd_mech_destroy(sc->mech[s]);
		sc->set[s] = NULL;
		sc->mech[s] = NULL;
	}
}

static void wqd_scen_publish(const struct wqd_scen *sc, unsigned int ci)
{
	struct wqd_scen_result r = { .valid = true, .cpu = sc->cpu };
	unsigned int i;

	for (i = 0; i < WQD_SCEN_ITEMS; i++) {
		const struct wqd_item *it = sc->items[i];
		struct wqd_scen_item *ri = &r.item[i];

		ri->mech = it->set->mech->ops - wqd_mechs;
		ri->pid = it->pid;
		ri->cpu = it->cpu;
		ri->queued = it->t_submit - sc->t0;
		ri->start = it->t_start - sc->t0;
		ri->sleep = it->t_sleep - sc->t0;
		ri->wake = it->t_wake - sc->t0;
		ri->end = it->t_end - sc->t0;
	}
	wqd_scen_summarise(&r);
	mutex_lock(&wqd_lock);
	wqd_scen_results[ci] = r;
	mutex_unlock(&wqd_lock);
}

/*
 * Configuration @ci once, or its warm-up: the items queued at once from a
 * SCHED_FIFO submitter on the first online CPU (no worker it wakes there
 * can run before all are queued), then a bounded wait for all of them.
 */
static int wqd_scen_once(unsigned int ci, bool warmup)
{
	const struct wqd_scen_cfg *cfg = &wqd_scen_cfgs[ci];
	unsigned int unit_us = wqd_run.p[WQD_P_SCEN_UNIT_US];
	struct wqd_scen sc = { };
	struct task_struct *t;
	unsigned int s;
	int err;

	err = wqd_scen_setup(&sc, cfg, unit_us, warmup);
	if (err)
		goto end;
	t = kthread_create(wqd_scen_submit_fn, &sc, "wqd-scen");
	if (IS_ERR(t)) {
		err = PTR_ERR(t);
		goto end;
	}
	get_task_struct(t);
	sc.sub = t;
	sched_set_fifo_low(t);
	/* As in wqd_cell_run(): no CPU may go away before it is placed. */
	cpus_read_lock();
	sc.cpu = cpumask_first(cpu_online_mask);
	kthread_bind(t, sc.cpu);
	trace_ktd_scenario(cfg->name, sc.cpu, warmup,
			   (u64)unit_us * NSEC_PER_USEC,
			   cfg->doc ? (u64)cfg->doc->done * unit_us *
				      NSEC_PER_USEC : 0);
	wake_up_process(t);
	cpus_read_unlock();

	for (s = 0; s < ARRAY_SIZE(sc.set) && !err; s++)
		if (sc.set[s])
			err = wqd_cell_wait(sc.set[s], &sc.set[s]->all_done);
	if (err)
		wqd_scen_abort(&sc);
	/* Reaped before its t0 is read. */
	kthread_stop_put(sc.sub);
	sc.sub = NULL;
	if (!err && !warmup)
		wqd_scen_publish(&sc, ci);
end:
	wqd_scen_end(&sc);
	return err;
}

/*
 * (7) The workqueue documentation's example scenario, on every
 * configuration of wqd_scen_cfgs[] whose w1 and w2 run on mechanism @mi:
 * each warmed up, then measured.
 */
static int wqd_bench_scenario(struct wqd_cell *cell, unsigned int mi)
{
	unsigned int ci;
	int err = 0;

	for (ci = 0; ci < WQD_NR_SCEN && !err; ci++) {
		if (wqd_mech_index(wqd_scen_cfgs[ci].mech) != mi)
			continue;
		err = wqd_run_check() ?: wqd_scen_once(ci, true) ?:
		      wqd_scen_once(ci, false);
	}
	return err;
}

static const struct wqd_bench {
	const char *name;
	int (*run)(struct wqd_cell *cell, unsigned int mi);
} wqd_benches[] = {
	{ "latency", wqd_bench_latency },
	{ "create", wqd_bench_create },
	{ "throughput", wqd_bench_throughput },
	{ "blocking", wqd_bench_blocking },
	{ "cpu", wqd_bench_cpu },
	{ "delayed", wqd_bench_delayed },
	{ "scenario", wqd_bench_scenario },
};

static void wqd_set_current(int bench, int mech)
{
	mutex_lock(&wqd_lock);
	wqd_run.cur_bench = bench;
	wqd_run.cur_mech = mech;
	mutex_unlock(&wqd_lock);
}

/*
 * The run itself: every chosen benchmark on every chosen mechanism, one
 * cell at a time. It returns on its own when done; wqd_runner keeps the
 * task valid until someone reaps it with kthread_stop_put().
 */
static int wqd_runner_fn(void *unused)
{
	struct wqd_cell *cell;
	unsigned int b, mi;
	enum wqd_state state;
	int err = 0;

	cell = kvzalloc(sizeof(*cell), GFP_KERNEL);
	if (!cell)
		err = -ENOMEM;
	for (b = 0; b < ARRAY_SIZE(wqd_benches) && !err; b++) {
		if (!(wqd_run.benches & BIT(b)))
			continue;
		for (mi = 0; mi < WQD_NR_MECHS && !err; mi++) {
			if (!(wqd_run.mechs & BIT(mi)))
				continue;
			wqd_set_current(b, mi);
			err = wqd_run_check() ?: wqd_benches[b].run(cell, mi);
		}
	}
	kvfree(cell);

	if (!err)
		state = WQD_DONE;
	else if (err == -EINTR)
		state = WQD_INTERRUPTED;
	else if (err == -ETIMEDOUT)
		state = WQD_TIMEOUT;
	else
		state = WQD_FAILED;
	if (err && err != -EINTR && wqd_run.cur_bench >= 0)
		pr_warn("run '%s' ended: %s on %s, error %d\n", wqd_run.name,
			wqd_benches[wqd_run.cur_bench].name,
			wqd_mechs[wqd_run.cur_mech].name, err);
	mutex_lock(&wqd_lock);
	wqd_run.t_end = ktime_get_ns();
	wqd_run.cur_bench = -1;
	wqd_run.cur_mech = -1;
	wqd_run.err = err;
	wqd_run.state = state;
	mutex_unlock(&wqd_lock);
	return err;
}

/* Called with wqd_lock held. */
static int wqd_start(const char *name, unsigned long benches)
{
	struct task_struct *t;
	unsigned int i, h, nr_sub;

	lockdep_assert_held(&wqd_lock);
	if (wqd_run.state == WQD_RUNNING)
		return -EBUSY;
	/* The last runner has published its end; it is exiting, or gone. */
	if (wqd_runner) {
		kthread_stop_put(wqd_runner);
		wqd_runner = NULL;
	}

	memcpy(wqd_run.p, wqd_param_val, sizeof(wqd_run.p));
	wqd_run.mechs = wqd_mech_mask;
	wqd_run.benches = benches;
	wqd_run.name = name;
	nr_sub = wqd_run.p[WQD_P_SUBMITTERS] ?: num_online_cpus();
	wqd_run.nr_sub = min_t(unsigned int, nr_sub, WQD_MAX_SUB);
	wqd_run.t_begin = ktime_get_ns();
	wqd_run.t_end = 0;
	wqd_run.deadline = wqd_run.t_begin +
			   (u64)wqd_run.p[WQD_P_TIMEOUT_S] * NSEC_PER_SEC;
	wqd_run.cur_bench = -1;
	wqd_run.cur_mech = -1;
	wqd_run.err = 0;
	for (i = 0; i < WQD_NR_MECHS; i++) {
		wqd_results[i].valid = 0;
		memset(wqd_results[i].tput, 0, sizeof(wqd_results[i].tput));
		for (h = 0; h < WQD_NR_HISTS; h++)
			ktd_hist_init(&wqd_results[i].hist[h]);
	}
	memset(wqd_scen_results, 0, sizeof(wqd_scen_results));
	WRITE_ONCE(wqd_stop_req, false);

	t = kthread_create(wqd_runner_fn, NULL, "wqd-bench");
	if (IS_ERR(t)) {
		wqd_run.state = WQD_FAILED;
		wqd_run.err = PTR_ERR(t);
		return PTR_ERR(t);
	}
	get_task_struct(t);
	wqd_runner = t;
	wqd_run.state = WQD_RUNNING;
	wake_up_process(t);
	return 0;
}

/* ---- debugfs ---------------------------------------------------------- */

/* Copy a short user write into @buf, NUL-terminated and trimmed. */
static char *wqd_copy_word(char *buf, size_t size, const char __user *ubuf,
			   size_t count)
{
	if (!count || count >= size)
		return ERR_PTR(-EINVAL);
	if (copy_from_user(buf, ubuf, count))
		return ERR_PTR(-EFAULT);
	buf[count] = '\0';
	return strim(buf);
}

/* bench/<param>: one unsigned number each. */
static int wqd_param_show(struct seq_file *m, void *v)
{
	const struct wqd_param *p = m->private;

	mutex_lock(&wqd_lock);
	seq_printf(m, "%u\n", wqd_param_val[p - wqd_params]);
	mutex_unlock(&wqd_lock);
	return 0;
}

static int wqd_param_open(struct inode *inode, struct file *file)
{
	return single_open(file, wqd_param_show, inode->i_private);
}

static ssize_t wqd_param_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct seq_file *seq = file->private_data;
	const struct wqd_param *p = seq->private;
	unsigned int v;
	int err;

	err = kstrtouint_from_user(ubuf, count, 0, &v);
	if (err)
		return err;
	if (v < p->min || v > p->max)
		return -ERANGE;
	mutex_lock(&wqd_lock);
	wqd_param_val[p - wqd_params] = v;
	mutex_unlock(&wqd_lock);
	return count;
}

static const struct file_operations wqd_param_fops = {
	.owner = THIS_MODULE,
	.open = wqd_param_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = wqd_param_write,
};

/* bench/mechanisms: the chosen ones in brackets. */
static int wqd_mechanisms_show(struct seq_file *m, void *v)
{
	unsigned int i;

	mutex_lock(&wqd_lock);
	for (i = 0; i < WQD_NR_MECHS; i++)
		seq_printf(m, wqd_mech_mask & BIT(i) ? "%s[%s]" : "%s%s",
			   i ? " " : "", wqd_mechs[i].name);
	mutex_unlock(&wqd_lock);
	seq_putc(m, '\n');
	return 0;
}

static int wqd_mechanisms_open(struct inode *inode, struct file *file)
{
	return single_open(file, wqd_mechanisms_show, NULL);
}

/* "all", or names separated by spaces or commas. */
static ssize_t wqd_mechanisms_write(struct file *file,
				    const char __user *ubuf, size_t count,
				    loff_t *ppos)
{
	char buf[256], *s, *name;
	unsigned long mask = 0;
	int i;

	s = wqd_copy_word(buf, sizeof(buf), ubuf, count);
	if (IS_ERR(s))
		return PTR_ERR(s);
	if (!strcmp(s, "all")) {
		mask = GENMASK(WQD_NR_MECHS - 1, 0);
	} else {
		while ((name = strsep(&s, " ,\t\n"))) {
			if (!*name)
				continue;
			i = wqd_mech_index(name);
			if (i < 0) {
				wqd_print_mechs(name);
				return -EINVAL;
			}
			mask |= BIT(i);
		}
	}
	if (!mask)
		return -EINVAL;
	mutex_lock(&wqd_lock);
	wqd_mech_mask = mask;
	mutex_unlock(&wqd_lock);
	return count;
}

static const struct file_operations wqd_mechanisms_fops = {
	.owner = THIS_MODULE,
	.open = wqd_mechanisms_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = wqd_mechanisms_write,
};

/* bench/run: what can be written to it. */
static int wqd_run_show(struct seq_file *m, void *v)
{
	unsigned int b;

	seq_puts(m, "sweep");
	for (b = 0; b < ARRAY_SIZE(wqd_benches); b++)
		seq_printf(m, " %s", wqd_benches[b].name);
	seq_puts(m, " stop\n");
	return 0;
}

static int wqd_run_open(struct inode *inode, struct file *file)
{
	return single_open(file, wqd_run_show, NULL);
}

static ssize_t wqd_run_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	unsigned long benches = 0;
	const char *name = NULL;
	char buf[32], *s;
	unsigned int b;
	int err;

	s = wqd_copy_word(buf, sizeof(buf), ubuf, count);
	if (IS_ERR(s))
		return PTR_ERR(s);
	if (!strcmp(s, "stop")) {
		WRITE_ONCE(wqd_stop_req, true);
		return count;
	}
	if (!strcmp(s, "sweep")) {
		benches = GENMASK(ARRAY_SIZE(wqd_benches) - 1, 0);
		name = "sweep";
	}
	for (b = 0; b < ARRAY_SIZE(wqd_benches); b++) {
		if (!strcmp(s, wqd_benches[b].name)) {
			benches = BIT(b);
			name = wqd_benches[b].name;
		}
	}
	if (!benches) {
		pr_info_ratelimited("unknown run '%.32s'; write sweep, a benchmark or stop\n",
				    s);
		return -EINVAL;
	}
	mutex_lock(&wqd_lock);
	err = wqd_start(name, benches);
	mutex_unlock(&wqd_lock);
	return err ?: count;
}

static const struct file_operations wqd_run_fops = {
	.owner = THIS_MODULE,
	.open = wqd_run_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = wqd_run_write,
};

/* bench/status: "key: value" lines; the first is the state. */
static int wqd_status_show(struct seq_file *m, void *v)
{
	u64 end;

	mutex_lock(&wqd_lock);
	seq_printf(m, "state: %s\n", wqd_state_names[wqd_run.state]);
	if (wqd_run.state != WQD_IDLE) {
		end = wqd_run.t_end ?: ktime_get_ns();
		seq_printf(m, "run: %s\n", wqd_run.name);
		if (wqd_run.cur_bench >= 0)
			seq_printf(m, "now: %s %s\n",
				   wqd_benches[wqd_run.cur_bench].name,
				   wqd_mechs[wqd_run.cur_mech].name);
		seq_printf(m, "elapsed_ms: %llu\n",
			   div_u64(end - wqd_run.t_begin, NSEC_PER_MSEC));
		seq_printf(m, "timeout_s: %u\n", wqd_run.p[WQD_P_TIMEOUT_S]);
		seq_printf(m, "error: %d\n", wqd_run.err);
	}
	mutex_unlock(&wqd_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wqd_status);

/* Value @metric of mechanism @mi and its ratio to the kthread row. */
static bool wqd_fmt_metric(char *val, size_t vsize, char *ratio,
			   size_t rsize, unsigned int mi, unsigned int metric)
{
	const struct wqd_result *base = &wqd_results[0];
	const struct wqd_result *r = &wqd_results[mi];

	if (!(r->valid & BIT(metric)))
		return false;
	snprintf(val, vsize, "%llu",
		 div64_u64(r->val[metric], wqd_metrics[metric].div));
	wqd_ratio_fmt(ratio, rsize, r->val[metric],
		      base->valid & BIT(metric) ? base->val[metric] : 0);
	return true;
}

static void wqd_compare_header(struct seq_file *m)
{
	unsigned int i;

	seq_printf(m, "# workqueue_demo on %s, %u CPUs online, HZ=%d: run '%s' %s",
		   utsname()->release, num_online_cpus(), HZ,
		   wqd_run.name ?: "-", wqd_state_names[wqd_run.state]);
	if (wqd_run.t_end)
		seq_printf(m, " in %llu ms",
			   div_u64(wqd_run.t_end - wqd_run.t_begin,
				   NSEC_PER_MSEC));
	seq_puts(m, "\n# params:");
	for (i = 0; i < WQD_NR_PARAMS; i++)
		seq_printf(m, " %s=%u", wqd_params[i].name, wqd_run.p[i]);
	seq_printf(m, "\n# tput_n is with %u submitters; spin_us calibrated at %lu loops/us\n",
		   wqd_run.nr_sub, wqd_loops_per_us);
}

/* compare: one row per mechanism, one column per metric. */
static int wqd_compare_show(struct seq_file *m, void *v)
{
	char val[24], ratio[24], cell[56];
	unsigned int i, k;

	mutex_lock(&wqd_lock);
	if (wqd_run.state == WQD_IDLE) {
		seq_puts(m, "# no run yet: echo sweep > bench/run\n");
		goto unlock;
	}
	wqd_compare_header(m);
	seq_puts(m, "# each cell: value xR, R = value / the kthread row's; '-' = not measured\n");
	for (i = 0; i < WQD_NR_MECHS; i++)
		seq_printf(m, "# %-16s %s\n", wqd_mechs[i].name,
			   wqd_mechs[i].what);
	seq_printf(m, "%-16s", "mechanism");
	for (k = 0; k < WQD_NR_METRICS; k++)
		seq_printf(m, " %16s", wqd_metrics[k].name);
	seq_putc(m, '\n');
	for (i = 0; i < WQD_NR_MECHS; i++) {
		if (!(wqd_run.mechs & BIT(i)))
			continue;
		seq_printf(m, "%-16s", wqd_mechs[i].name);
		for (k = 0; k < WQD_NR_METRICS; k++) {
			if (wqd_fmt_metric(val, sizeof(val), ratio,
					   sizeof(ratio), i, k))
				snprintf(cell, sizeof(cell), "%s x%s", val,
					 ratio);
			else
				strscpy(cell, "-", sizeof(cell));
			seq_printf(m, " %16s", cell);
		}
		seq_putc(m, '\n');
	}
unlock:
	mutex_unlock(&wqd_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wqd_compare);

/* compare.csv: the same figures, one per line. */
static int wqd_compare_csv_show(struct seq_file *m, void *v)
{
	char val[24], ratio[24];
	unsigned int i, k, s;

	seq_puts(m, "mechanism,metric,value,ratio_to_kthread\n");
	mutex_lock(&wqd_lock);
	for (i = 0; i < WQD_NR_MECHS; i++) {
		const struct wqd_result *r = &wqd_results[i];

		for (k = 0; k < WQD_NR_METRICS; k++)
			if (wqd_fmt_metric(val, sizeof(val), ratio,
					   sizeof(ratio), i, k))
				seq_printf(m, "%s,%s,%s,%s\n",
					   wqd_mechs[i].name,
					   wqd_metrics[k].name, val,
					   strcmp(ratio, "-") ? ratio : "");
		for (s = 0; s < WQD_MAX_SUB; s++) {
			if (!r->tput[s])
				continue;
			wqd_ratio_fmt(ratio, sizeof(ratio), r->tput[s],
				      wqd_results[0].tput[s]);
			seq_printf(m, "%s,tput_s%u_per_s,%llu,%s\n",
				   wqd_mechs[i].name, s + 1, r->tput[s],
				   strcmp(ratio, "-") ? ratio : "");
		}
	}
	mutex_unlock(&wqd_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wqd_compare_csv);

/* bench/hist.csv: every non-empty bucket, for plotting. */
static int wqd_hist_show(struct seq_file *m, void *v)
{
	unsigned int i, h, b;

	seq_puts(m, "mechanism,histogram,lo_ns,hi_ns,count\n");
	mutex_lock(&wqd_lock);
	for (i = 0; i < WQD_NR_MECHS; i++) {
		for (h = 0; h < WQD_NR_HISTS; h++) {
			const struct ktd_hist *hist = &wqd_results[i].hist[h];

			for (b = 0; b < KTD_HIST_BUCKETS; b++)
				if (hist->buckets[b])
					seq_printf(m, "%s,%s,%llu,%llu,%llu\n",
						   wqd_mechs[i].name,
						   wqd_hist_names[h],
						   ktd_hist_lower(b),
						   ktd_hist_upper(b),
						   hist->buckets[b]);
		}
	}
	mutex_unlock(&wqd_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wqd_hist);

/* The documented time @units in ns, for the run's unit. */
static u64 wqd_scen_doc_ns(unsigned int units)
{
	return (u64)units * wqd_run.p[WQD_P_SCEN_UNIT_US] * NSEC_PER_USEC;
}

/* "w0-w1 w1-w2", or "none". */
static void wqd_scen_overlaps_fmt(char *buf, size_t size, unsigned int bits)
{
	unsigned int a, b;
	size_t n = 0;

	buf[0] = '\0';
	for (a = 0; a < WQD_SCEN_ITEMS; a++)
		for (b = a + 1; b < WQD_SCEN_ITEMS; b++)
			if (bits & WQD_SCEN_PAIR(a, b))
				n += scnprintf(buf + n, size - n, "%sw%u-w%u",
					       n ? " " : "", a, b);
	if (!n)
		strscpy(buf, "none", size);
}

/* scenario: one line per configuration, then one per item. */
static int wqd_scenario_show(struct seq_file *m, void *v)
{
	char done[24], doc[24], diff[24], ov[32], t[5][24], ds[24], de[24];
	unsigned int ci, i, k, shown = 0;

	mutex_lock(&wqd_lock);
	for (ci = 0; ci < WQD_NR_SCEN; ci++)
		shown += wqd_scen_results[ci].valid;
	if (!shown) {
		seq_puts(m, "# no scenario results yet: echo scenario > bench/run\n");
		goto unlock;
	}
	seq_printf(m, "# workqueue_demo scenario on %s, %u CPUs online, HZ=%d: run '%s' %s\n",
		   utsname()->release, num_online_cpus(), HZ,
		   wqd_run.name ?: "-", wqd_state_names[wqd_run.state]);
	seq_printf(m, "# Documentation/core-api/workqueue.rst, \"Example Execution Scenarios\":\n"
		   "# w0 burns the CPU for 1 unit, sleeps 2, burns 1; w1 and w2 burn 1, sleep 2;\n"
		   "# all three are queued at once on one CPU. 1 unit = %u us (bench/scen_unit_us),\n"
		   "# a burn counts time on the CPU. Times: ms since w0 was queued.\n",
		   wqd_run.p[WQD_P_SCEN_UNIT_US]);
	seq_puts(m, "# documented: original = the single-worker queue that serialises; cmwq>=3,\n"
		 "# cmwq=2 = cmwq with that max_active; cpu_int = w1 and w2 on a WQ_CPU_INTENSIVE\n"
		 "# queue, w0 on wq_percpu; - = not in the documentation. workers: distinct tasks\n"
		 "# that ran the items; peak: most items running at once.\n");
	seq_printf(m, "%-18s %-10s %3s %7s %4s %8s %7s %7s  %s\n", "configuration",
		   "documented", "cpu", "workers", "peak", "done_ms", "doc_ms",
		   "diff_ms", "overlapping");
	for (ci = 0; ci < WQD_NR_SCEN; ci++) {
		const struct wqd_scen_cfg *cfg = &wqd_scen_cfgs[ci];
		const struct wqd_scen_result *r = &wqd_scen_results[ci];

		if (!r->valid)
			continue;
		wqd_ms_fmt(done, sizeof(done), r->done, false);
		strscpy(doc, "-", sizeof(doc));
		strscpy(diff, "-", sizeof(diff));
		if (cfg->doc) {
			u64 d = wqd_scen_doc_ns(cfg->doc->done);

			wqd_ms_fmt(doc, sizeof(doc), d, false);
			wqd_ms_fmt(diff, sizeof(diff), (s64)(r->done - d), true);
		}
		wqd_scen_overlaps_fmt(ov, sizeof(ov), r->overlaps);
		seq_printf(m, "%-18s %-10s %3d %7u %4u %8s %7s %7s  %s\n",
			   cfg->name, cfg->doc ? cfg->doc->name : "-", r->cpu,
			   r->workers, r->peak, done, doc, diff, ov);
	}
	seq_printf(m, "\n%-18s %-4s %-16s %6s %3s %7s %7s %7s %7s %7s %9s %7s\n",
		   "configuration", "item", "mechanism", "pid", "cpu", "queued",
		   "start", "sleep", "wake", "end", "doc_start", "doc_end");
	for (ci = 0; ci < WQD_NR_SCEN; ci++) {
		const struct wqd_scen_cfg *cfg = &wqd_scen_cfgs[ci];
		const struct wqd_scen_result *r = &wqd_scen_results[ci];

		if (!r->valid)
			continue;
		for (i = 0; i < WQD_SCEN_ITEMS; i++) {
			const struct wqd_scen_item *it = &r->item[i];
			const u64 ns[5] = { it->queued, it->start, it->sleep,
					    it->wake, it->end };

			for (k = 0; k < ARRAY_SIZE(ns); k++)
				wqd_ms_fmt(t[k], sizeof(t[k]), ns[k], false);
			strscpy(ds, "-", sizeof(ds));
			strscpy(de, "-", sizeof(de));
			if (cfg->doc) {
				wqd_ms_fmt(ds, sizeof(ds),
					   wqd_scen_doc_ns(cfg->doc->item[i][0]),
					   false);
				wqd_ms_fmt(de, sizeof(de),
					   wqd_scen_doc_ns(cfg->doc->item[i][1]),
					   false);
			}
			seq_printf(m, "%-18s w%-3u %-16s %6d %3d %7s %7s %7s %7s %7s %9s %7s\n",
				   cfg->name, i, wqd_mechs[it->mech].name,
				   it->pid, it->cpu, t[0], t[1], t[2], t[3],
				   t[4], ds, de);
		}
	}
unlock:
	mutex_unlock(&wqd_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wqd_scenario);

/* scenario.csv: one line per item, times in ns since w0 was queued. */
static int wqd_scenario_csv_show(struct seq_file *m, void *v)
{
	unsigned int ci, i;

	seq_puts(m, "config,documented,item,mechanism,pid,cpu,queued_ns,start_ns,sleep_ns,wake_ns,end_ns,doc_start_ns,doc_end_ns,done_ns,doc_done_ns,workers,peak,queue_cpu\n");
	mutex_lock(&wqd_lock);
	for (ci = 0; ci < WQD_NR_SCEN; ci++) {
		const struct wqd_scen_cfg *cfg = &wqd_scen_cfgs[ci];
		const struct wqd_scen_result *r = &wqd_scen_results[ci];
		const struct wqd_scen_doc *doc = cfg->doc;

		if (!r->valid)
			continue;
		for (i = 0; i < WQD_SCEN_ITEMS; i++) {
			const struct wqd_scen_item *it = &r->item[i];

			seq_printf(m, "%s,%s,w%u,%s,%d,%d,%llu,%llu,%llu,%llu,%llu,",
				   cfg->name, doc ? doc->name : "", i,
				   wqd_mechs[it->mech].name, it->pid, it->cpu,
				   it->queued, it->start, it->sleep, it->wake,
				   it->end);
			if (doc)
				seq_printf(m, "%llu,%llu,%llu,%llu,",
					   wqd_scen_doc_ns(doc->item[i][0]),
					   wqd_scen_doc_ns(doc->item[i][1]),
					   r->done, wqd_scen_doc_ns(doc->done));
			else
				seq_printf(m, ",,%llu,,", r->done);
			seq_printf(m, "%u,%u,%d\n", r->workers, r->peak, r->cpu);
		}
	}
	mutex_unlock(&wqd_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wqd_scenario_csv);

static int __init wqd_init(void)
{
	struct dentry *root = ktd_debugfs_root();
	unsigned int i, h;

	if (IS_ERR_OR_NULL(root)) {
		pr_err("no kthread_demo debugfs directory\n");
		return -ENODEV;
	}
	wqd_spin_calibrate();
	for (i = 0; i < WQD_NR_PARAMS; i++)
		wqd_param_val[i] = wqd_params[i].def;
	for (i = 0; i < WQD_NR_MECHS; i++)
		for (h = 0; h < WQD_NR_HISTS; h++)
			ktd_hist_init(&wqd_results[i].hist[h]);
	wqd_run.state = WQD_IDLE;
	wqd_run.cur_bench = -1;
	wqd_run.cur_mech = -1;

	wqd_bench_dir = debugfs_create_dir("bench", root);
	debugfs_create_file("run", 0644, wqd_bench_dir, NULL, &wqd_run_fops);
	debugfs_create_file("status", 0444, wqd_bench_dir, NULL,
			    &wqd_status_fops);
	debugfs_create_file("mechanisms", 0644, wqd_bench_dir, NULL,
			    &wqd_mechanisms_fops);
	debugfs_create_file("hist.csv", 0444, wqd_bench_dir, NULL,
			    &wqd_hist_fops);
	for (i = 0; i < WQD_NR_PARAMS; i++)
		debugfs_create_file(wqd_params[i].name, 0644, wqd_bench_dir,
				    (void *)&wqd_params[i], &wqd_param_fops);
	wqd_compare = debugfs_create_file("compare", 0444, root, NULL,
					  &wqd_compare_fops);
	wqd_compare_csv = debugfs_create_file("compare.csv", 0444, root, NULL,
					      &wqd_compare_csv_fops);
	wqd_scenario = debugfs_create_file("scenario", 0444, root, NULL,
					   &wqd_scenario_fops);
	wqd_scenario_csv = debugfs_create_file("scenario.csv", 0444, root, NULL,
					       &wqd_scenario_csv_fops);
	pr_info("loaded: echo sweep > /sys/kernel/debug/kthread_demo/bench/run\n");
	return 0;
}

static void __exit wqd_exit(void)
{
	struct task_struct *t;

	/* Files first, so nothing starts a run behind us. */
	debugfs_remove(wqd_scenario_csv);
	debugfs_remove(wqd_scenario);
	debugfs_remove(wqd_compare_csv);
	debugfs_remove(wqd_compare);
	debugfs_remove(wqd_bench_dir);

	/* The runner aborts its cell, cancels every item and returns. */
	WRITE_ONCE(wqd_stop_req, true);
	mutex_lock(&wqd_lock);
	t = wqd_runner;
	wqd_runner = NULL;
	mutex_unlock(&wqd_lock);
	if (t)
		kthread_stop_put(t);
	pr_info("unloaded\n");
}

module_init(wqd_init);
module_exit(wqd_exit);

MODULE_DESCRIPTION("Deferred work compared: kthreads, kthread_workers and workqueues");
MODULE_AUTHOR("The kthread-demo authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(KTD_VERSION);
