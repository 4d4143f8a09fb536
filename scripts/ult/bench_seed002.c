// SPDX-License-Identifier: GPL-2.0
/*
 * Seed 002's performance table, measured row by row on M:1, M:N (with the
 * netpoller), 1:1 and processes (ultbench --models, part "seed002"):
 *
 *   short-lived threads        create+join of threads that do nothing, in
 *                              batches of 64: creations per second;
 *   I/O-bound concurrency      K socketpair connections (--io-k, default
 *                              10,100,1000,10000), one server thread per
 *                              connection echoing 8-byte requests; a client
 *                              process keeps 32 requests in flight on
 *                              random connections for --io-ms: throughput,
 *                              p99 latency, and memory per thread (the
 *                              server's RSS increase over K, after every
 *                              thread has served once; processes: the
 *                              private memory of a child), with the kernel
 *                              stacks it added per thread beside it (not in
 *                              any RSS);
 *   CPU-bound parallelism      a fixed job (--work hash rounds) split over
 *                              one thread per online CPU: wall time;
 *   fine-grained switching     two threads hand a turn back and forth
 *                              through a mutex and condition variable, all
 *                              on one CPU: round trip;
 *   high-throughput I/O and    100 connections, all with a request in
 *   parallelism                flight, each request costing 20000 hash
 *                              rounds of CPU: throughput.
 *
 * Each cell runs --seed-runs times; the table gives the median, the
 * min..max of the runs and the ratio to M:1. Then, per row, the measured
 * winner beside the seed's, flagged where they differ. Processes serve at
 * most --io-proc-max connections (a fork per connection), and a model
 * that cannot start K threads says why (for pthreads: the limits).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_seed.h"

#define CREATE_BATCH	64
#define IO_WINDOW	32		/* requests in flight, I/O-bound rows */
#define IO_TPUT_K	100		/* connections, throughput row */
#define IO_TPUT_WORK	20000L		/* hash rounds per request there */
#define IO_MAX_LAT	1048576		/* latency samples kept */
#define IO_STALL_MS	5000		/* the client gives up after this */
#define PP_ROUNDS_ULT	20000
#define PP_ROUNDS_KERN	2000
#define MAX_IO_K	SEED_MAX_IO_K

/* ---- short-lived threads ------------------------------------------------- */

static void *nop_thread(void *arg)
{
	return arg;
}

/* Creations per second: n threads, CREATE_BATCH at a time. */
static double create_once(const struct smodel_ops *o, int n, char *why,
			  size_t wlen)
{
	void *h[CREATE_BATCH];
	int64_t t0;
	int i, j, b;

	if (o->init()) {
		snprintf(why, wlen, "init: %s", strerror(errno));
		return 0;
	}
	t0 = now_ns();
	for (i = 0; i < n; i += b) {
		b = n - i < CREATE_BATCH ? n - i : CREATE_BATCH;
		for (j = 0; j < b; j++) {
			h[j] = o->spawn(nop_thread, NULL);
			if (!h[j])
				die("%s: create: %s", o->name, strerror(errno));
		}
		for (j = 0; j < b; j++)
			o->join(h[j]);
	}
	t0 = now_ns() - t0;
	o->fini();
	return n * 1e9 / t0;
}

/* ---- I/O: one server thread per connection -------------------------------- */

struct io_shared {
	long done;		/* requests answered while measuring */
	int64_t elapsed;
	char why[160];		/* the client's failure, if any */
	int nlat;
	float lat[IO_MAX_LAT];	/* ns */
};

static struct {
	int (*fd)[2];		/* [0] the server's end, [1] the client's */
	int k;
	long work;
	const struct smodel_ops *o;
} io;

static void *io_server(void *arg)
{
	int fd = io.fd[(long)arg][0];
	uint64_t msg;

	while (io.o->read(fd, &msg, sizeof(msg)) == sizeof(msg)) {
		if (io.work && hash_work(msg, io.work) == 1)
			msg++;
		if (write(fd, &msg, sizeof(msg)) != sizeof(msg))
			break;
	}
	return NULL;
}

