// SPDX-License-Identifier: GPL-2.0
/*
 * ult-timeline: the blocking demonstration of the threading models, made
 * to be traced (scripts/timeline.sh -s ult). A reader and two siblings:
 * the siblings compute in small steps; the reader takes a few steps, then
 * read()s a pipe that a helper process fills BLOCK_MS after the reader
 * said it would read, then takes a few more; the siblings stop a few
 * steps after it is done.
 *
 *   m1     M:1: the read blocks the one kernel thread, so every sibling
 *          stops until it returns;
 *   1to1   pthreads: the kernel runs the siblings meanwhile;
 *   mn     M:N on 2 VPs with the monitor (Go's sysmon: 20 us, up to
 *          10 ms), everyone queued on VP 0: the read (bracketed by
 *          ult_syscall_enter()/exit()) blocks VP 0's kernel thread; VP 1
 *          runs what it stole, and the monitor hands VP 0's queue to a
 *          spare kernel thread. (Without the monitor, a sibling still on
 *          VP 0 waits for the read once VP 1 is busy or asleep.)
 *   mnact  mn with scheduler activations (ktd_activations.ko loaded):
 *          VP 1 kept busy by a hog, so nobody steals; the kernel tells
 *          the runtime at once that VP 0 blocked, and a spare kernel
 *          thread takes its queue.
 *
 * Run with ULT_TRACE=1 and the sched_switch event on: the library writes
 * its switches to trace_marker, and this program names the threads
 * ("ult_name id=N name=NAME") and brackets the read ("ult_read begin" and
 * "ult_read end"). In 1:1 each thread writes "ult_switch from=-1 to=ID"
 * once, from its own kernel thread. Prints "done MODEL" at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common.h"

#define STEPS_BEFORE	4	/* the reader's steps before it reads */
#define STEPS_AFTER	4	/* everyone's steps once the read returned */
#define STEP_ROUNDS	200000	/* hash_work() rounds in one step */

enum model { M1, ONE_TO_ONE, MN, MN_ACT };

static const char *const model_name[] = { "m1", "1to1", "mn", "mnact" };

struct task {
	const char *name;
	int id;			/* 1:1: ours; else the ULT's (ult_id()) */
	bool yield;
	bool hog;		/* mnact: keeps VP 1 busy until the end */
	int fd;			/* the reader's pipe, or -1 */
	int go;			/* the reader: tells the helper to start */
};

/*
 * The helper: once it reads a byte from go[0], it waits ms and writes a
 * byte to data[1]. *data[0] and *go[1] are ours.
 */
static pid_t start_helper(int data[2], int go[2], int ms)
{
	pid_t pid;
	char c;

	if (pipe(data) || pipe(go))
		die("pipe: %s", strerror(errno));
	pid = fork_child();
	if (pid == 0) {
		close(data[0]);
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		sleep_ms(ms);
		_exit(write(data[1], "x", 1) == 1 ? 0 : 1);
	}
	close(data[1]);
	close(go[0]);
	return pid;
}

static int reader_done;		/* the read returned */
static int all_done;		/* the reader took its last steps */
static enum model model;

/* One step of work; ULTs let the others on their VP run. */
static uint64_t step(const struct task *t, uint64_t x)
{
	x = hash_work(x, STEP_ROUNDS);
	if (t->yield)
		ult_yield();
	return x;
}

