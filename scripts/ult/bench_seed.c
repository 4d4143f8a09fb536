// SPDX-License-Identifier: GPL-2.0
/*
 * The seed tables' shared parts (see bench_seed.h): the four models as an
 * ops table, cells of repeated runs, the table printer, and memory
 * figures from /proc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_seed.h"

struct seed_opts sopt = {
	.runs = 3,
	.io_k = { 10, 100, 1000, 10000 },
	.n_io_k = 4,
	.io_ms = 200,
	.io_proc_max = 1000,
	.fair_ms = 100,
	.lhp_ms = 200,
	.parts = (1U << SEED_NPARTS) - 1,
};

static const char *const part_name[SEED_NPARTS] = {
	"sync", "seed002", "fair", "lhp",
};

static long seed_num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || (*end && *end != ',') || v < min || v > max)
		die("bad number \"%s\" (want %ld..%ld)", s, min, max);
	return v;
}

void seed_option(int i, const char *val)
{
	const char *p;
	int k;

	switch (i) {
	case 0:
		sopt.runs = seed_num(val, 1, SEED_MAX_RUNS);
		break;
	case 1:
		for (sopt.n_io_k = 0, p = val; p; p = strchr(p, ',')) {
			p += *p == ',';
			if (sopt.n_io_k == SEED_MAX_IO_K)
				die("--io-k: at most %d values", SEED_MAX_IO_K);
			sopt.io_k[sopt.n_io_k++] = seed_num(p, 1, 100000);
		}
		break;
	case 2:
		sopt.io_ms = seed_num(val, 10, 60000);
		break;
	case 3:
		sopt.io_proc_max = seed_num(val, 0, 100000);
		break;
	case 4:
		sopt.fair_ms = seed_num(val, 10, 60000);
		break;
	case 5:
		sopt.lhp_ms = seed_num(val, 10, 60000);
		break;
	case 6:
		sopt.parts = 0;
		for (p = val; *p; p += strcspn(p, ","), p += *p == ',') {
			for (k = 0; k < SEED_NPARTS; k++)
				if (!strncmp(p, part_name[k], strcspn(p, ",")) &&
				    strlen(part_name[k]) == strcspn(p, ","))
					break;
			if (k == SEED_NPARTS)
				die("--parts: unknown part in \"%s\" (sync, seed002, fair, lhp)",
				    val);
			sopt.parts |= 1U << k;
		}
		break;
	default:
		die("unknown seed option %d", i);
	}
}

bool seed_part(int part)
{
	return sopt.parts & (1U << part);
}

void run_seed_tables(void)
{
	if (seed_part(SEED_PART_SEED002))
		bench_seed002();
	if (seed_part(SEED_PART_FAIR))
		bench_fair();
	if (seed_part(SEED_PART_LHP))
		bench_lhp();
}

/* ---- the models ---------------------------------------------------------- */

static int m1_init(void)
{
	return ult_init(ULT_SWITCH_ASM);
}

static int mn_init(void)
{
	if (ult_init_mn(opt.nvp))
		return -1;
	if (ult_netpoll_start()) {
		ult_fini();
		return -1;
	}
	return 0;
}

static void *u_spawn(ult_fn_t fn, void *arg)
{
	return ult_create(fn, arg);
}

static void u_join(void *h)
{
	ult_join(h);
}

static int none_init(void)
{
	return 0;
}

static void none_fini(void)
{
}

static void *p_spawn(ult_fn_t fn, void *arg)
{
	pthread_t *th = malloc(sizeof(*th));
	int err;

	if (!th)
		return NULL;
	err = pthread_create(th, NULL, fn, arg);
	if (err) {
		free(th);
		errno = err;
		return NULL;
	}
	return th;
}

static void p_join(void *h)
{
	pthread_join(*(pthread_t *)h, NULL);
	free(h);
}

/* A child process runs fn(arg); the handle is its pid. */
static void *f_spawn(ult_fn_t fn, void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return NULL;
	if (!pid) {
		fn(arg);
		_exit(0);
	}
	return (void *)(intptr_t)pid;
}