static void io_send(int fd, struct io_shared *sh)
{
	uint64_t t = now_ns();

	if (write(fd, &t, sizeof(t)) != sizeof(t) && !sh->why[0])
		snprintf(sh->why, sizeof(sh->why), "client write: %s",
			 strerror(errno));
}

/*
 * The client, a process of its own: wait for "s" (every server thread
 * exists: creating them is not serving, and under TCG a hundred forks
 * take seconds), one request on every connection (the warm-up: every
 * server thread has run once), "w" up, wait for "g", then window
 * requests in flight on random idle connections for ms.
 */
static void io_client(int window, int ms, int up, int down,
		      struct io_shared *sh)
{
	struct epoll_event ev[256];
	int64_t t0, end, t, idle_since;
	int ep, i, j, n, out = 0, got = 0;
	unsigned int rnd = 12345;
	bool *busy = calloc(io.k, sizeof(*busy));
	uint64_t msg;
	char c;

	ep = epoll_create1(0);
	if (ep < 0 || !busy)
		die("client: %s", strerror(errno));
	if (read(down, &c, 1) != 1)
		die("client: control pipe: %s", strerror(errno));
	for (i = 0; i < io.k; i++) {
		ev[0].events = EPOLLIN;
		ev[0].data.u32 = i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, io.fd[i][1], &ev[0]))
			die("client: epoll_ctl: %s", strerror(errno));
		io_send(io.fd[i][1], sh);
	}
	while (got < io.k) {
		n = epoll_wait(ep, ev, 256, IO_STALL_MS);
		if (n <= 0) {
			snprintf(sh->why, sizeof(sh->why),
				 "warm-up stalled: %d of %d answered", got,
				 io.k);
			return;
		}
		for (j = 0; j < n; j++)
			got += read(io.fd[ev[j].data.u32][1], &msg,
				    sizeof(msg)) == sizeof(msg);
	}
	if (write(up, "w", 1) != 1 || read(down, &c, 1) != 1)
		die("client: control pipe: %s", strerror(errno));
	t0 = now_ns();
	end = t0 + ms * NSEC_PER_MSEC;
	for (i = 0; i < window && i < io.k; i++) {
		busy[i] = true;
		io_send(io.fd[i][1], sh);
		out++;
	}
	idle_since = t0;
	while (out) {
		n = epoll_wait(ep, ev, 256, 100);
		t = now_ns();
		if (n <= 0) {
			if (t - idle_since > IO_STALL_MS * NSEC_PER_MSEC) {
				snprintf(sh->why, sizeof(sh->why),
					 "stalled with %d requests in flight",
					 out);
				return;
			}
			continue;
		}
		idle_since = t;
		for (j = 0; j < n; j++) {
			i = ev[j].data.u32;
			if (read(io.fd[i][1], &msg, sizeof(msg)) != sizeof(msg))
				continue;
			if (sh->nlat < IO_MAX_LAT)
				sh->lat[sh->nlat++] = (float)(t - (int64_t)msg);
			sh->done++;
			busy[i] = false;
			out--;
			if (t >= end)
				continue;
			if (window < io.k) {	/* another idle connection */
				rnd = rnd * 1103515245U + 12345U;
				for (i = (rnd >> 8) % io.k; busy[i];
				     i = (i + 1) % io.k)
					;
			}
			busy[i] = true;
			io_send(io.fd[i][1], sh);
			out++;
		}
	}
	sh->elapsed = now_ns() - t0;
}

/* Private memory of a child process, from smaps_rollup; -1 if unknown. */
static long private_bytes(pid_t pid)
{
	char path[64], line[128];
	long kb, sum = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Private_Clean: %ld", &kb) == 1 ||
		    sscanf(line, "Private_Dirty: %ld", &kb) == 1)
			sum += kb;
	fclose(f);
	return sum * 1024;
}

