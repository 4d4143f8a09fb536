// SPDX-License-Identifier: GPL-2.0
/*
 * ktd_act_test: the guest tests' client of /dev/ktd_activations
 * (scripts/jobs/test-activations.sh). User space, built by Kbuild as a
 * static program so that it runs in the busybox guest.
 *
 * usage: ktd_act_test errors|block|preempt|exit|hold|pingpong [ARG]
 *
 *   errors     every documented errno, and that a failed call changes
 *              nothing (KTD_ACT_INFO before and after)
 *   block [N]  a VP blocks in read() N times (default 20): each block is
 *              one "blocked" then one "resumed" event; prints the upcall
 *              latency (block to event read), p50 and max, in us
 *   preempt    two VPs spin on one CPU for 300 ms, preempting each other:
 *              no event at all
 *   exit       a VP thread exits: one "exited" event, and its number can
 *              be registered again
 *   hold       registers 4 VP threads, prints "held" and waits to be killed
 *   pingpong MODE [N]
 *              two threads pass a byte through two pipes N times (default
 *              20000) on CPU 0; prints ns per context switch. MODE: off
 *              (nothing registered), other (a third, idle thread is a VP:
 *              the probe is attached and every switch looks it up), vps
 *              (the two switching threads are VPs: every switch makes an
 *              event)
 *
 * Exits 0 if every check held; each failed one is a "# FAIL" line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ktd_activations.h"

static int failures;

#define check(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			printf("# FAIL %s:%d: ", __func__, __LINE__);	\
			printf(__VA_ARGS__);				\
			printf("\n");					\
			failures++;					\
		}							\
	} while (0)

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int dev_open(int flags)
{
	int fd = open(KTD_ACT_DEVICE, O_RDWR | flags);

	if (fd < 0) {
		printf("# FAIL open %s: %s\n", KTD_ACT_DEVICE, strerror(errno));
		exit(1);
	}
	return fd;
}

/* ioctl's errno, 0 on success */
static int reg(int fd, unsigned int id)
{
	return ioctl(fd, KTD_ACT_REGISTER, &id) ? errno : 0;
}

static int unreg(int fd)
{
	return ioctl(fd, KTD_ACT_UNREGISTER) ? errno : 0;
}

static struct ktd_act_info info_of(int fd)
{
	struct ktd_act_info info;

	if (ioctl(fd, KTD_ACT_INFO, &info)) {
		printf("# FAIL KTD_ACT_INFO: %s\n", strerror(errno));
		exit(1);
	}
	return info;
}

/* The next event, waiting up to @ms; 0 if none came. */
static int next_event(int fd, struct ktd_act_event *ev, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return 0;
	return read(fd, ev, sizeof(*ev)) == sizeof(*ev);
}

