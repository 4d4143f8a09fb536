// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduler activations' upcall on Linux: tell a user-level (M:N) thread
 * runtime the moment one of its kernel threads blocks.
 *
 * /dev/ktd_activations (a misc device, root-only by default; its ABI is
 * in Documentation/ABI/testing/dev-ktd_activations and ktd_activations.h).
 * A process opens it; each of its virtual-processor (VP) threads registers
 * itself with KTD_ACT_REGISTER and a VP number; a waiter reads (or polls)
 * events: "VP k blocked", "VP k resumed", "VP k exited".
 *
 * How. A probe on the sched_switch tracepoint sees every context switch.
 * A switch away from a registered thread that is not a preemption and
 * leaves it in a sleeping state is a block; the next switch to it is a
 * resume; its last switch (TASK_DEAD) is its exit. Preemption and yields
 * leave the state TASK_RUNNING and make no event. The probe runs under
 * the runqueue lock, so it only queues the event in the file's ring and an
 * irq_work; the irq_work, once the switch is over, wakes the readers.
 *
 * Costs nothing with nobody registered: the probe is attached when the
 * first VP anywhere registers and detached when the last goes, so the
 * tracepoint's static key is off again (the same as with the module
 * unloaded). Registered, every context switch on the machine pays for
 * two lookups in a small hash table of registered tasks.
 *
 * Lifetime rules, each owned by one helper:
 *  - ktda_vp_add() is the only place a VP enters ktda_hash (with our
 *    reference to its task), ktda_vp_del() the only place it leaves; both
 *    under ktda_lock, which also counts the VPs and attaches and detaches
 *    the probe. A VP's memory and task reference go after an RCU grace
 *    period (ktda_vp_free()), because the probe may still be looking;
 *  - ktda_file_free() unlinks every VP of the file, waits for a grace
 *    period (no probe can still hold the file) and for the irq_work, then
 *    frees it. A file outlives the threads that registered with it: a
 *    VP whose thread exited stays (marked dead) until it is unregistered,
 *    its number reused, or the file closed;
 *  - an open file holds the module (fops.owner): rmmod fails with EBUSY
 *    while any process has the device open.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/irq_work.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "ktd_activations.h"

#define KTDA_RING	256	/* events queued per file */
#define KTDA_READ_MAX	32	/* events copied per read() */
#define KTDA_HASH_BITS	7

struct ktda_vp {
	struct hlist_node node;		/* in ktda_hash; RCU */
	struct task_struct *task;	/* our reference */
	struct ktda_file *file;
	u32 id;
	bool blocked;			/* under file->lock */
	bool dead;			/* its last switch was seen */
	struct rcu_head rcu;
};

struct ktda_file {
	/* Nests inside the runqueue lock (the probe): raw, never sleeps. */
	raw_spinlock_t lock;
	struct ktd_act_event ring[KTDA_RING];
	unsigned int head, len;		/* under lock */
	u64 events, dropped;		/* under lock */
	wait_queue_head_t wait;
	struct irq_work wake;		/* wakes @wait outside the rq lock */
	struct pid *tgid;		/* only its threads may register */
	struct ktda_vp *vps[KTD_ACT_MAX_VPS];	/* under ktda_lock */
	unsigned int nr_vps;		/* under ktda_lock */
};

static DEFINE_MUTEX(ktda_lock);	/* ktda_hash writers, ktda_nr_vps, probe */
static DEFINE_HASHTABLE(ktda_hash, KTDA_HASH_BITS);
static unsigned int ktda_nr_vps;	/* registered, all files */
static struct tracepoint *ktda_tp;	/* sched_switch */
static bool ktda_attached;
static atomic64_t ktda_total_events = ATOMIC64_INIT(0);
static struct dentry *ktda_debugfs;

/* ---- the probe -------------------------------------------------------- */

static struct ktda_vp *ktda_find(struct task_struct *t)
{
	struct ktda_vp *vp;

	/* The probe holds off preemption (RCU); everyone else ktda_lock. */
	hash_for_each_possible_rcu(ktda_hash, vp, node, (unsigned long)t,
				   lockdep_is_held(&ktda_lock))
		if (vp->task == t)
			return vp;
	return NULL;
}