/* Why pthread_create() may have failed: the limits that apply. */
static void thread_limits(char *buf, size_t len)
{
	char tm[32] = "?", mm[32] = "?";
	struct rlimit rl;
	FILE *f;

	f = fopen("/proc/sys/kernel/threads-max", "r");
	if (f) {
		if (!fgets(tm, sizeof(tm), f))
			snprintf(tm, sizeof(tm), "?");
		fclose(f);
	}
	f = fopen("/proc/sys/vm/max_map_count", "r");
	if (f) {
		if (!fgets(mm, sizeof(mm), f))
			snprintf(mm, sizeof(mm), "?");
		fclose(f);
	}
	tm[strcspn(tm, "\n")] = '\0';
	mm[strcspn(mm, "\n")] = '\0';
	getrlimit(RLIMIT_NPROC, &rl);
	snprintf(buf, len, "threads-max=%s RLIMIT_NPROC=%ld max_map_count=%s",
		 tm, (long)rl.rlim_cur, mm);
}

struct io_res {
	double tput, p99, mem, kstack;
	char why[160];
};

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

/*
 * Room for k sockets and a batch: raise the soft RLIMIT_NOFILE (and the
 * hard one, if allowed). Each side holds only its own k ends: the server
 * makes the pairs a batch at a time and passes the client's ends over.
 */
#define IO_PASS_BATCH	200

static int io_nofile(int k)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)k + 2 * IO_PASS_BATCH + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	if (rl.rlim_cur >= want)
		return 0;
	rl.rlim_cur = want;
	if (rl.rlim_max < want)
		rl.rlim_max = want;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/* Send n fds over sock (SCM_RIGHTS), or receive them into fds. */
static void io_pass(int sock, int *fds, int n, bool send)
{
	char ctl[CMSG_SPACE(IO_PASS_BATCH * sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &n, .iov_len = sizeof(n) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	if (send) {
		memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
		if (sendmsg(sock, &mh, 0) != sizeof(n))
			die("I/O benchmark: passing fds: %s", strerror(errno));
		return;
	}
	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != sizeof(n))
		die("client: receiving fds: %s", strerror(errno));
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(n * sizeof(int)))
		die("client: receiving fds: bad message");
	memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
}

/* The k socketpairs: ours in io.fd[i][0], the client's passed to it. */
static void io_make_pairs(int pass)
{
	int fds[IO_PASS_BATCH], i, j, b;

	for (i = 0; i < io.k; i += b) {
		b = io.k - i < IO_PASS_BATCH ? io.k - i : IO_PASS_BATCH;
		for (j = 0; j < b; j++)
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				       io.fd[i + j]))
				die("socketpair %d: %s", i + j, strerror(errno));
		for (j = 0; j < b; j++)
			fds[j] = io.fd[i + j][1];
		io_pass(pass, fds, b, true);
		for (j = 0; j < b; j++)
			close(fds[j]);
	}
}

static void io_take_pairs(int pass)
{
	int fds[IO_PASS_BATCH], i, j, b;

	for (i = 0; i < io.k; i += b) {
		b = io.k - i < IO_PASS_BATCH ? io.k - i : IO_PASS_BATCH;
		io_pass(pass, fds, b, false);
		for (j = 0; j < b; j++)
			io.fd[i + j][1] = fds[j];
	}
}

static void io_once(enum smodel m, int k, int window, long work,
		    struct io_res *res)
{
	const struct smodel_ops *o = &smodels[m];
	int up[2], down[2], pass[2], i, nsp = 0;
	long rss0, ks0, mem = 0;
	struct io_shared *sh;
	void **h = NULL;
	pid_t client;
	char c;

