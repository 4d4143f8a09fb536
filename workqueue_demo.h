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
#include <linux/bits.h>
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
	WQD_BODY_STEPS,		/* the item's own steps, in units of arg us */
};

/*
 * One step of a WQD_BODY_STEPS item: burn the CPU or sleep for @units
 * units. An array of steps ends with one of zero units.
 */
struct wqd_step {
	bool sleep;		/* false: time on the CPU; true: wall time */
	unsigned int units;
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
	const struct wqd_step *steps;	/* WQD_BODY_STEPS: what it does */
	struct completion done;		/* the handler has finished */
	unsigned long delay;		/* jiffies asked for when queued */
	unsigned long expires;		/* kthread: when a delayed item runs */
	u64 t_submit;			/* just before the queue or wake call */
	u64 t_start;			/* first thing in the handler */
	u64 t_end;			/* the body is done */
	u64 t_sleep;			/* steps: its first sleep began */
	u64 t_wake;			/* steps: its first sleep ended */
	pid_t pid;			/* the task that ran the handler */
	int cpu;			/* the CPU the handler started on */
	unsigned int seq;		/* 1 for the first handler to start */
	unsigned int idx;		/* position in the set; its number in
					 * trace events and thread names
					 */
	bool queued;			/* queued, and not cancelled since */
};

struct wqd_set {
	struct wqd_mech *mech;
	struct wqd_item *items;
	unsigned int nr;
	enum wqd_body body;
	unsigned int arg;		/* ms to sleep, us to spin, us a unit */
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
void wqd_ms_fmt(char *buf, size_t size, s64 ns, bool sign);

/*
 * The scenario of Documentation/core-api/workqueue.rst ("Example Execution
 * Scenarios"): w0 burns the CPU for a unit, sleeps two, burns one; w1 and
 * w2 burn one and sleep two; all three are queued at once on one CPU. Each
 * item's times are ns since w0 was queued.
 */
#define WQD_SCEN_ITEMS	3

struct wqd_scen_item {
	unsigned int mech;		/* index of the mechanism that ran it */
	pid_t pid;
	int cpu;
	u64 queued, start, sleep, wake, end;
};

struct wqd_scen_result {
	bool valid;
	int cpu;			/* where the items were queued */
	u64 done;			/* the last item's end */
	unsigned int workers;		/* distinct tasks that ran them */
	unsigned int peak;		/* most items running at one instant */
	unsigned int overlaps;		/* WQD_SCEN_PAIR() bits */
	struct wqd_scen_item item[WQD_SCEN_ITEMS];
};

/* The bit of the pair (@a, @b), a < b, in wqd_scen_result.overlaps. */
#define WQD_SCEN_PAIR(a, b)	BIT((a) * WQD_SCEN_ITEMS + (b))

void wqd_scen_summarise(struct wqd_scen_result *r);

#endif /* WQD_WORKQUEUE_DEMO_H */
