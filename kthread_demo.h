/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The thread pool behind /sys/kernel/kthread_demo.
 *
 * The module owns one pool (ktd_main); the KUnit suites create pools of
 * their own through the same functions, so they test the real code without
 * touching the one users see.
 */
#ifndef KTD_KTHREAD_DEMO_H
#define KTD_KTHREAD_DEMO_H

#include <linux/mutex.h>
#include <linux/types.h>

struct dentry;
struct task_struct;
struct ktd_pool;

/* One demo thread. Counters are written only by the thread itself. */
struct ktd_thread {
	struct task_struct *task;	/* our own reference (get_task_struct) */
	struct ktd_pool *pool;
	unsigned int id;
	u64 loops;			/* WRITE_ONCE by the thread */
};

struct ktd_pool {
	struct mutex lock;		/* serialises changes to the pool */
	struct ktd_thread **threads;	/* [0, nr_threads) are running */
	unsigned int nr_threads;
	unsigned int max_threads;
	unsigned int period_us;		/* sleep between loops */
	const char *prefix;		/* threads are named "<prefix>/<id>" */
};

int ktd_pool_init(struct ktd_pool *pool, const char *prefix,
		  unsigned int max_threads);
void ktd_pool_destroy(struct ktd_pool *pool);
int ktd_pool_resize(struct ktd_pool *pool, unsigned int nr);
u64 ktd_thread_loops(const struct ktd_thread *t);

/* /sys/kernel/debug/kthread_demo, for workqueue_demo's files. */
struct dentry *ktd_debugfs_root(void);

#endif /* KTD_KTHREAD_DEMO_H */