	memset(res, 0, sizeof(*res));
	if (io_nofile(k)) {
		snprintf(res->why, sizeof(res->why),
			 "RLIMIT_NOFILE: cannot get %d fds: %s",
			 k + 2 * IO_PASS_BATCH + 64,
			 strerror(errno));
		return;
	}
	io.k = k;
	io.work = work;
	io.o = o;
	io.fd = calloc(k, sizeof(*io.fd));
	h = calloc(k, sizeof(*h));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!io.fd || !h || sh == MAP_FAILED || pipe(up) || pipe(down) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pass))
		die("I/O benchmark: %s", strerror(errno));
	client = fork_child();
	if (!client) {
		close(pass[0]);
		io_take_pairs(pass[1]);
		io_client(window, sopt.io_ms, up[1], down[0], sh);
		_exit(0);
	}
	close(pass[1]);
	close(up[1]);		/* so the client's exit ends our read */
	close(down[0]);
	io_make_pairs(pass[0]);
	close(pass[0]);
	rss0 = rss_bytes(getpid());
	ks0 = kernel_stack_bytes();
	if (o->init())
		die("%s: init: %s", o->name, strerror(errno));
	for (nsp = 0; nsp < k; nsp++) {
		h[nsp] = o->spawn(io_server, (void *)(long)nsp);
		if (!h[nsp])
			break;
	}
	if (nsp < k) {
		char lim[96];
		int err = errno;

		thread_limits(lim, sizeof(lim));
		snprintf(res->why, sizeof(res->why),
			 "thread %d of %d: %s (%s)", nsp + 1, k, strerror(err),
			 lim);
		kill(client, SIGKILL);
		for (i = 0; i < k; i++)
			shutdown(io.fd[i][0], SHUT_RDWR);
	} else {
		if (write(down[1], "s", 1) != 1)
			die("I/O benchmark: control pipe: %s", strerror(errno));
		if (o->read(up[0], &c, 1) != 1) {
			/* the client gave up in the warm-up */
			wait_child(client);
			client = 0;
			snprintf(res->why, sizeof(res->why), "%s",
				 sh->why[0] ? sh->why :
				 "the client exited in the warm-up");
			for (i = 0; i < k; i++)
				shutdown(io.fd[i][0], SHUT_RDWR);
			goto join;
		}
		res->mem = (double)(rss_bytes(getpid()) - rss0) / k;
		res->kstack = (double)(kernel_stack_bytes() - ks0) / k;
		if (m == SM_PROC) {
			for (i = 0; i < k && i < 16; i++)
				mem += private_bytes((pid_t)(intptr_t)h[i]);
			res->mem = (double)mem / i;
		}
		if (write(down[1], "g", 1) != 1)
			die("I/O benchmark: control pipe: %s", strerror(errno));
	}
join:
	for (i = 0; i < nsp; i++)
		o->join(h[i]);
	o->fini();
	if (client)
		wait_child(client);
	if (!res->why[0] && sh->why[0])
		snprintf(res->why, sizeof(res->why), "%s", sh->why);
	if (!res->why[0] && sh->elapsed > 0) {
		res->tput = sh->done * 1e9 / sh->elapsed;
		qsort(sh->lat, sh->nlat, sizeof(sh->lat[0]), cmp_float);
		res->p99 = sh->nlat ? sh->lat[sh->nlat * 99 / 100] : 0;
	}
	for (i = 0; i < k; i++)
		close(io.fd[i][0]);
	close(up[0]);
	close(down[1]);
	munmap(sh, sizeof(*sh));
	free(io.fd);
	free(h);
}

/* ---- CPU-bound parallelism ---------------------------------------------- */

#define PAR_CHUNK	65536L

static struct {
	long rounds;
	bool yield;
} par;

static void *par_part(void *arg)
{
	uint64_t x = (uintptr_t)arg;
	long done, n;

	for (done = 0; done < par.rounds; done += n) {
		n = par.rounds - done < PAR_CHUNK ? par.rounds - done : PAR_CHUNK;
		x = hash_work(x, n);
		if (par.yield)
			ult_yield();
	}
	return (void *)(uintptr_t)(x == 1);
}

