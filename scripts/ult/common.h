/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ultbench and ult-selftest share: clocks, dying with a message,
 * child processes, a watchdog, and the threads of the blocking experiment
 * (a sibling that notes its longest stall, a reader that waits on a pipe
 * a helper process fills later), which the self-test runs too.
 */
#ifndef ULT_COMMON_H
#define ULT_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ult.h"

#define NSEC_PER_MSEC	1000000LL
#define NSEC_PER_SEC	1000000000LL
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* CLOCK_MONOTONIC and this process's CPU time, in ns. */
int64_t now_ns(void);
int64_t cpu_ns(void);
void sleep_ms(int ms);
/* "<program>: <message>" on stderr, then exit(1). */
void die(const char *fmt, ...) __noreturn __printf(1, 2);

/* fork() a child that dies with us; the child gets 0. */
pid_t fork_child(void);
/* Its exit status; 128 if a signal ended it. */
int wait_child(pid_t pid);
/* Make a pipe and a child that writes msg to it after ms; *pipefd[0] is ours. */
pid_t start_writer(int pipefd[2], int ms, const char *msg);
/* After seconds, whatever is running: a message and _exit(3). */
void watchdog_start(int seconds);

/* The CPU-bound work: a few rounds of a 64-bit integer mixer. */
uint64_t hash_work(uint64_t x, long rounds);

/* The sibling: small steps until the deadline, noting the longest gap. */
struct sibling {
	int64_t deadline;
	int64_t max_gap;
	volatile long steps;
	bool yield;
};

void *sibling_run(void *arg);

/*
 * The reader; it notes how far the sibling got while it waited. bracket:
 * read() between ult_syscall_enter() and ult_syscall_exit() (M:N).
 */
struct reader {
	int fd;
	bool use_ult_read;
	bool bracket;
	char buf[8];
	ssize_t n;
	const volatile long *watch;	/* the sibling's steps, or NULL */
	long steps_during;
};

void *reader_run(void *arg);

#endif /* ULT_COMMON_H */