static void *task_run(void *arg)
{
	struct task *t = arg;
	int i, id = model == ONE_TO_ONE ? t->id : ult_id(ult_self());
	uint64_t x = id;
	char buf[8];
	ssize_t n;

	if (model == ONE_TO_ONE) {
		prctl(PR_SET_NAME, t->name);
		ult_trace("ult_switch from=-1 to=%d", id);
	}
	if (t->fd >= 0) {
		for (i = 0; i < STEPS_BEFORE; i++)
			x = step(t, x);
		ult_trace("ult_read begin id=%d", id);
		if (write(t->go, "g", 1) != 1)
			die("write: %s", strerror(errno));
		ult_syscall_enter();
		n = read(t->fd, buf, sizeof(buf));
		ult_syscall_exit();
		ult_trace("ult_read end id=%d n=%zd", id, n);
		if (n != 1)
			die("read: %s", n < 0 ? strerror(errno) : "end of file");
		__atomic_store_n(&reader_done, 1, __ATOMIC_RELEASE);
		for (i = 0; i < STEPS_AFTER; i++)
			x = step(t, x);
		__atomic_store_n(&all_done, 1, __ATOMIC_RELEASE);
		return (void *)(uintptr_t)x;
	}
	while (!__atomic_load_n(t->hog ? &all_done : &reader_done,
				__ATOMIC_ACQUIRE))
		x = step(t, x);
	for (i = 0; !t->hog && i < STEPS_AFTER; i++)
		x = step(t, x);
	return (void *)(uintptr_t)x;
}

int main(int argc, char **argv)
{
	struct task tasks[] = {
		{ .name = "ult-sib1", .fd = -1 },
		{ .name = "ult-sib2", .fd = -1 },
		{ .name = "ult-reader" },
		{ .name = "ult-hog", .fd = -1, .hog = true },
	};
	int ntasks = 3, block_ms = 60, pipefd[2], go[2], i;
	struct ult *u[ARRAY_SIZE(tasks)];
	pthread_t p[ARRAY_SIZE(tasks)];
	pid_t helper;

	for (i = 0; i < (int)ARRAY_SIZE(model_name); i++)
		if (argc >= 2 && !strcmp(argv[1], model_name[i]))
			break;
	if (argc < 2 || argc > 3 || i == (int)ARRAY_SIZE(model_name))
		die("usage: ult-timeline m1|1to1|mn|mnact [BLOCK_MS]");
	model = i;
	if (argc == 3)
		block_ms = atoi(argv[2]);
	if (block_ms <= 0)
		die("BLOCK_MS: a positive number of ms");
	watchdog_start(60);
	if (ult_trace_start())
		die("ULT_TRACE=1, but trace_marker: %s", strerror(errno));
	ult_trace("ult_model name=%s", model_name[model]);
	helper = start_helper(pipefd, go, block_ms);
	tasks[2].fd = pipefd[0];
	tasks[2].go = go[1];
	if (model == MN_ACT)
		ntasks = 4;
	if (model == ONE_TO_ONE) {
		for (i = 0; i < ntasks; i++) {
			tasks[i].id = i + 1;
			ult_trace("ult_name id=%d name=%s", i + 1, tasks[i].name + 4);
			if (pthread_create(&p[i], NULL, task_run, &tasks[i]))
				die("pthread_create failed");
		}
		for (i = 0; i < ntasks; i++)
			pthread_join(p[i], NULL);
		goto out;
	}
	if (model == M1 ? ult_init(ULT_SWITCH_ASM) : ult_init_mn(2))
		die("cannot start the runtime: %s", strerror(errno));
	if (model == MN && ult_monitor_start(20, 10000))
		die("ult_monitor_start: %s", strerror(errno));
	if (model == MN_ACT && ult_activations_start())
		die("ult_activations_start: %s", strerror(errno));
	for (i = ntasks - 1; i >= 0; i--) {
		tasks[i].yield = true;
		/* the hog first, on VP 1, so that VP never idles */
		u[i] = ult_create_on(tasks[i].hog ? 1 : 0, task_run, &tasks[i]);
		if (!u[i])
			die("ult_create_on: %s", strerror(errno));
		tasks[i].id = ult_id(u[i]);
		ult_trace("ult_name id=%d name=%s", tasks[i].id, tasks[i].name + 4);
	}
	for (i = 0; i < ntasks; i++)
		ult_join(u[i]);
	if (model == MN)
		ult_monitor_stop();
	if (model == MN_ACT)
		ult_activations_stop();
	ult_fini();
out:
	close(pipefd[0]);
	close(go[1]);
	if (wait_child(helper))
		die("the helper failed");
	ult_trace("ult_model end");
	printf("done %s\n", model_name[model]);
	return 0;
}