static double par_once(enum smodel m, int nthreads)
{
	const struct smodel_ops *o = &smodels[m];
	void *h[MAX_THREADS];
	int64_t t0;
	int i;

	par.rounds = opt.work / nthreads;
	par.yield = m == SM_M1 || m == SM_MN;
	if (o->init())
		die("%s: init: %s", o->name, strerror(errno));
	t0 = now_ns();
	for (i = 0; i < nthreads; i++) {
		h[i] = o->spawn(par_part, (void *)(uintptr_t)(i + 1));
		if (!h[i])
			die("%s: create: %s", o->name, strerror(errno));
	}
	for (i = 0; i < nthreads; i++)
		o->join(h[i]);
	t0 = now_ns() - t0;
	o->fini();
	return (double)t0;
}

/* ---- fine-grained switching: a condvar ping-pong on one CPU ------------- */

struct pp_shared {
	pthread_mutex_t pm;
	pthread_cond_t pc;
	int turn;		/* 0 ping's, 1 pong's, 2 stop */
	double ns;		/* per round trip */
};

static struct pp_shared *pp;
static struct ult_mutex pp_um;
static struct ult_cond pp_uc;
static bool pp_ult;
static long pp_rounds;

static void pp_lock(void)
{
	if (pp_ult)
		ult_mutex_lock(&pp_um);
	else
		pthread_mutex_lock(&pp->pm);
}

static void pp_unlock(void)
{
	if (pp_ult)
		ult_mutex_unlock(&pp_um);
	else
		pthread_mutex_unlock(&pp->pm);
}

static void pp_wait(void)
{
	if (pp_ult)
		ult_cond_wait(&pp_uc, &pp_um);
	else
		pthread_cond_wait(&pp->pc, &pp->pm);
}

static void pp_signal(void)
{
	if (pp_ult)
		ult_cond_signal(&pp_uc);
	else
		pthread_cond_signal(&pp->pc);
}

/* side 0 pings and times, side 1 answers */
static void *pp_side(void *arg)
{
	int me = (intptr_t)arg;
	int64_t t0 = now_ns();
	long i;

	pp_lock();
	for (i = 0; me == 0 && i < pp_rounds; i++) {
		pp->turn = 1;
		pp_signal();
		while (pp->turn == 1)
			pp_wait();
	}
	if (me == 0) {
		pp->ns = (double)(now_ns() - t0) / pp_rounds;
		pp->turn = 2;
		pp_signal();
	}
	while (me == 1 && pp->turn != 2) {
		while (pp->turn == 0)
			pp_wait();
		if (pp->turn == 1) {
			pp->turn = 0;
			pp_signal();
		}
	}
	pp_unlock();
	return NULL;
}

static double pp_once(enum smodel m)
{
	const struct smodel_ops *o = &smodels[m];
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	void *a, *b;
	double ns;

	pp = mmap(NULL, sizeof(*pp), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pp == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	pthread_mutexattr_init(&ma);
	pthread_condattr_init(&ca);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&pp->pm, m == SM_PROC ? &ma : NULL);
	pthread_cond_init(&pp->pc, m == SM_PROC ? &ca : NULL);
	ult_mutex_init(&pp_um);
	ult_cond_init(&pp_uc);
	pp_ult = m == SM_M1 || m == SM_MN;
	pp_rounds = pp_ult ? PP_ROUNDS_ULT : PP_ROUNDS_KERN;
	if (o->init())
		die("%s: init: %s", o->name, strerror(errno));
	a = o->spawn(pp_side, (void *)0);
	b = o->spawn(pp_side, (void *)1);
	if (!a || !b)
		die("%s: create: %s", o->name, strerror(errno));
	o->join(a);
	o->join(b);
	o->fini();
	ns = pp->ns;
	pthread_mutex_destroy(&pp->pm);
	pthread_cond_destroy(&pp->pc);
	munmap(pp, sizeof(*pp));
	return ns;
}

/* ---- the table ------------------------------------------------------------ */

enum {
	R_CREATE,
	R_CPU,
	R_SPEEDUP,
	R_SWITCH,
	R_TPUT,
	R_IO0,			/* then per K: throughput, p99, memory, kstack */
};

