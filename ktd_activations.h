/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ktd_activations: scheduler activations' upcall, as a device.
 *
 * The interface of /dev/ktd_activations (Documentation/ABI/testing/
 * dev-ktd_activations), shared by the module and user space
 * (scripts/ult/ult_mn.c, ktd_act_test.c). A process opens the device;
 * each of its virtual-processor (VP) threads registers itself with
 * KTD_ACT_REGISTER; a waiter reads struct ktd_act_event records, one per
 * "VP k blocked in the kernel", "VP k runs again" or "VP k exited".
 * Preemption makes no event.
 */
#ifndef KTD_ACTIVATIONS_H
#define KTD_ACTIVATIONS_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KTD_ACT_DEVICE		"/dev/ktd_activations"
#define KTD_ACT_MAX_VPS		64	/* VP numbers per open file: 0..63 */

enum ktd_act_type {
	KTD_ACT_BLOCKED = 1,	/* the VP's thread blocked in the kernel */
	KTD_ACT_RESUMED = 2,	/* ... and runs again */
	KTD_ACT_EXITED = 3,	/* the VP's thread exited (its last switch) */
};

/* What read() returns, whole records only. */
struct ktd_act_event {
	__u32 vp;		/* the number the thread registered as */
	__u32 type;		/* enum ktd_act_type */
	__u64 ns;		/* when, CLOCK_MONOTONIC */
};

/* KTD_ACT_INFO */
struct ktd_act_info {
	__u32 max_vps;		/* KTD_ACT_MAX_VPS */
	__u32 nr_vps;		/* registered with this file now */
	__u64 events;		/* queued since open */
	__u64 dropped;		/* lost because the queue was full */
};

#define KTD_ACT_IOC_MAGIC	0xB7
/* Register the calling thread as VP number *arg (0..KTD_ACT_MAX_VPS-1). */
#define KTD_ACT_REGISTER	_IOW(KTD_ACT_IOC_MAGIC, 1, __u32)
/* Unregister the calling thread. */
#define KTD_ACT_UNREGISTER	_IO(KTD_ACT_IOC_MAGIC, 2)
#define KTD_ACT_INFO		_IOR(KTD_ACT_IOC_MAGIC, 3, struct ktd_act_info)

#ifdef __KERNEL__
/* The module's insides, for its KUnit suite (kunit/ktd_activations_test.c). */
struct ktda_file;
struct pid;

struct ktda_file *ktda_file_alloc(struct pid *tgid);
void ktda_file_free(struct ktda_file *f);
int ktda_register(struct ktda_file *f, u32 id);
int ktda_unregister(struct ktda_file *f);
unsigned int ktda_pop(struct ktda_file *f, struct ktd_act_event *ev,
		      unsigned int n);
void ktda_info(struct ktda_file *f, struct ktd_act_info *info);
bool ktda_probe_attached(void);
#endif

#endif /* KTD_ACTIVATIONS_H */
