// SPDX-License-Identifier: GPL-2.0
/*
 * ult-selftest's cases for the M:N netpoller (ult_netpoll_start()): many
 * threads parked in ult_read() on their own sockets, none holding a VP or
 * a kernel thread of its own, each woken with its own data.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "selftest.h"

#define NP_READERS	500
#define NP_VPS		2

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

static struct {
	int fd[NP_READERS][2];	/* [0] the reader's end, [1] the writer's */
	char got[NP_READERS];
	ssize_t n[NP_READERS];
	int started;
	int stop;
	long steps;		/* the sibling's */
	long steps_parked;	/* its steps while every reader was parked */
} np;

static void *np_reader(void *arg)
{
	long i = (long)arg;

	__atomic_fetch_add(&np.started, 1, __ATOMIC_RELEASE);
	np.n[i] = ult_read(np.fd[i][0], &np.got[i], 1);
	return NULL;
}

static void *np_sibling(void *arg)
{
	(void)arg;
	while (!LOAD(np.stop)) {
		hash_work(1, 64);
		ult_yield();
		STORE(np.steps, np.steps + 1);
	}
	return NULL;
}

/*
 * The bound controller: once every reader has started, it watches the
 * sibling make steps (so the parked readers hold no VP), then writes each
 * reader's byte, last reader first.
 */
static void *np_controller(void *arg)
{
	int64_t deadline = now_ns() + MN_WAIT_MS * NSEC_PER_MSEC;
	long steps;
	int i;
	char c;

	(void)arg;
	while (LOAD(np.started) < NP_READERS && now_ns() < deadline)
		sleep_ms(1);
	steps = LOAD(np.steps);
	while (LOAD(np.steps) < steps + 1000 && now_ns() < deadline)
		sleep_ms(1);
	np.steps_parked = LOAD(np.steps) - steps;
	for (i = NP_READERS - 1; i >= 0; i--) {
		c = 'a' + i % 26;
		if (write(np.fd[i][1], &c, 1) != 1)
			return (void *)-1L;
	}
	return NULL;
}

/* Room for the sockets: the soft limit raised to the hard one. */
static int np_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	return rl.rlim_cur >= 2 * NP_READERS + 64 ? 0 : -1;
}

int test_netpoll_many_readers(void)
{
	struct ult *t[NP_READERS], *sib, *ctl;
	struct ult_mn_stats st;
	void *ret;
	int i;

	if (CHECK_FAILED(ult_netpoll_start() == -1 && errno == EINVAL,
			 "ult_netpoll_start() worked without M:N"))
		return -1;
	if (CHECK_FAILED(!np_raise_nofile(), "RLIMIT_NOFILE too low for %d sockets",
			 2 * NP_READERS))
		return -1;
	for (i = 0; i < NP_READERS; i++)
		if (CHECK_FAILED(!socketpair(AF_UNIX, SOCK_STREAM, 0, np.fd[i]),
				 "socketpair: %s", strerror(errno)))
			return -1;
	if (CHECK_FAILED(ult_init_mn(NP_VPS) == 0, "%s", strerror(errno)))
		return -1;
	if (CHECK_FAILED(ult_netpoll_start() == 0, "%s", strerror(errno)))
		return -1;
	if (CHECK_FAILED(ult_netpoll_start() == -1 && errno == EBUSY,
			 "started twice"))
		return -1;
	sib = ult_create(np_sibling, NULL);
	for (i = 0; i < NP_READERS; i++)
		t[i] = ult_create(np_reader, (void *)(long)i);
	ctl = ult_create_bound(np_controller, NULL);
	if (CHECK_FAILED(sib && ctl && t[NP_READERS - 1], "create: %s",
			 strerror(errno)))
		return -1;
	ret = ult_join(ctl);
	for (i = 0; i < NP_READERS; i++)
		ult_join(t[i]);
	STORE(np.stop, 1);
	ult_join(sib);
	ult_mn_stats(&st);
	ult_fini();
	printf("# %s: %d readers, sibling made %ld steps while they waited;",
	       __func__, NP_READERS, np.steps_parked);
	printf(" %lu netpoller wake-ups, %d kernel threads\n", st.np_wakes,
	       st.kthreads);
	if (CHECK_FAILED(!ret, "write: %s", strerror(errno)))
		return -1;
	for (i = 0; i < NP_READERS; i++) {
		if (CHECK_FAILED(np.n[i] == 1 && np.got[i] == 'a' + i % 26,
				 "reader %d read %zd bytes, '%c'", i, np.n[i],
				 np.got[i]))
			return -1;
		close(np.fd[i][0]);
		close(np.fd[i][1]);
	}
	if (CHECK_FAILED(np.steps_parked >= 1000, "sibling made %ld steps",
			 np.steps_parked))
		return -1;
	/* the VPs and the bound controller: no kernel thread per reader */
	if (CHECK_FAILED(st.kthreads <= NP_VPS + 1, "%d kernel threads",
			 st.kthreads))
		return -1;
	if (CHECK_FAILED(st.np_wakes >= 1, "no reader was woken by the netpoller"))
		return -1;
	return 0;
}