#define IO_ROWS		4
#define NROWS_MAX	(R_IO0 + IO_ROWS * MAX_IO_K)

/* What the seed says wins each kind of row, and which models that means. */
struct seed_says {
	const char *words;
	unsigned int models;	/* bit per enum smodel */
};

#define USER	((1U << SM_M1) | (1U << SM_MN))
#define KERN	((1U << SM_1TO1) | (1U << SM_PROC))

static const struct seed_says says_create = { "User-space threads", USER };
static const struct seed_says says_cpu = { "Kernel threads", 1U << SM_1TO1 };
static const struct seed_says says_switch = { "User threads", USER };
static const struct seed_says says_tput = {
	"M:N or kernel threads", (1U << SM_MN) | (1U << SM_1TO1) };
static const struct seed_says says_io = {
	"Kernel threads (or M:N)", (1U << SM_MN) | (1U << SM_1TO1) };
static const struct seed_says says_mem = {
	"User-space threads (\"lightweight\")", USER };

static struct srow srows[NROWS_MAX];
static const struct seed_says *says[NROWS_MAX];
static char io_names[IO_ROWS * MAX_IO_K][2][48];
static struct scell cells[NROWS_MAX][NSM];

/*
 * The model with the best median of row r among those in mask (bit per
 * enum smodel) that were measured; -1 if none was.
 */
static int best_of(int r, unsigned int mask)
{
	int c, best = -1;
	double b = 0, v;

	for (c = 0; c < NSM; c++) {
		if (!(mask & (1U << c)) || !cells[r][c].n || cells[r][c].why[0])
			continue;
		v = scell_med(&cells[r][c]);
		if (best < 0 || (srows[r].higher_better ? v > b : v < b)) {
			best = c;
			b = v;
		}
	}
	return best;
}

/*
 * Each row's measured winner beside the seed's. The seed's pick is its
 * best model (of the ones it names); where that is not the winner, the
 * rule seed002_winner.tie decides between "tie" and "DIFFERS" from how
 * close the two medians are.
 */
static void print_winners(int nrows)
{
	const struct claim_rule *tie = rule_get("seed002_winner.tie");
	const char *verdict;
	char text[512];
	double close;
	int r, w, pick;

	printf("\nseed 002's winners, measured (best median; \"tie\": the seed's pick\n"
	       "within %.0f%% of it, rule %s; DIFFERS: the best is not what the seed names)\n",
	       (1 - tie->threshold) * 100, tie->id);
	printf("%-34s %-14s %-36s %s\n", "row", "measured", "seed 002 says",
	       "");
	for (r = 0; r < nrows; r++) {
		w = best_of(r, ~0U);
		if (w < 0 || !says[r])
			continue;
		pick = best_of(r, says[r]->models);
		close = pick < 0 ? NAN :
			rule_closeness(scell_med(&cells[r][pick]),
				       scell_med(&cells[r][w]));
		if (pick == w)
			verdict = "agrees";
		else if (rule_pass(tie, close))
			verdict = "tie";
		else
			verdict = "DIFFERS";
		printf("WINNER %s measured=%s seed=\"%s\" %s",
		       srows[r].name, smodels[w].name, says[r]->words, verdict);
		printf(" seed_pick=%s pick_vs_best=%.3g rule=\"%s\" why=\"%s\"\n",
		       pick < 0 ? "none" : smodels[pick].name, close,
		       rule_text(tie, text, sizeof(text)), tie->why);
		printf("  %-32s %-14s %-36s %s", srows[r].label,
		       smodels[w].label, says[r]->words, verdict);
		if (pick != w && pick >= 0)
			printf(" (%s at %.2f of the best)", smodels[pick].label,
			       close);
		printf("\n");
	}
}

/* Per run: the better of M:N and 1:1 over M:1, row r. */
static struct rule_values best_vs_m1(const char *id, int r)
{
	struct scell best = cells[r][SM_MN];
	const struct scell *p = &cells[r][SM_1TO1];
	int i;