/*
 * Queue one event for @vp, if it changes the VP's state: a resume only
 * after a block. Called with the runqueue lock held and interrupts off.
 */
static void ktda_event(struct ktda_vp *vp, enum ktd_act_type type)
{
	struct ktda_file *f = vp->file;
	struct ktd_act_event *ev;
	bool queued = false;

	raw_spin_lock(&f->lock);
	if (type == KTD_ACT_RESUMED && !vp->blocked)
		goto out;
	vp->blocked = type == KTD_ACT_BLOCKED;
	if (type == KTD_ACT_EXITED)
		vp->dead = true;
	if (f->len == KTDA_RING) {
		f->dropped++;
		goto out;
	}
	ev = &f->ring[(f->head + f->len) % KTDA_RING];
	ev->vp = vp->id;
	ev->type = type;
	ev->ns = ktime_get_mono_fast_ns();
	f->len++;
	f->events++;
	queued = true;
out:
	raw_spin_unlock(&f->lock);
	if (queued) {
		atomic64_inc(&ktda_total_events);
		irq_work_queue(&f->wake);
	}
}

static void ktda_probe(void *data, bool preempt, struct task_struct *prev,
		       struct task_struct *next, unsigned int prev_state)
{
	struct ktda_vp *vp;

	/*
	 * A block: not a preemption, and prev leaves in a sleeping state.
	 * 6.1 reports a sleep cut short by a pending signal with the old
	 * state although prev stays runnable; its __state says so.
	 */
	if (!preempt && prev_state != TASK_RUNNING &&
	    READ_ONCE(prev->__state) != TASK_RUNNING) {
		vp = ktda_find(prev);
		if (vp)
			ktda_event(vp, prev_state & TASK_DEAD ? KTD_ACT_EXITED :
				   KTD_ACT_BLOCKED);
	}
	vp = ktda_find(next);
	if (vp)
		ktda_event(vp, KTD_ACT_RESUMED);
}

/* Runs once the switch is over, in interrupt context: wake the readers. */
static void ktda_wake(struct irq_work *work)
{
	struct ktda_file *f = container_of(work, struct ktda_file, wake);

	wake_up_interruptible_poll(&f->wait, EPOLLIN | EPOLLRDNORM);
}

/* ---- VPs --------------------------------------------------------------- */

static void ktda_vp_free(struct rcu_head *rcu)
{
	struct ktda_vp *vp = container_of(rcu, struct ktda_vp, rcu);

	put_task_struct(vp->task);
	kfree(vp);
}

/* Take @vp out of the hash and its file; freed after a grace period. */
static void ktda_vp_del(struct ktda_vp *vp)
{
	lockdep_assert_held(&ktda_lock);
	hash_del_rcu(&vp->node);
	vp->file->vps[vp->id] = NULL;
	vp->file->nr_vps--;
	if (!--ktda_nr_vps && ktda_attached) {
		WARN_ON(tracepoint_probe_unregister(ktda_tp, ktda_probe, NULL));
		ktda_attached = false;
	}
	call_rcu(&vp->rcu, ktda_vp_free);
}

/* Register current as VP @id of @f. */
static int ktda_vp_add(struct ktda_file *f, u32 id)
{
	struct ktda_vp *vp;
	int ret;

	lockdep_assert_held(&ktda_lock);
	vp = kzalloc(sizeof(*vp), GFP_KERNEL);
	if (!vp)
		return -ENOMEM;
	if (!ktda_nr_vps) {
		ret = tracepoint_probe_register(ktda_tp, ktda_probe, NULL);
		if (ret) {
			kfree(vp);
			return ret;
		}
		ktda_attached = true;
	}
	get_task_struct(current);
	vp->task = current;
	vp->file = f;
	vp->id = id;
	f->vps[id] = vp;
	f->nr_vps++;
	ktda_nr_vps++;
	hash_add_rcu(ktda_hash, &vp->node, (unsigned long)current);
	return 0;
}

