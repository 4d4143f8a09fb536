/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workqueue_demo's mechanisms and item sets, as its KUnit suite sees them.
 *
 * A mechanism (struct wqd_mech) is one way to run deferred work: a kthread
 * per item, a kthread_worker, or one workqueue flavour. A set (struct
 * wqd_set) is a batch of identical items for one mechanism; each item
 * records when it was submitted, when its handler began and ended, and
 * which task and CPU ran it. The benchmarks and the tests drive both
 * through the functions below.
 */
#ifndef WQD_WORKQUEUE_DEMO_H
#define WQD_WORKQUEUE_DEMO_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#define WQD_NR_MECHS	8

/* What an item does once its handler runs. */
enum wqd_body {
	WQD_BODY_NONE,		/* return at once */
	WQD_BODY_SLEEP,		/* sleep arg ms: the worker blocks */
	WQD_BODY_SPIN,		/* arg us of CPU work: the worker hogs a CPU */
};

struct wqd_mech;
struct wqd_set;

/* One work item. Times are ktime_get_ns(); 0 means "not yet". */
struct wqd_item {
	union {
		struct delayed_work dwork;		/* workqueue flavours */
		struct kthread_delayed_work kdwork;	/* kthread_worker */
	};
	struct task_struct *task;	/* kthread: its own thread, our ref */
	struct wqd_set *set;
	struct completion done;		/* the handler has finished */
	unsigned long delay;		/* jiffies asked for when queued */
	unsigned long expires;		/* kthread: when a delayed item runs */
	u64 t_submit;			/* just before the queue or wake call */
	u64 t_start;			/* first thing in the handler */
	u64 t_end;			/* the body is done */
	pid_t pid;			/* the task that ran the handler */
	int cpu;			/* the CPU the handler started on */
	unsigned int seq;		/* 1 for the first handler to start */
	unsigned int idx;		/* position in the set */
	bool queued;			/* queued, and not cancelled since */
};

struct wqd_set {
	struct wqd_mech *mech;
	struct wqd_item *items;
	unsigned int nr;
	enum wqd_body body;
	unsigned int arg;
	atomic_t pending;		/* items whose handler has not finished */
	atomic_t seq;			/* handlers started so far */
	struct completion all_done;	/* pending reached zero */
	bool abort;			/* bodies end early, submitters stop */
	int error;			/* first submit error */
	wait_queue_head_t abort_wq;	/* sleeping bodies wait here */
};

const char *wqd_mech_name(unsigned int i);
struct wqd_mech *wqd_mech_create(const char *name, unsigned int max_active);
void wqd_mech_destroy(struct wqd_mech *m);
bool wqd_mech_ordered(const struct wqd_mech *m);

struct wqd_set *wqd_set_create(struct wqd_mech *m, unsigned int nr,
			       enum wqd_body body, unsigned int arg);
void wqd_set_abort(struct wqd_set *set);
void wqd_set_destroy(struct wqd_set *set);
int wqd_set_wait(struct wqd_set *set, unsigned long timeout);

int wqd_item_queue(struct wqd_item *it, unsigned long delay);
int wqd_item_wait(struct wqd_item *it, unsigned long timeout);
bool wqd_item_flush(struct wqd_item *it);
bool wqd_item_cancel(struct wqd_item *it);

/* Report arithmetic. */
u64 wqd_rate(u64 n, u64 ns);
void wqd_ratio_fmt(char *buf, size_t size, u64 v, u64 base);
unsigned int wqd_distinct_tasks(const struct wqd_item *items, unsigned int n);
unsigned int wqd_distinct_cpus(const struct wqd_item *items, unsigned int n);
unsigned int wqd_peak_concurrency(const struct wqd_item *items,
				  unsigned int n);

#endif /* WQD_WORKQUEUE_DEMO_H */