	for (i = 0; i < best.n && i < p->n; i++)
		if (p->v[i] > best.v[i])
			best.v[i] = p->v[i];
	if (p->why[0] || !p->n)
		best.why[0] = best.why[0] ? best.why[0] : 'x';
	return seed_ratio(id, &best, &cells[r][SM_M1]);
}

static void seed002_claims(int nk)
{
	const char *busy = seed_busy();
	struct rule_values create[] = {
		seed_ratio("seed002_create.user_vs_kernel",
			   &cells[R_CREATE][SM_M1], &cells[R_CREATE][SM_1TO1]),
	};
	struct rule_values cpu[] = {
		seed_ratio("seed002_cpu.speedup_1to1",
			   &cells[R_SPEEDUP][SM_1TO1], NULL),
		seed_ratio("seed002_cpu.m1_vs_1to1", &cells[R_CPU][SM_M1],
			   &cells[R_CPU][SM_1TO1]),
	};
	struct rule_values sw[] = {
		seed_ratio("seed002_switch.kernel_vs_user",
			   &cells[R_SWITCH][SM_1TO1], &cells[R_SWITCH][SM_M1]),
	};
	struct rule_values io[] = {
		best_vs_m1("seed002_io.best_vs_m1", R_IO0 + IO_ROWS * (nk - 1)),
	};
	struct rule_values iop[] = {
		best_vs_m1("seed002_io_parallel.best_vs_m1", R_TPUT),
	};

	printf("\nseed 002's rows as claims (rules: ultbench --rules)\n");
	judge_claim(stdout, "seed002_create", create, ARRAY_SIZE(create), busy);
	judge_claim(stdout, "seed002_cpu", cpu, ARRAY_SIZE(cpu), busy);
	judge_claim(stdout, "seed002_switch", sw, ARRAY_SIZE(sw), busy);
	judge_claim(stdout, "seed002_io", io, ARRAY_SIZE(io), busy);
	judge_claim(stdout, "seed002_io_parallel", iop, ARRAY_SIZE(iop), busy);
}

static void set_row(int r, const char *name, const char *label,
		    const char *unit, bool higher, const struct seed_says *s)
{
	srows[r] = (struct srow){ name, label, unit, higher };
	says[r] = s;
}

