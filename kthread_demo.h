/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The thread pool behind /sys/kernel/kthread_demo.
 *
 * The module owns one pool (the one users see); the KUnit suites create
 * pools of their own through the same functions, so they test the real
 * code without touching it.
 *
 * Locking: pool->lock (a mutex) serialises every change to a pool: size,
 * settings, park state. Paths that create threads or look at which CPUs
 * are online take cpus_read_lock() outside it, and the CPU hotplug
 * callbacks (which run under the hotplug lock) take only pool->lock, so
 * the order is always cpu_hotplug_lock -> pool->lock. The demo threads
 * never take pool->lock: they read the settings with READ_ONCE and write
 * only their own counters.
 */
#ifndef KTD_KTHREAD_DEMO_H
#define KTD_KTHREAD_DEMO_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "ktd_stats.h"

struct dentry;
struct seq_file;
struct task_struct;
struct ktd_pool;

enum ktd_workload {
	KTD_WL_SPIN,		/* CPU-bound chunks with cond_resched() */
	KTD_WL_SLEEP,		/* periodic hrtimer sleep, wake-up latency */
	KTD_WL_BLOCK,		/* wait on a wait queue for a simulated I/O */
	KTD_WL_PINGPONG,	/* pairs pass a token, round-trip time */
	KTD_NR_WORKLOADS
};

/* bind setting: a CPU number, or one of these */
#define KTD_BIND_NONE	(-1)	/* unbound: the scheduler places them */
#define KTD_BIND_SPREAD	(-2)	/* thread i on the i-th online CPU, mod */

/* Why a thread is parked (struct ktd_thread.park_why). */
#define KTD_PARK_USER		BIT(0)	/* parked=1 */
#define KTD_PARK_HOTPLUG	BIT(1)	/* its CPU is offline */

/* Latency histograms: [0] same CPU (or the only one), [1] cross-CPU. */
#define KTD_LAT_SAME	0
#define KTD_LAT_CROSS	1

/*
 * What a thread measures. Only the thread writes it; readers (debugfs)
 * read it with READ_ONCE and treat it as zero while gen is stale, that is
 * after a reset the thread has not caught up with yet.
 */
struct ktd_tstats {
	unsigned long gen;	/* pool->stats_gen these stats belong to */
	u64 start_ns;		/* when they were reset */
	u64 loops;
	u64 last_lat_ns;
	unsigned long base_nvcsw, base_nivcsw;
	u64 base_runtime_ns;
	struct ktd_hist lat[2];
};

/* One demo thread. */
struct ktd_thread {
	struct rcu_head rcu;		/* freed after a grace period */
	struct task_struct *task;	/* our own reference (get_task_struct) */
	struct ktd_pool *pool;
	unsigned int id;
	int cpu;			/* bound to this CPU, or -1 */
	bool freezable;			/* fixed at creation */
	bool started;			/* the thread function ran */
	bool finished;			/* it returned after `iterations` */
	unsigned int park_why;		/* KTD_PARK_*, under both locks */
	u64 total_loops;		/* never reset; `iterations` counts these */
	u64 freezes;			/* times it went into the refrigerator */

	wait_queue_head_t wq;		/* block and pingpong wait here */
	struct hrtimer io_timer;	/* block: the simulated device */
	bool io_done;
	u64 io_done_ns;
	u64 inbox;			/* pingpong: last token received */
	u64 answered;			/* ... and sent back (odd threads) */
	int inbox_cpu;			/* ... and the CPU that sent it */
	u64 next_ns;			/* sleep: intended wake-up time */
	u32 rnd;			/* spin: the work's state */

	struct ktd_tstats st;
};

struct ktd_pool {
	struct mutex lock;		/* serialises changes to the pool */
	struct ktd_thread __rcu **threads; /* [0, nr_threads) exist */
	unsigned int nr_threads;
	unsigned int max_threads;
	const char *prefix;		/* threads are named "<prefix>/<id>" */
	struct hlist_node cpuhp_node;	/* instance of the hotplug state */
	spinlock_t exit_lock;		/* finishing vs. parking */

	/* Settings: written under lock, read by the threads locklessly. */
	enum ktd_workload workload;
	unsigned int period_us;
	int bind;			/* CPU number or KTD_BIND_* */
	int nice;
	int policy;			/* SCHED_NORMAL or SCHED_FIFO */
	bool parked;
	bool freezable;
	u64 iterations;			/* 0: run until stopped */
	unsigned int io_stall;		/* block: threads [0, n) never complete */
	bool stats_enabled;
	unsigned long stats_gen;	/* bumped by a reset */
	u64 never_ran;			/* kthread_stop() said -EINTR */
};

extern const char * const ktd_workload_names[KTD_NR_WORKLOADS];

int ktd_pool_init(struct ktd_pool *pool, const char *prefix,
		  unsigned int max_threads);
void ktd_pool_destroy(struct ktd_pool *pool);
int ktd_pool_resize(struct ktd_pool *pool, unsigned int nr);
int ktd_pool_set_workload(struct ktd_pool *pool, enum ktd_workload wl);
int ktd_pool_set_bind(struct ktd_pool *pool, int bind);
int ktd_pool_set_priority(struct ktd_pool *pool, int policy, int nice);
int ktd_pool_set_parked(struct ktd_pool *pool, bool parked);
int ktd_pool_set_freezable(struct ktd_pool *pool, bool freezable);
void ktd_pool_reset_stats(struct ktd_pool *pool);
void ktd_pool_wake_all(struct ktd_pool *pool);
void ktd_pool_show_threads(struct seq_file *m, struct ktd_pool *pool);
void ktd_pool_show_stats(struct seq_file *m, struct ktd_pool *pool);

struct ktd_thread *ktd_thread_create_on_cpu(struct ktd_pool *pool,
					    unsigned int id, int cpu);
int ktd_thread_stop(struct ktd_thread *t);
u64 ktd_thread_loops(const struct ktd_thread *t);
struct ktd_thread *ktd_pool_thread(struct ktd_pool *pool, unsigned int i);

/* Parse the sysfs spellings (shared by the store methods and KUnit). */
int ktd_parse_workload(const char *buf, enum ktd_workload *wl);
int ktd_parse_bind(const char *buf, int *bind);
int ktd_parse_policy(const char *buf, int *policy);

/* /sys/kernel/debug/kthread_demo, for workqueue_demo's files. */
struct dentry *ktd_debugfs_root(void);

#endif /* KTD_KTHREAD_DEMO_H */
