// SPDX-License-Identifier: GPL-2.0
/*
 * Seed 001's fairness claim (ultbench --models, part "fair"): "the kernel
 * gives a process as a whole one time slice irrespective of whether it
 * has 1 or 1000 threads". On one CPU, a process with one CPU-bound
 * thread runs against a process with k of them (k = 1, 4, 16), as M:1
 * ULTs (one kernel thread) or as 1:1 pthreads, for --fair-ms; each
 * process's CPU time is the sum of its threads' on-CPU time
 * (/proc/PID/task/TID/schedstat). The cell is the k-thread process's
 * share.
 *
 * Linux's answer depends on autogroup: with it on, every session is a
 * scheduling group, and the CPU is shared fairly between groups first.
 * So the contests run in the same session as ultbench and, with setsid(),
 * each process in a session of its own; and, where
 * /proc/sys/kernel/sched_autogroup_enabled can be written, with autogroup
 * on and off. The original setting is put back at the end, on SIGINT,
 * SIGTERM and SIGHUP too (scripts wrap this in a trap as well).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench_seed.h"

#define FAIR_NK		3
#define FAIR_MAX_K	16
#define AUTOGROUP	"/proc/sys/kernel/sched_autogroup_enabled"

static const int fair_k[FAIR_NK] = { 1, 4, 16 };

struct fair_shared {
	int ready;
	int go;
	int stop;
};

static struct fair_shared *fs;
static bool fair_ult;

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)

static void *fair_spin(void *arg)
{
	uint64_t x = (uintptr_t)arg;

	while (!LOAD(fs->go)) {
		usleep(200);
		if (fair_ult)
			ult_yield();
	}
	while (!LOAD(fs->stop)) {
		x = hash_work(x, 4096);
		if (fair_ult)
			ult_yield();
	}
	return (void *)(uintptr_t)(x == 1);
}

/* A contestant: k spinning threads of model m, on cpu_a. */
static void __noreturn fair_child(enum smodel m, int k, bool new_session)
{
	const struct smodel_ops *o = &smodels[m];
	void *h[FAIR_MAX_K];
	cpu_set_t one;
	int i;

	if (new_session && setsid() < 0)
		die("setsid: %s", strerror(errno));
	CPU_ZERO(&one);
	CPU_SET(cpu_a, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		die("sched_setaffinity: %s", strerror(errno));
	fair_ult = m == SM_M1;
	if (o->init())
		die("%s: init: %s", o->name, strerror(errno));
	for (i = 0; i < k; i++) {
		h[i] = o->spawn(fair_spin, (void *)(uintptr_t)(i + 1));
		if (!h[i])
			die("%s: create: %s", o->name, strerror(errno));
	}
	__atomic_fetch_add(&fs->ready, 1, __ATOMIC_RELEASE);
	for (i = 0; i < k; i++)
		o->join(h[i]);
	o->fini();
	_exit(0);
}

/* On-CPU time of every thread of pid, ns; -1 if unreadable. */
static long long proc_cpu_ns(pid_t pid)
{
	char path[320];
	long long sum = 0, ns;
	struct dirent *d;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat",
			 (int)pid, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%lld", &ns) == 1)
			sum += ns;
		fclose(f);
	}
	closedir(dir);
	return sum;
}

/*
 * One contest: the k-thread process's share of the CPU, in percent; NaN
 * if neither process got the CPU in fair_ms (a TCG guest on a busy host
 * may not run at all for that long).
 */
static double fair_once(enum smodel m, int k, bool setsid_each)
{
	long long a0, b0, a1, b1;
	pid_t a, b;

	memset(fs, 0, sizeof(*fs));
	a = fork_child();
	if (!a)
		fair_child(SM_1TO1, 1, setsid_each);
	b = fork_child();
	if (!b)
		fair_child(m, k, setsid_each);
	while (LOAD(fs->ready) < 2)
		sleep_ms(1);
	__atomic_store_n(&fs->go, 1, __ATOMIC_RELEASE);
	sleep_ms(5);
	a0 = proc_cpu_ns(a);
	b0 = proc_cpu_ns(b);
	sleep_ms(sopt.fair_ms);
	a1 = proc_cpu_ns(a);
	b1 = proc_cpu_ns(b);
	__atomic_store_n(&fs->stop, 1, __ATOMIC_RELEASE);
	wait_child(a);
	wait_child(b);
	if (a0 < 0 || b0 < 0)
		die("fairness: no /proc/PID/task/*/schedstat");
	if (a1 - a0 + b1 - b0 <= 0)
		return NAN;
	return 100.0 * (b1 - b0) / (double)(a1 - a0 + b1 - b0);
}

#define FAIR_TRIES	3

/* A contest into its cell, tried again if nothing ran. */
static void fair_cell(struct scell *cell, enum smodel m, int k,
		      bool setsid_each)
{
	double v = NAN;
	int i;

	for (i = 0; i < FAIR_TRIES && isnan(v); i++)
		v = fair_once(m, k, setsid_each);
	if (!isnan(v))
		scell_add(cell, v);
	else
		snprintf(cell->why, sizeof(cell->why),
			 "no CPU time for either process in %d ms, %d tries",
			 sopt.fair_ms, FAIR_TRIES);
}

/* ---- autogroup: set, and always put back ---------------------------------- */