void bench_seed002(void)
{
	static const char *const cols[NSM] = { "M:1", "M:N", "1:1", "process" };
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), nk = sopt.n_io_k;
	int run, m, ki, r, nrows = R_IO0 + IO_ROWS * nk;
	struct io_res res;
	cpu_set_t all, one;
	char (*nm)[48];

	/*
	 * A peer that has gone (a client that gave up on a stalled model)
	 * must end a server with EPIPE, and the cell with its why, not
	 * kill ultbench with SIGPIPE.
	 */
	signal(SIGPIPE, SIG_IGN);
	if (ncpu < 2)
		ncpu = 2;
	if (ncpu > MAX_THREADS)
		ncpu = MAX_THREADS;
	memset(cells, 0, sizeof(cells));
	set_row(R_CREATE, "seed_create", "short-lived: create+join", "/s",
		true, &says_create);
	set_row(R_CPU, "seed_cpu_parallel", "CPU-bound job, 1 thread/CPU",
		"ns", false, &says_cpu);
	set_row(R_SPEEDUP, "seed_cpu_speedup", "  speedup over 1 thread", "x",
		true, &says_cpu);
	set_row(R_SWITCH, "seed_switch", "switching: condvar round trip",
		"ns", false, &says_switch);
	set_row(R_TPUT, "seed_io_parallel", "I/O+CPU: 100 conns, tput",
		"/s", true, &says_tput);
	for (ki = 0; ki < nk; ki++) {
		r = R_IO0 + IO_ROWS * ki;
		nm = io_names[IO_ROWS * ki];
		snprintf(nm[0], 48, "seed_io_k%d_tput", sopt.io_k[ki]);
		snprintf(nm[1], 48, "I/O K=%d: throughput", sopt.io_k[ki]);
		set_row(r, nm[0], nm[1], "/s", true, &says_io);
		nm = io_names[IO_ROWS * ki + 1];
		snprintf(nm[0], 48, "seed_io_k%d_p99", sopt.io_k[ki]);
		snprintf(nm[1], 48, "  p99 latency");
		set_row(r + 1, nm[0], nm[1], "ns", false, &says_io);
		nm = io_names[IO_ROWS * ki + 2];
		snprintf(nm[0], 48, "seed_io_k%d_mem", sopt.io_k[ki]);
		snprintf(nm[1], 48, "  memory/thread (RSS/K)");
		set_row(r + 2, nm[0], nm[1], "B", false, &says_mem);
		nm = io_names[IO_ROWS * ki + 3];
		snprintf(nm[0], 48, "seed_io_k%d_kstack", sopt.io_k[ki]);
		snprintf(nm[1], 48, "  kernel stack/thread");
		set_row(r + 3, nm[0], nm[1], "B", false, NULL);
	}
	if (sched_getaffinity(0, sizeof(all), &all))
		die("sched_getaffinity: %s", strerror(errno));
	CPU_ZERO(&one);
	CPU_SET(cpu_a, &one);
	for (run = 0; run < sopt.runs; run++) {
		fprintf(stderr, "ultbench: seed 002 table, run %d of %d\n",
			run + 1, sopt.runs);
		for (m = 0; m < NSM; m++) {
			char why[160] = "";
			double v;

			v = create_once(&smodels[m], m == SM_PROC ? 200 : 2000,
					why, sizeof(why));
			scell_add(&cells[R_CREATE][m], v);
			v = par_once(m, ncpu);
			scell_add(&cells[R_CPU][m], v);
			scell_add(&cells[R_SPEEDUP][m], par_once(m, 1) / v);
			sched_setaffinity(0, sizeof(one), &one);
			scell_add(&cells[R_SWITCH][m], pp_once(m));
			sched_setaffinity(0, sizeof(all), &all);
			io_once(m, IO_TPUT_K, IO_TPUT_K, IO_TPUT_WORK, &res);
			if (res.why[0])
				snprintf(cells[R_TPUT][m].why,
					 sizeof(res.why), "%s", res.why);
			else
				scell_add(&cells[R_TPUT][m], res.tput);
			for (ki = 0; ki < nk; ki++) {
				r = R_IO0 + IO_ROWS * ki;
				if (m == SM_PROC && sopt.io_k[ki] > sopt.io_proc_max)
					continue;
				if (cells[r][m].why[0])
					continue;	/* failed in an earlier run */
				io_once(m, sopt.io_k[ki], IO_WINDOW, 0, &res);
				if (res.why[0]) {
					snprintf(cells[r][m].why,
						 sizeof(res.why), "%s", res.why);
					continue;
				}
				scell_add(&cells[r][m], res.tput);
				scell_add(&cells[r + 1][m], res.p99);
				scell_add(&cells[r + 2][m], res.mem);
				if (m != SM_PROC)
					scell_add(&cells[r + 3][m], res.kstack);
			}
		}
	}
	seed_table("seed 002's performance table, measured: median of the runs, xN = ratio\n"
		   "to M:1; M:N has the netpoller on; 1 thread per connection",
		   srows, nrows, cols, NSM, &cells[0][0], SM_M1);
	printf("(%d runs; CPU job: %ld hash rounds over %d threads; I/O: %d in flight,\n"
	       "%d ms; processes serve at most %d connections; memory/thread for\n"
	       "processes: a child's private memory; kernel stack: /proc/meminfo\n"
	       "KernelStack increase / K, system-wide, so other work shows in it)\n",
	       sopt.runs, opt.work, ncpu, IO_WINDOW, sopt.io_ms,
	       sopt.io_proc_max);
	print_winners(nrows);
	seed002_claims(nk);
}