static void f_join(void *h)
{
	int status;

	while (waitpid((pid_t)(intptr_t)h, &status, 0) < 0 && errno == EINTR)
		;
}

const struct smodel_ops smodels[NSM] = {
	[SM_M1] = { "ult", "M:1", m1_init, ult_fini, u_spawn, u_join,
		    ult_read },
	[SM_MN] = { "ult_mn", "M:N", mn_init, ult_fini, u_spawn, u_join,
		    ult_read },
	[SM_1TO1] = { "pthread", "1:1", none_init, none_fini, p_spawn, p_join,
		      read },
	[SM_PROC] = { "process", "process", none_init, none_fini, f_spawn,
		      f_join, read },
};

/* ---- cells ---------------------------------------------------------------- */

void scell_add(struct scell *c, double v)
{
	if (c->n < SEED_MAX_RUNS)
		c->v[c->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double scell_med(const struct scell *c)
{
	double v[SEED_MAX_RUNS];

	if (!c->n)
		return 0;
	memcpy(v, c->v, c->n * sizeof(v[0]));
	qsort(v, c->n, sizeof(v[0]), cmp_double);
	return c->n % 2 ? v[c->n / 2] : (v[c->n / 2 - 1] + v[c->n / 2]) / 2;
}

double scell_min(const struct scell *c)
{
	double m = c->n ? c->v[0] : 0;
	int i;

	for (i = 1; i < c->n; i++)
		m = c->v[i] < m ? c->v[i] : m;
	return m;
}

double scell_max(const struct scell *c)
{
	double m = c->n ? c->v[0] : 0;
	int i;

	for (i = 1; i < c->n; i++)
		m = c->v[i] > m ? c->v[i] : m;
	return m;
}

const char *sfmt(char *buf, size_t len, double v, const char *unit)
{
	if (!strcmp(unit, "ns"))
		return fmt_ns(buf, len, v);
	if (!strcmp(unit, "/s"))
		snprintf(buf, len, v >= 1e6 ? "%.2fM/s" : v >= 1e3 ?
			 "%.1fk/s" : "%.0f/s", v >= 1e6 ? v / 1e6 :
			 v >= 1e3 ? v / 1e3 : v);
	else if (!strcmp(unit, "B"))
		snprintf(buf, len, v >= 1 << 20 ? "%.1fMiB" : "%.1fKiB",
			 v >= 1 << 20 ? v / (1 << 20) : v / 1024);
	else if (!strcmp(unit, "%"))
		snprintf(buf, len, "%.1f%%", v);
	else
		snprintf(buf, len, "%.2f%s", v, unit);
	return buf;
}

/* ---- the table ------------------------------------------------------------ */

#define LABEL_W	32	/* the longest label, "autogroup off, same sess., k=16", and a space */
#define CELL_W	22

static void line_out(const char *label, char (*cells)[48], int ncols)
{
	char line[LABEL_W + NSM * 2 * 48 + 1];
	int len, c;

	len = snprintf(line, sizeof(line), "%-*s", LABEL_W, label);
	for (c = 0; c < ncols && len < (int)sizeof(line); c++)
		len += snprintf(line + len, sizeof(line) - len, "%-*s", CELL_W,
				cells[c]);
	while (len && line[len - 1] == ' ')
		line[--len] = '\0';
	puts(line);
}

static const char *ratio_fmt(char *buf, size_t len, double x)
{
	snprintf(buf, len, x >= 100 ? "x%.0f" : x >= 10 ? "x%.1f" : "x%.2f",
		 x);
	return buf;
}

static void seed_rows(const struct srow *rows, int nrows,
		      const char *const *cols, int ncols,
		      const struct scell *cells, int base)
{
	const struct scell *s, *b;
	int r, c, i;

	for (r = 0; r < nrows; r++) {
		for (c = 0; c < ncols; c++) {
			s = &cells[r * ncols + c];
			b = &cells[r * ncols + base];
			if (s->why[0]) {
				printf("ROW %s %s failed=\"%s\"\n", rows[r].name,
				       cols[c], s->why);
				continue;
			}
			if (!s->n)
				continue;
			printf("ROW %s %s median=%.6g min=%.6g max=%.6g unit=%s runs=%d",
			       rows[r].name, cols[c], scell_med(s),
			       scell_min(s), scell_max(s), rows[r].unit, s->n);
			if (b->n && scell_med(b))
				printf(" vs_ult=%.3g", scell_med(s) / scell_med(b));
			printf(" values=");
			for (i = 0; i < s->n; i++)
				printf("%s%.6g", i ? "," : "", s->v[i]);
			printf("\n");
		}
	}
}

void seed_table(const char *title, const struct srow *rows, int nrows,
		const char *const *cols, int ncols, const struct scell *cells,
		int base)
{
	char out[NSM * 2][48], a[24], b[24], x[16];
	const struct scell *s, *bs;
	int r, c;

	seed_rows(rows, nrows, cols, ncols, cells, base);
	printf("\n%s\n", title);
	for (c = 0; c < ncols; c++)
		snprintf(out[c], sizeof(out[c]), "%s", cols[c]);
	line_out("operation", out, ncols);
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < ncols; c++) {
			s = &cells[r * ncols + c];
			bs = &cells[r * ncols + base];
			if (s->why[0])
				snprintf(out[c], sizeof(out[c]), "FAILED");
			else if (!s->n)
				snprintf(out[c], sizeof(out[c]), "-");
			else if (bs->n && scell_med(bs) && c != base)
				snprintf(out[c], sizeof(out[c]), "%s %s",
					 sfmt(a, sizeof(a), scell_med(s),
					      rows[r].unit),
					 ratio_fmt(x, sizeof(x), scell_med(s) /
						   scell_med(bs)));
			else
				sfmt(out[c], sizeof(out[c]), scell_med(s),
				     rows[r].unit);
		}
		line_out(rows[r].label, out, ncols);
		for (c = 0; c < ncols; c++) {
			s = &cells[r * ncols + c];
			out[c][0] = '\0';
			if (s->n > 1 && !s->why[0])
				snprintf(out[c], sizeof(out[c]), "%s..%s",
					 sfmt(a, sizeof(a), scell_min(s),
					      rows[r].unit),
					 sfmt(b, sizeof(b), scell_max(s),
					      rows[r].unit));
		}
		for (c = 0; c < ncols && !out[c][0]; c++)
			;
		if (c < ncols)
			line_out("  min..max of runs", out, ncols);
	}
	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++)
			if (cells[r * ncols + c].why[0])
				printf("FAILED %s/%s: %s\n", rows[r].label,
				       cols[c], cells[r * ncols + c].why);
}

/* ---- claims ---------------------------------------------------------------- */

struct rule_values seed_ratio(const char *id, const struct scell *num,
			      const struct scell *den)
{
	struct rule_values rv = { .id = id };
	int i;

	rule_get(id);	/* dies on a typo */
	for (i = 0; i < num->n && i < RULES_MAX_RUNS; i++) {
		if (num->why[0] || (den && (den->why[0] || i >= den->n ||
					    !den->v[i])))
			break;
		rv.v[rv.n++] = den ? num->v[i] / den->v[i] : num->v[i];
	}
	return rv;
}

const char *seed_busy(void)
{
	static char why[96];

	if (plat.load_per_cpu <= RULES_MAX_LOAD_PER_CPU)
		return NULL;
	snprintf(why, sizeof(why),
		 "load average %.2f per CPU before the runs, above %.1f",
		 plat.load_per_cpu, RULES_MAX_LOAD_PER_CPU);
	return why;
}

/* ---- memory --------------------------------------------------------------- */

long rss_bytes(pid_t pid)
{
	char path[64];
	long size, rss = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * sysconf(_SC_PAGESIZE);
}

long kernel_stack_bytes(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "KernelStack: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}