static char ag_saved = -1;	/* '0' or '1'; -1: untouched */

static int ag_write(char v)
{
	int fd = open(AUTOGROUP, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, &v, 1) == 1;
	close(fd);
	return ok ? 0 : -1;
}

static int ag_read(void)
{
	int fd = open(AUTOGROUP, O_RDONLY);
	char c = -1;

	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = -1;
	close(fd);
	return c == '0' || c == '1' ? c - '0' : -1;
}

static void ag_restore(void)
{
	if (ag_saved >= 0 && ag_write(ag_saved))
		fprintf(stderr, "ultbench: could not restore %s to %c\n",
			AUTOGROUP, ag_saved);
}

static void ag_on_signal(int sig)
{
	if (ag_saved >= 0 && ag_write(ag_saved))
		sig = SIGKILL;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---- the table ------------------------------------------------------------ */

#define FAIR_ROWS	(2 * 2 * FAIR_NK)

/* Row of autogroup ag (0 on, 1 off), session sess (1: setsid), k=16. */
#define FAIR_ROW16(ag, sess)	((ag) * 2 * FAIR_NK + (sess) * FAIR_NK + 2)

static void fair_claims(struct scell (*cells)[2], int orig)
{
	const char *busy = seed_busy();
	struct rule_values same[] = {
		seed_ratio("fair.k16_share",
			   &cells[FAIR_ROW16(orig == 1 ? 0 : 1, 0)][1], NULL),
	};
	struct rule_values own[] = {
		seed_ratio("fair_setsid.k16_share", &cells[FAIR_ROW16(0, 1)][1],
			   NULL),
	};

	printf("\n");
	judge_claim(stdout, "fair", same, ARRAY_SIZE(same), busy);
	judge_claim(stdout, "fair_setsid", own, ARRAY_SIZE(own), busy);
}

void bench_fair(void)
{
	static const char *const cols[2] = { "M:1", "1:1" };
	static const enum smodel models[2] = { SM_M1, SM_1TO1 };
	static char names[FAIR_ROWS][2][64];
	static struct srow rows[FAIR_ROWS];
	static struct scell cells[FAIR_ROWS][2];
	int orig = ag_read(), run, ag, sess, ki, c, r, settable;
	struct sigaction sa = { .sa_handler = ag_on_signal };
	double share16;

	fs = mmap(NULL, sizeof(*fs), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fs == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(cells, 0, sizeof(cells));
	settable = orig >= 0 && !ag_write('0' + orig);
	if (settable) {
		ag_saved = '0' + orig;
		atexit(ag_restore);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	printf("INFO fairness autogroup_initial=%d autogroup_settable=%d cpu=%d fair_ms=%d\n",
	       orig, settable, cpu_a, sopt.fair_ms);
	for (r = 0; r < FAIR_ROWS; r++) {
		ag = r / (2 * FAIR_NK);
		sess = r / FAIR_NK % 2;
		ki = r % FAIR_NK;
		snprintf(names[r][0], 64, "fair_autogroup%d_%s_k%d", 1 - ag,
			 sess ? "setsid" : "samesession", fair_k[ki]);
		snprintf(names[r][1], 64, "autogroup %s, %s, k=%d",
			 ag ? "off" : "on", sess ? "setsid" : "same sess.",
			 fair_k[ki]);
		rows[r] = (struct srow){ names[r][0], names[r][1], "%", true };
	}
	for (run = 0; run < sopt.runs; run++) {
		fprintf(stderr, "ultbench: fairness, run %d of %d\n", run + 1,
			sopt.runs);
		for (ag = 0; ag < 2; ag++) {
			if (settable ? ag_write(ag ? '0' : '1') :
			    orig != 1 - ag) {
				for (r = ag * 2 * FAIR_NK;
				     r < (ag + 1) * 2 * FAIR_NK; r++)
					for (c = 0; c < 2; c++)
						snprintf(cells[r][c].why,
							 sizeof(cells[r][c].why),
							 "cannot set %s", AUTOGROUP);
				continue;
			}
			for (r = ag * 2 * FAIR_NK; r < (ag + 1) * 2 * FAIR_NK; r++) {
				sess = r / FAIR_NK % 2;
				ki = r % FAIR_NK;
				for (c = 0; c < 2; c++)
					fair_cell(&cells[r][c], models[c],
						  fair_k[ki], sess);
			}
		}
	}
	ag_restore();
	seed_table("seed 001's fairness claim: on one CPU, a 1-thread process against a\n"
		   "k-thread one; the cell is the k-thread process's CPU share (per-process\n"
		   "fairness: 50%; per-thread: k/(k+1), 94.1% for k=16)",
		   rows, FAIR_ROWS, cols, 2, &cells[0][0], 0);
	printf("\nLinux's answer, k=16 pthreads (1:1), share of the 16-thread process:\n");
	for (r = FAIR_NK - 1; r < FAIR_ROWS; r += FAIR_NK) {
		if (!cells[r][1].n)
			continue;
		share16 = scell_med(&cells[r][1]);
		printf("FAIR %s share=%.1f%% => %s\n", rows[r].name, share16,
		       share16 <= 60 ? "one slice per process (the seed's claim)" :
		       share16 >= 85 ? "one slice per thread" : "in between");
	}
	fair_claims(cells, orig);
	munmap(fs, sizeof(*fs));
}
