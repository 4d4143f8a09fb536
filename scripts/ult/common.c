// SPDX-License-Identifier: GPL-2.0
/*
 * What ultbench and ult-selftest share (see common.h): clocks, die(),
 * child processes, the watchdog, and the blocking experiment's threads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

int64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * NSEC_PER_MSEC };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

pid_t fork_child(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

pid_t start_writer(int pipefd[2], int ms, const char *msg)
{
	pid_t pid;

	if (pipe(pipefd))
		die("pipe: %s", strerror(errno));
	pid = fork_child();
	if (pid == 0) {
		close(pipefd[0]);
		sleep_ms(ms);
		if (write(pipefd[1], msg, strlen(msg)) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	return pid;
}

static char watchdog_msg[64];

static void watchdog_fire(int sig)
{
	(void)sig;
	if (write(2, watchdog_msg, strlen(watchdog_msg)) < 0)
		_exit(3);
	_exit(3);
}

/* Nothing may hang: end the run (forked children die with it). */
void watchdog_start(int seconds)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGUSR1,
	};
	struct itimerspec its = { .it_value = { seconds, 0 } };
	timer_t timer;

	snprintf(watchdog_msg, sizeof(watchdog_msg),
		 "%s: watchdog: run took too long\n",
		 program_invocation_short_name);
	signal(SIGUSR1, watchdog_fire);
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) ||
	    timer_settime(timer, 0, &its, NULL))
		die("watchdog: %s", strerror(errno));
}

uint64_t hash_work(uint64_t x, long rounds)
{
	long i;

	for (i = 0; i < rounds; i++) {
		x ^= x >> 33;
		x *= 0xff51afd7ed558ccdULL;
		x += i;
	}
	return x;
}

void *sibling_run(void *arg)
{
	struct sibling *s = arg;
	int64_t last = now_ns(), t;
	uint64_t x = 1;

	do {
		x = hash_work(x, 64);
		if (s->yield)
			ult_yield();
		t = now_ns();
		if (t - last > s->max_gap)
			s->max_gap = t - last;
		last = t;
		__atomic_store_n(&s->steps, s->steps + 1, __ATOMIC_RELAXED);
	} while (t < __atomic_load_n(&s->deadline, __ATOMIC_RELAXED));
	return (void *)(uintptr_t)x;
}

void *reader_run(void *arg)
{
	struct reader *rd = arg;
	long before = rd->watch ? __atomic_load_n(rd->watch, __ATOMIC_RELAXED) : 0;

	if (rd->use_ult_read) {
		rd->n = ult_read(rd->fd, rd->buf, sizeof(rd->buf));
	} else {
		if (rd->bracket)
			ult_syscall_enter();
		rd->n = read(rd->fd, rd->buf, sizeof(rd->buf));
		if (rd->bracket)
			ult_syscall_exit();
	}
	if (rd->watch)
		rd->steps_during = __atomic_load_n(rd->watch, __ATOMIC_RELAXED) -
				   before;
	return NULL;
}
