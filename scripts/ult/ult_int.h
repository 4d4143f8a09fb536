/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ult's internals, shared by its two runtimes and by no user of the
 * library: the thread control block, the stack region helpers, and the
 * calls through which ult.c (the many-to-one runtime and the public entry
 * points) hands every operation to ult_mn.c (the M:N runtime) while
 * ult_mn_on is set.
 */
#ifndef ULT_INT_H
#define ULT_INT_H

#include <stdbool.h>
#include <ucontext.h>

#include "ult.h"

#define ULT_STACK_SIZE		(64 * 1024)	/* usable stack per thread */

enum ult_state {
	ULT_RUNNABLE,
	ULT_WAIT_FD,
	ULT_WAIT_JOIN,
	ULT_WAIT_SYNC,		/* a mutex, a condition variable, going home */
	ULT_DONE,
};

struct ult_vp;
struct ult_kt;

/*
 * The thread control block, at the top of the thread's stack region.
 * The fields after "id" are the M:N runtime's; M:1 leaves them zero.
 */
struct ult {
	struct ult *next;	/* run queue, wait list, fd_waiters[] or free list */
	void *sp;		/* ULT_SWITCH_ASM: saved stack pointer */
	ucontext_t uc;		/* ULT_SWITCH_UCONTEXT: saved context */
	char *region;		/* mmap()ed region, NULL for main */
	size_t region_size;
	ult_fn_t fn;
	void *arg;
	void *ret;
	struct ult *joiner;
	enum ult_state state;
	int id;
	struct ult_vp *vp;	/* M:N: the VP it last ran on */
	struct ult_kt *kt;	/* M:N: a bound thread's own kernel thread */
	int lock;		/* M:N: guards state, joiner and ret (mn_lock) */
	int parked;		/* M:N, bound: futex word, 1 while it waits */
	void *tsan_fiber;	/* M:N under ThreadSanitizer: its fiber */
};

/* Waiters of a mutex or condition variable: a FIFO through t->next. */
static inline void wl_add(struct ult **head, struct ult **tail, struct ult *t)
{
	t->next = NULL;
	if (*tail)
		(*tail)->next = t;
	else
		*head = t;
	*tail = t;
}

static inline struct ult *wl_pop(struct ult **head, struct ult **tail)
{
	struct ult *t = *head;

	if (t) {
		*head = t->next;
		if (!*head)
			*tail = NULL;
		t->next = NULL;
	}
	return t;
}

/* Set while the M:N runtime is in use (ult_init_mn() to ult_fini()). */
extern bool ult_mn_on;

/* ult.c: trace_marker, open (>= 0) only while tracing was asked for. */
extern int ult_trace_fd;
void ult_trace_switch(int from, int to);

/* ult.c: a thread's stack region and its first frame for the asm switch. */
struct ult *ult_region_new(void);
void ult_region_free(struct ult *t);
void ult_frame_init(struct ult *t, void (*start)(void));

/* ult_mn.c: what the public calls in ult.c do in M:N mode. */
int ult_mn_init(int nvp);
void ult_mn_fini(void);
struct ult *ult_mn_create(int vp, ult_fn_t fn, void *arg);
void ult_mn_yield(void);
void ult_mn_exit(void *ret) __noreturn;
void *ult_mn_join(struct ult *t);
struct ult *ult_mn_self(void);
int ult_mn_vp_id(void);
int ult_mn_nvp(void);
unsigned long ult_mn_switches(void);
ssize_t ult_mn_read(int fd, void *buf, size_t count);
void ult_mn_mutex_lock(struct ult_mutex *m);
int ult_mn_mutex_trylock(struct ult_mutex *m);
void ult_mn_mutex_unlock(struct ult_mutex *m);
void ult_mn_cond_wait(struct ult_cond *c, struct ult_mutex *m);
void ult_mn_cond_wake(struct ult_cond *c, bool all);

#endif /* ULT_INT_H */