/*
 * Register the calling thread as VP @id of @f.
 *  -EPERM   the caller is not a thread of the process that opened @f
 *  -EINVAL  @id is not below KTD_ACT_MAX_VPS
 *  -EBUSY   the caller is registered already (with any file), or @id is
 *           taken by a thread that has not exited
 */
int ktda_register(struct ktda_file *f, u32 id)
{
	int ret;

	if (task_tgid(current) != f->tgid)
		return -EPERM;
	if (id >= KTD_ACT_MAX_VPS)
		return -EINVAL;
	mutex_lock(&ktda_lock);
	ret = -EBUSY;
	if (ktda_find(current))
		goto out;
	if (f->vps[id]) {
		/* Reusable once its thread exits (PF_EXITING: pthread_join()
		 * may return before the thread's last switch).
		 */
		if (!READ_ONCE(f->vps[id]->dead) &&
		    !(f->vps[id]->task->flags & PF_EXITING))
			goto out;
		ktda_vp_del(f->vps[id]);
	}
	ret = ktda_vp_add(f, id);
out:
	mutex_unlock(&ktda_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(ktda_register);

/* Unregister the calling thread from @f; -EINVAL if it is not a VP of @f. */
int ktda_unregister(struct ktda_file *f)
{
	struct ktda_vp *vp;
	int ret = -EINVAL;

	mutex_lock(&ktda_lock);
	vp = ktda_find(current);
	if (vp && vp->file == f) {
		ktda_vp_del(vp);
		ret = 0;
	}
	mutex_unlock(&ktda_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(ktda_unregister);

bool ktda_probe_attached(void)
{
	bool on;

	mutex_lock(&ktda_lock);
	on = ktda_attached;
	mutex_unlock(&ktda_lock);
	return on;
}
EXPORT_SYMBOL_IF_KUNIT(ktda_probe_attached);

/* ---- files ------------------------------------------------------------- */

/* A file whose VPs must be threads of @tgid; NULL if out of memory. */
struct ktda_file *ktda_file_alloc(struct pid *tgid)
{
	struct ktda_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	raw_spin_lock_init(&f->lock);
	init_waitqueue_head(&f->wait);
	init_irq_work(&f->wake, ktda_wake);
	f->tgid = get_pid(tgid);
	return f;
}
EXPORT_SYMBOL_IF_KUNIT(ktda_file_alloc);

void ktda_file_free(struct ktda_file *f)
{
	unsigned int i;

	mutex_lock(&ktda_lock);
	for (i = 0; i < KTD_ACT_MAX_VPS; i++)
		if (f->vps[i])
			ktda_vp_del(f->vps[i]);
	mutex_unlock(&ktda_lock);
	synchronize_rcu();		/* no probe holds f now ... */
	irq_work_sync(&f->wake);	/* ... and no wake-up is pending */
	put_pid(f->tgid);
	kfree(f);
}
EXPORT_SYMBOL_IF_KUNIT(ktda_file_free);

/* Take up to @n queued events, oldest first; how many. */
unsigned int ktda_pop(struct ktda_file *f, struct ktd_act_event *ev,
		      unsigned int n)
{
	unsigned int i;

	raw_spin_lock_irq(&f->lock);
	for (i = 0; i < n && f->len; i++) {
		ev[i] = f->ring[f->head];
		f->head = (f->head + 1) % KTDA_RING;
		f->len--;
	}
	raw_spin_unlock_irq(&f->lock);
	return i;
}
EXPORT_SYMBOL_IF_KUNIT(ktda_pop);

void ktda_info(struct ktda_file *f, struct ktd_act_info *info)
{
	memset(info, 0, sizeof(*info));
	info->max_vps = KTD_ACT_MAX_VPS;
	mutex_lock(&ktda_lock);
	info->nr_vps = f->nr_vps;
	mutex_unlock(&ktda_lock);
	raw_spin_lock_irq(&f->lock);
	info->events = f->events;
	info->dropped = f->dropped;
	raw_spin_unlock_irq(&f->lock);
}
EXPORT_SYMBOL_IF_KUNIT(ktda_info);

static int ktda_open(struct inode *inode, struct file *file)
{
	struct ktda_file *f = ktda_file_alloc(task_tgid(current));

	if (!f)
		return -ENOMEM;
	file->private_data = f;
	return stream_open(inode, file);
}

static int ktda_release(struct inode *inode, struct file *file)
{
	ktda_file_free(file->private_data);
	return 0;
}

static bool ktda_pending(struct ktda_file *f)
{
	return READ_ONCE(f->len);
}

/* Whole events only: a buffer smaller than one is -EINVAL. */
static ssize_t ktda_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	struct ktda_file *f = file->private_data;
	struct ktd_act_event ev[KTDA_READ_MAX];
	unsigned int n = min_t(size_t, count / sizeof(ev[0]), KTDA_READ_MAX);
	int ret;

	if (!n)
		return -EINVAL;
	for (;;) {
		unsigned int got = ktda_pop(f, ev, n);

		if (got)
			return copy_to_user(buf, ev, got * sizeof(ev[0])) ?
			       -EFAULT : got * sizeof(ev[0]);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(f->wait, ktda_pending(f));
		if (ret)
			return ret;
	}
}

static __poll_t ktda_poll(struct file *file, poll_table *pt)
{
	struct ktda_file *f = file->private_data;

	poll_wait(file, &f->wait, pt);
	return ktda_pending(f) ? EPOLLIN | EPOLLRDNORM : 0;
}

static long ktda_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ktda_file *f = file->private_data;
	struct ktd_act_info info;
	u32 id;

	switch (cmd) {
	case KTD_ACT_REGISTER:
		if (get_user(id, (u32 __user *)arg))
			return -EFAULT;
		return ktda_register(f, id);
	case KTD_ACT_UNREGISTER:
		return ktda_unregister(f);
	case KTD_ACT_INFO:
		ktda_info(f, &info);
		return copy_to_user((void __user *)arg, &info, sizeof(info)) ?
		       -EFAULT : 0;
	}
	return -ENOTTY;
}

static const struct file_operations ktda_fops = {
	.owner = THIS_MODULE,
	.open = ktda_open,
	.release = ktda_release,
	.read = ktda_read,
	.poll = ktda_poll,
	.unlocked_ioctl = ktda_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice ktda_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ktd_activations",
	.fops = &ktda_fops,
	.mode = 0600,
};

/* debugfs status: the probe and the totals (Documentation/ABI/testing). */
static int ktda_status_show(struct seq_file *m, void *v)
{
	mutex_lock(&ktda_lock);
	seq_printf(m, "probe: %s\n", ktda_attached ? "attached" : "detached");
	seq_printf(m, "vps: %u\n", ktda_nr_vps);
	mutex_unlock(&ktda_lock);
	seq_printf(m, "events: %lld\n", atomic64_read(&ktda_total_events));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ktda_status);

static void ktda_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_switch"))
		*(struct tracepoint **)priv = tp;
}

static int __init ktda_init(void)
{
	int ret;

	/* sched_switch's symbol is not exported; the tracepoint is. */
	for_each_kernel_tracepoint(ktda_find_tp, &ktda_tp);
	if (!ktda_tp) {
		pr_err("no sched_switch tracepoint in this kernel\n");
		return -ENODEV;
	}
	ret = misc_register(&ktda_misc);
	if (ret)
		return ret;
	ktda_debugfs = debugfs_create_dir("ktd_activations", NULL);
	debugfs_create_file("status", 0400, ktda_debugfs, NULL,
			    &ktda_status_fops);
	return 0;
}

static void __exit ktda_exit(void)
{
	debugfs_remove(ktda_debugfs);
	misc_deregister(&ktda_misc);
	/* Every file is closed (each held the module): nothing registered. */
	WARN_ON(ktda_nr_vps || ktda_attached);
	rcu_barrier();		/* every ktda_vp_free() has run */
}

module_init(ktda_init);
module_exit(ktda_exit);

MODULE_DESCRIPTION("Scheduler activations: upcalls when a registered thread blocks");
MODULE_AUTHOR("The kthread-demo authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(KTD_VERSION);
