/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference kthread-demo cares about.
 *
 * The code is written against the newest API (6.12); each shim below
 * backfills one thing for older kernels (down to 6.1), one commented block
 * per difference. Nothing else in the tree tests the kernel version.
 */
#ifndef KTD_COMPAT_H
#define KTD_COMPAT_H

#include <linux/kthread.h>
#include <linux/sched/task.h>
#include <linux/version.h>

/* kthread_stop_put() (stop, then drop our task reference) arrived in 6.6. */
#if KERNEL_VERSION(6, 6, 0) > LINUX_VERSION_CODE
static inline int kthread_stop_put(struct task_struct *k)
{
	int ret = kthread_stop(k);

	put_task_struct(k);
	return ret;
}
#endif

/*
 * __assign_str() lost its source argument in 6.10: it copies the one
 * given to __string(). For the trace events (ktd_trace.h); src is the
 * same expression either way.
 */
#if KERNEL_VERSION(6, 10, 0) > LINUX_VERSION_CODE
#define ktd_assign_str(dst, src)	__assign_str(dst, src)
#else
#define ktd_assign_str(dst, src)	\
	do { (void)(src); __assign_str(dst); } while (0)
#endif

#endif /* KTD_COMPAT_H */
