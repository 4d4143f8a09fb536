// SPDX-License-Identifier: GPL-2.0
/*
 * A pool of kernel threads under live control.
 *
 * The pool is sized through /sys/kernel/kthread_demo/nr_threads, and what
 * each thread does shows in /sys/kernel/debug/kthread_demo/threads.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kobject.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "compat.h"
#include "kthread_demo.h"

static unsigned int max_threads = 4096;
module_param(max_threads, uint, 0444);
MODULE_PARM_DESC(max_threads, "Upper bound for nr_threads (default 4096)");

static unsigned int nr_threads = 1;
module_param(nr_threads, uint, 0444);
MODULE_PARM_DESC(nr_threads, "Threads started at load time (default 1)");

static struct ktd_pool ktd_main;
static struct kobject *ktd_kobj;
static struct dentry *ktd_debugfs;

static int ktd_thread_fn(void *data)
{
	struct ktd_thread *t = data;

	while (!kthread_should_stop()) {
		WRITE_ONCE(t->loops, t->loops + 1);
		fsleep(READ_ONCE(t->pool->period_us));
	}
	return 0;
}

u64 ktd_thread_loops(const struct ktd_thread *t)
{
	return READ_ONCE(t->loops);
}
EXPORT_SYMBOL_IF_KUNIT(ktd_thread_loops);

static struct ktd_thread *ktd_thread_start(struct ktd_pool *pool,
					   unsigned int id)
{
	struct ktd_thread *t;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->id = id;
	t->pool = pool;
	t->task = kthread_create(ktd_thread_fn, t, "%s/%u", pool->prefix, id);
	if (IS_ERR(t->task)) {
		int err = PTR_ERR(t->task);

		kfree(t);
		return ERR_PTR(err);
	}
	get_task_struct(t->task);
	wake_up_process(t->task);
	return t;
}

/* The one place a demo thread is stopped and freed. */
static void ktd_thread_stop(struct ktd_thread *t)
{
	kthread_stop_put(t->task);
	kfree(t);
}

/**
 * ktd_pool_resize - grow or shrink a pool to @nr running threads
 * @pool: the pool
 * @nr: the new size, at most @pool->max_threads
 *
 * Threads that stay are not touched. If growing fails part way, the
 * threads just started are stopped again and the pool keeps its old size.
 *
 * Return: 0, -ERANGE if @nr is above the cap, or the creation error.
 */
int ktd_pool_resize(struct ktd_pool *pool, unsigned int nr)
{
	unsigned int old;
	int err = 0;

	if (nr > pool->max_threads)
		return -ERANGE;

	mutex_lock(&pool->lock);
	old = pool->nr_threads;
	while (pool->nr_threads < nr) {
		struct ktd_thread *t = ktd_thread_start(pool, pool->nr_threads);

		if (IS_ERR(t)) {
			err = PTR_ERR(t);
			nr = old;
			break;
		}
		pool->threads[pool->nr_threads++] = t;
	}
	while (pool->nr_threads > nr)
		ktd_thread_stop(pool->threads[--pool->nr_threads]);
	mutex_unlock(&pool->lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_resize);

int ktd_pool_init(struct ktd_pool *pool, const char *prefix,
		  unsigned int max_threads)
{
	pool->threads = kvcalloc(max_threads, sizeof(*pool->threads),
				 GFP_KERNEL);
	if (!pool->threads)
		return -ENOMEM;
	mutex_init(&pool->lock);
	pool->nr_threads = 0;
	pool->max_threads = max_threads;
	pool->period_us = 1000;
	pool->prefix = prefix;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_init);

void ktd_pool_destroy(struct ktd_pool *pool)
{
	ktd_pool_resize(pool, 0);
	mutex_destroy(&pool->lock);
	kvfree(pool->threads);
	pool->threads = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ktd_pool_destroy);

/* ---- sysfs: /sys/kernel/kthread_demo ---------------------------------- */

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
	int err;

	err = kstrtouint(buf, 0, &nr);
	if (err)
		return err;
	err = ktd_pool_resize(&ktd_main, nr);
	return err ? err : count;
}

static struct kobj_attribute nr_threads_attr = __ATTR_RW(nr_threads);

static struct attribute *ktd_attrs[] = {
	&nr_threads_attr.attr,
	NULL,
};

static const struct attribute_group ktd_group = {
	.attrs = ktd_attrs,
};

/* ---- debugfs: /sys/kernel/debug/kthread_demo ------------------------- */

static int threads_show(struct seq_file *m, void *v)
{
	struct ktd_pool *pool = m->private;
	unsigned int i;

	seq_printf(m, "%-12s %8s %12s\n", "name", "pid", "loops");
	mutex_lock(&pool->lock);
	for (i = 0; i < pool->nr_threads; i++) {
		struct ktd_thread *t = pool->threads[i];

		seq_printf(m, "%-12s %8d %12llu\n", t->task->comm,
			   task_pid_nr(t->task), ktd_thread_loops(t));
	}
	mutex_unlock(&pool->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(threads);

struct dentry *ktd_debugfs_root(void)
{
	return ktd_debugfs;
}
EXPORT_SYMBOL_GPL(ktd_debugfs_root);

static int __init ktd_init(void)
{
	int err;

	if (nr_threads > max_threads) {
		pr_err("nr_threads=%u is above max_threads=%u\n",
		       nr_threads, max_threads);
		return -ERANGE;
	}
	err = ktd_pool_init(&ktd_main, "ktd", max_threads);
	if (err)
		return err;

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
	return err;
}

static void __exit ktd_exit(void)
{
	/* Interfaces first, so no store can start a thread behind us. */
	debugfs_remove(ktd_debugfs);
	kobject_put(ktd_kobj);
	ktd_pool_destroy(&ktd_main);
	pr_info("unloaded\n");
}

module_init(ktd_init);
module_exit(ktd_exit);

MODULE_DESCRIPTION("Kernel threads under live control, measured");
MODULE_AUTHOR("The kthread-demo authors");
MODULE_LICENSE("GPL");