static void drain(int fd)
{
	struct ktd_act_event ev;

	while (next_event(fd, &ev, 0))
		;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* ---- errors ------------------------------------------------------------- */

struct reg_arg {
	int fd;
	unsigned int id;
	int err;
};

static void *reg_thread(void *p)
{
	struct reg_arg *a = p;

	a->err = reg(a->fd, a->id);
	return NULL;
}

static int reg_in_thread(int fd, unsigned int id)
{
	struct reg_arg a = { .fd = fd, .id = id };
	pthread_t t;

	pthread_create(&t, NULL, reg_thread, &a);
	pthread_join(t, NULL);
	return a.err;
}

static void test_errors(void)
{
	int fd = dev_open(0), other, status, e;
	struct ktd_act_event ev;
	char small[8];
	pid_t child;

	e = reg(fd, KTD_ACT_MAX_VPS);
	check(e == EINVAL, "register %d: %s, expected EINVAL", KTD_ACT_MAX_VPS,
	      strerror(e));
	e = reg(fd, 0xffffffffu);
	check(e == EINVAL, "register 2^32-1: %s, expected EINVAL", strerror(e));
	e = unreg(fd);
	check(e == EINVAL, "unregister unregistered: %s, expected EINVAL",
	      strerror(e));
	check(info_of(fd).nr_vps == 0, "failed calls registered something");
	e = ioctl(fd, _IO(KTD_ACT_IOC_MAGIC, 99)) ? errno : 0;
	check(e == ENOTTY, "unknown ioctl: %s, expected ENOTTY", strerror(e));
	e = read(fd, small, sizeof(small)) < 0 ? errno : 0;
	check(e == EINVAL, "read of 8 bytes: %s, expected EINVAL", strerror(e));

	check(reg(fd, 0) == 0, "register 0 failed");
	e = reg(fd, 1);
	check(e == EBUSY, "second registration of a thread: %s, expected EBUSY",
	      strerror(e));
	/* registered once, with any file */
	other = dev_open(0);
	e = reg(other, 0);
	check(e == EBUSY, "registration with a second file: %s, expected EBUSY",
	      strerror(e));
	check(info_of(other).nr_vps == 0, "failed call registered something");
	close(other);
	e = reg_in_thread(fd, 0);
	check(e == EBUSY, "VP number in use: %s, expected EBUSY", strerror(e));
	e = reg_in_thread(fd, 1);
	check(e == 0, "another thread as VP 1: %s", strerror(e));
	/* VP 1's thread exited: its number is free again */
	e = reg_in_thread(fd, 1);
	check(e == 0, "VP 1 again after its thread exited: %s", strerror(e));
	check(info_of(fd).nr_vps == 2, "nr_vps %u, expected 2",
	      info_of(fd).nr_vps);

	/* a second process (fork shares the file) may not register */
	child = fork();
	if (!child)
		_exit(reg(fd, 2) == EPERM ? 0 : 1);
	waitpid(child, &status, 0);
	check(WIFEXITED(status) && !WEXITSTATUS(status),
	      "a second process's registration did not fail with EPERM");
	check(info_of(fd).nr_vps == 2, "the second process changed nr_vps");

	/* non-blocking read of an empty queue */
	drain(fd);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	e = read(fd, &ev, sizeof(ev)) < 0 ? errno : 0;
	check(e == EAGAIN, "O_NONBLOCK read of nothing: %s, expected EAGAIN",
	      strerror(e));
	check(unreg(fd) == 0, "unregister failed");
	e = unreg(fd);
	check(e == EINVAL, "second unregister: %s, expected EINVAL", strerror(e));
	close(fd);
}

/* ---- block ------------------------------------------------------------------ */

struct blocker {
	int fd, pipe[2], n;
	long long t_read[1000];		/* just before each read() */
};

static void *block_thread(void *p)
{
	struct blocker *b = p;
	char c;
	int i;

	if (reg(b->fd, 0))
		return (void *)1;
	for (i = 0; i < b->n; i++) {
		__atomic_store_n(&b->t_read[i], now_ns(), __ATOMIC_RELEASE);
		if (read(b->pipe[0], &c, 1) != 1)
			return (void *)1;
	}
	unreg(b->fd);
	return NULL;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void test_block(int n)
{
	static struct blocker b;
	long long lat[1000], klat[1000];
	struct ktd_act_event ev;
	pthread_t t;
	void *ret;
	int i;

	if (n < 1 || n > 1000)
		n = 20;
	b.fd = dev_open(0);
	b.n = n;
	if (pipe(b.pipe))
		exit(1);
	pthread_create(&t, NULL, block_thread, &b);
	for (i = 0; i < n; i++) {
		/* the VP's block, then nothing until we write */
		if (!next_event(b.fd, &ev, 5000)) {
			check(0, "block %d: no event within 5 s", i);
			break;
		}
		lat[i] = now_ns() - __atomic_load_n(&b.t_read[i], __ATOMIC_ACQUIRE);
		klat[i] = (long long)ev.ns - b.t_read[i];
		check(ev.type == KTD_ACT_BLOCKED && ev.vp == 0,
		      "block %d: event type %u vp %u, expected blocked vp 0", i,
		      ev.type, ev.vp);
		usleep(2000);
		check(!next_event(b.fd, &ev, 0), "block %d: event while blocked",
		      i);
		if (write(b.pipe[1], "x", 1) != 1)
			exit(1);
		if (!next_event(b.fd, &ev, 5000)) {
			check(0, "block %d: no resume event within 5 s", i);
			break;
		}
		check(ev.type == KTD_ACT_RESUMED && ev.vp == 0,
		      "block %d: event type %u vp %u, expected resumed vp 0", i,
		      ev.type, ev.vp);
	}
	pthread_join(t, &ret);
	check(!ret, "the VP thread failed");
	if (i == n) {
		qsort(lat, n, sizeof(lat[0]), cmp_ll);
		qsort(klat, n, sizeof(klat[0]), cmp_ll);
		printf("# upcall latency, read() to event read: ");
		printf("p50 %.1f us, max %.1f us (%d blocks)\n",
		       lat[n / 2] / 1e3, lat[n - 1] / 1e3, n);
		printf("# read() to the switch's timestamp: p50 %.1f us, max %.1f us\n",
		       klat[n / 2] / 1e3, klat[n - 1] / 1e3);
	}
	close(b.fd);
}

/* ---- preempt ------------------------------------------------------------- */

struct spinner {
	int fd, id, err;
	long long until, t_reg;
	long nivcsw;
};

static void *spin_thread(void *p)
{
	struct spinner *s = p;
	struct rusage ru;

	pin(0);
	s->err = reg(s->fd, s->id);
	s->t_reg = now_ns();
	while (now_ns() < s->until)
		;
	getrusage(RUSAGE_THREAD, &ru);
	s->nivcsw = ru.ru_nivcsw;
	unreg(s->fd);
	return NULL;
}

static void test_preempt(void)
{
	struct spinner s[2];
	struct ktd_act_event ev;
	pthread_t t[2];
	int fd = dev_open(0), i, n = 0, before = 0;
	long long from;

	for (i = 0; i < 2; i++) {
		s[i] = (struct spinner){ .fd = fd, .id = i,
					 .until = now_ns() + 300000000LL };
		pthread_create(&t[i], NULL, spin_thread, &s[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	/*
	 * Only while both spin: until the second has registered, a spinner
	 * may really block (on mmap_lock while the main thread maps the
	 * second's stack, say), and that is an event, rightly.
	 */
	from = s[0].t_reg > s[1].t_reg ? s[0].t_reg : s[1].t_reg;
	while (next_event(fd, &ev, 0)) {
		if ((long long)ev.ns < from)
			before++;
		else if ((long long)ev.ns < s[0].until)
			n++;
	}
	check(!s[0].err && !s[1].err, "registration failed");
	printf("# involuntary switches: %ld and %ld; events while both spun: %d (before: %d)\n",
	       s[0].nivcsw, s[1].nivcsw, n, before);
	check(s[0].nivcsw + s[1].nivcsw > 0, "the spinners were never preempted");
	check(n == 0, "%d events from preemption, expected none", n);
	close(fd);
}

/* ---- exit --------------------------------------------------------------------- */

static void test_exit(void)
{
	int fd = dev_open(0), e;
	struct ktd_act_event ev;

	e = reg_in_thread(fd, 4);
	check(e == 0, "register VP 4: %s", strerror(e));
	do {
		if (!next_event(fd, &ev, 5000)) {
			check(0, "no exited event within 5 s");
			break;
		}
	} while (ev.type != KTD_ACT_EXITED);
	check(ev.vp == 4, "exited vp %u, expected 4", ev.vp);
	check(info_of(fd).nr_vps == 1, "the exited VP is gone already");
	e = reg_in_thread(fd, 4);
	check(e == 0, "VP 4 again after its thread exited: %s", strerror(e));
	close(fd);
}

/* ---- hold --------------------------------------------------------------- */

static void *hold_thread(void *p)
{
	struct reg_arg *a = p;

	a->err = reg(a->fd, a->id);
	for (;;)
		pause();
	return NULL;
}

static void test_hold(void)
{
	static struct reg_arg a[4];
	pthread_t t;
	int fd = dev_open(0), i;

	for (i = 0; i < 4; i++) {
		a[i] = (struct reg_arg){ .fd = fd, .id = i, .err = -1 };
		pthread_create(&t, NULL, hold_thread, &a[i]);
	}
	while (info_of(fd).nr_vps < 4)
		usleep(1000);
	printf("held\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* ---- pingpong ------------------------------------------------------------ */

struct pp {
	int rd, wr, fd, n, id;
};

static void *pp_thread(void *p)
{
	struct pp *a = p;
	char c = 0;
	int i;

	pin(0);
	if (a->fd >= 0 && reg(a->fd, a->id))
		return (void *)1;
	for (i = 0; i < a->n; i++) {
		if (a->id == 0 && write(a->wr, &c, 1) != 1)
			return (void *)1;
		if (read(a->rd, &c, 1) != 1)
			return (void *)1;
		if (a->id == 1 && write(a->wr, &c, 1) != 1)
			return (void *)1;
	}
	if (a->fd >= 0)
		unreg(a->fd);
	return NULL;
}

static void *idle_vp(void *p)
{
	int fd = *(int *)p;

	reg(fd, 9);
	for (;;)
		pause();
	return NULL;
}

static void *drainer(void *p)
{
	int fd = *(int *)p;
	struct ktd_act_event ev[32];
	struct pollfd pf = { .fd = fd, .events = POLLIN };

	pin(0);
	/* until the process exits */
	while (poll(&pf, 1, -1) == 1 && read(fd, ev, sizeof(ev)) > 0)
		;
	return NULL;
}

static void test_pingpong(const char *mode, int n)
{
	int ab[2], ba[2], fd = -1;
	struct pp a, b;
	pthread_t ta, tb, ti, td;
	long long t0, t1;
	void *ra, *rb;

	if (n < 1)
		n = 20000;
	if (pipe(ab) || pipe(ba))
		exit(1);
	if (strcmp(mode, "off")) {
		fd = dev_open(0);
		pthread_create(&ti, NULL, idle_vp, &fd);
		while (info_of(fd).nr_vps < 1)
			usleep(1000);
		pthread_create(&td, NULL, drainer, &fd);
	}
	a = (struct pp){ .rd = ba[0], .wr = ab[1], .n = n, .id = 0,
			 .fd = strcmp(mode, "vps") ? -1 : fd };
	b = (struct pp){ .rd = ab[0], .wr = ba[1], .n = n, .id = 1,
			 .fd = a.fd };
	t0 = now_ns();
	pthread_create(&ta, NULL, pp_thread, &a);
	pthread_create(&tb, NULL, pp_thread, &b);
	pthread_join(ta, &ra);
	pthread_join(tb, &rb);
	t1 = now_ns();
	check(!ra && !rb, "ping-pong failed");
	/* two switches per round trip */
	printf("pingpong %s: %.0f ns per switch (%d round trips)\n", mode,
	       (double)(t1 - t0) / (2.0 * n), n);
	if (fd >= 0) {
		struct ktd_act_info info = info_of(fd);

		printf("# events %llu dropped %llu\n",
		       (unsigned long long)info.events,
		       (unsigned long long)info.dropped);
	}
	/* the idle VP and the drainer go with the process */
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "errors")) {
		test_errors();
	} else if (!strcmp(cmd, "block")) {
		test_block(argc > 2 ? atoi(argv[2]) : 20);
	} else if (!strcmp(cmd, "preempt")) {
		test_preempt();
	} else if (!strcmp(cmd, "exit")) {
		test_exit();
	} else if (!strcmp(cmd, "hold")) {
		test_hold();
	} else if (!strcmp(cmd, "pingpong") && argc > 2) {
		test_pingpong(argv[2], argc > 3 ? atoi(argv[3]) : 0);
	} else {
		fprintf(stderr, "usage: %s errors|block [N]|preempt|exit|hold|",
			argv[0]);
		fprintf(stderr, "pingpong off|other|vps [N]\n");
		return 2;
	}
	return failures ? 1 : 0;
}
