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

#include <linux/completion.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "ktd_stats.h"

/*
 * Threads write their u64 counters and readers read them without a lock,
 * with READ_ONCE/WRITE_ONCE: tear-free only where a u64 is one word.
 */
#ifndef CONFIG_64BIT
#error "kthread_demo needs a 64-bit kernel: its u64 counters are read locklessly"
#endif

struct dentry;
struct seq_file;
struct task_struct;
struct ktd_pool;
struct ktd_thread;

/*
 * A workload: what the threads do, one loop at a time. ktd_workloads[] in
 * kthread_demo.c holds one row per workload; adding one is a loop function
 * and a row there.
 */
struct ktd_workload {
	const char *name;
	/* One loop; returns whether it counts (a full period, an I/O, ...). */
	bool (*loop)(struct ktd_thread *t, const struct ktd_workload *wl);
	/* Latency histogram names: [KTD_LAT_SAME] and [KTD_LAT_CROSS]. */
	const char *lat_name[2];
};

/* bind setting: a CPU number, or one of these */
#define KTD_BIND_NONE	(-1)	/* unbound: the scheduler places them */
#define KTD_BIND_SPREAD	(-2)	/* thread i on the i-th online CPU, mod */

/* The largest max_threads: the pool's pointer array stays below 512 KiB. */
#define KTD_MAX_THREADS_LIMIT	65536U
#define KTD_PERIOD_MAX_US	10000000U	/* 10 s */

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
	/* Under pool->lock and exit_lock to change, exit_lock to test: */
	bool finished;			/* it returned after `iterations` */
	bool parked;			/* kthread_park()ed for parked=1 */
	bool away;			/* its CPU is offline: it waits */
	bool waiting_cpu;		/* ... and it is in that wait */
	struct completion away_ack;	/* it stopped work for `away` */
	unsigned long gen;		/* pool->settings_gen it runs with */
	u64 total_loops;		/* never reset; `iterations` counts these */
	u64 freezes;			/* times it went into the refrigerator */

	wait_queue_head_t wq;		/* block and pingpong wait here */
	struct hrtimer io_timer;	/* block: the simulated device */
	bool io_done;
	u64 io_done_ns;
	u64 inbox;			/* pingpong: last token received */
	u64 answered;			/* ... and sent back (odd threads) */
	u64 token;			/* ... and the last one sent (even) */
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

	/*
	 * Settings: written under lock with WRITE_ONCE, read by the threads
	 * locklessly. Every change that threads must see at once bumps
	 * settings_gen and wakes them (ktd_pool_changed()).
	 */
	const struct ktd_workload *workload;
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
	unsigned long settings_gen;	/* bumped by every change of settings */
};

extern const struct ktd_workload ktd_workloads[];
extern const unsigned int ktd_nr_workloads;

/*
 * The pool API. Every file in /sys/kernel/kthread_demo has a setter here,
 * which both its store and the KUnit suites call. Each one either
 * succeeds, or fails with -EINVAL, -ERANGE, -EBUSY (or the error of
 * creating a thread) and changes nothing at all.
 */
int ktd_pool_init(struct ktd_pool *pool, const char *prefix,
		  unsigned int max_threads);
void ktd_pool_destroy(struct ktd_pool *pool);
int ktd_pool_resize(struct ktd_pool *pool, unsigned int nr);
int ktd_pool_set_workload(struct ktd_pool *pool, const char *name);
int ktd_pool_set_period(struct ktd_pool *pool, unsigned int period_us);
int ktd_pool_set_bind(struct ktd_pool *pool, int bind);
int ktd_pool_set_nice(struct ktd_pool *pool, int nice);
int ktd_pool_set_policy(struct ktd_pool *pool, int policy);
int ktd_pool_set_parked(struct ktd_pool *pool, bool parked);
int ktd_pool_set_freezable(struct ktd_pool *pool, bool freezable);
int ktd_pool_set_iterations(struct ktd_pool *pool, u64 iterations);
int ktd_pool_set_io_stall(struct ktd_pool *pool, unsigned int io_stall);
int ktd_pool_set_stats_enabled(struct ktd_pool *pool, bool on);
void ktd_pool_reset_stats(struct ktd_pool *pool);
void ktd_pool_show_threads(struct seq_file *m, struct ktd_pool *pool);
void ktd_pool_show_stats(struct seq_file *m, struct ktd_pool *pool);

struct ktd_thread *ktd_thread_create(struct ktd_pool *pool, unsigned int id,
				     int cpu, bool freezable);
int ktd_thread_stop(struct ktd_thread *t);
u64 ktd_thread_loops(const struct ktd_thread *t);
struct ktd_thread *ktd_pool_thread(struct ktd_pool *pool, unsigned int i);

/* Parse the sysfs spellings (shared by the store methods and KUnit). */
const struct ktd_workload *ktd_workload_find(const char *buf);
int ktd_parse_bind(const char *buf, int *bind);
int ktd_parse_policy(const char *buf, int *policy);

/* /sys/kernel/debug/kthread_demo, for workqueue_demo's files. */
struct dentry *ktd_debugfs_root(void);

#endif /* KTD_KTHREAD_DEMO_H */
