/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Latency histograms shared by kthread_demo and workqueue_demo.
 *
 * A histogram has one writer, the thread that measures, and any number of
 * lock-free readers: the writer bumps its own counters with WRITE_ONCE and
 * never waits for anyone; readers add histograms up with READ_ONCE into a
 * private copy and compute percentiles from that. A reader may see a sample
 * in the buckets but not yet in count; the merged copy is self-consistent
 * enough for statistics and nobody ever stalls.
 *
 * Buckets are log-linear, as in HdrHistogram: each power of two is split
 * into 2^KTD_HIST_SUB_BITS equal buckets, so a bucket is at most
 * 1/2^KTD_HIST_SUB_BITS (12.5%) of its values wide, and values below
 * 2^KTD_HIST_SUB_BITS are exact. Percentiles are interpolated within the
 * bucket that holds their rank, as if its samples were spread evenly.
 * Values of 2^KTD_HIST_MAX_SHIFT ns (about 18 minutes) or more land in the
 * last bucket.
 */
#ifndef KTD_STATS_H
#define KTD_STATS_H

#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/compiler.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/types.h>

#define KTD_HIST_SUB_BITS	3
#define KTD_HIST_SUB		BIT(KTD_HIST_SUB_BITS)
#define KTD_HIST_MAX_SHIFT	40
#define KTD_HIST_BUCKETS	((KTD_HIST_MAX_SHIFT - KTD_HIST_SUB_BITS + 1) * \
				 KTD_HIST_SUB)

struct ktd_hist {
	u64 count;
	u64 sum;
	u64 min;
	u64 max;
	u64 buckets[KTD_HIST_BUCKETS];
};

static inline unsigned int ktd_hist_index(u64 v)
{
	unsigned int msb;

	if (v < KTD_HIST_SUB)
		return v;
	msb = fls64(v) - 1;
	if (msb >= KTD_HIST_MAX_SHIFT)
		return KTD_HIST_BUCKETS - 1;
	return (msb - KTD_HIST_SUB_BITS + 1) * KTD_HIST_SUB +
	       ((v >> (msb - KTD_HIST_SUB_BITS)) & (KTD_HIST_SUB - 1));
}

/* Smallest value that lands in bucket @i. */
static inline u64 ktd_hist_lower(unsigned int i)
{
	unsigned int shift;

	if (i < KTD_HIST_SUB)
		return i;
	shift = i / KTD_HIST_SUB - 1;
	return (u64)(KTD_HIST_SUB + i % KTD_HIST_SUB) << shift;
}

/* Largest value that lands in bucket @i. */
static inline u64 ktd_hist_upper(unsigned int i)
{
	if (i == KTD_HIST_BUCKETS - 1)
		return U64_MAX;
	return ktd_hist_lower(i + 1) - 1;
}

/*
 * Writer side, like ktd_hist_add(): a reset may meet a reader still
 * summing the old numbers, so each field is written whole (WRITE_ONCE),
 * not by memset().
 */
static inline void ktd_hist_init(struct ktd_hist *h)
{
	unsigned int i;

	for (i = 0; i < KTD_HIST_BUCKETS; i++)
		WRITE_ONCE(h->buckets[i], 0);
	WRITE_ONCE(h->count, 0);
	WRITE_ONCE(h->sum, 0);
	WRITE_ONCE(h->min, U64_MAX);
	WRITE_ONCE(h->max, 0);
}

/* Writer side: only the owner of @h calls this. */
static inline void ktd_hist_add(struct ktd_hist *h, u64 v)
{
	unsigned int i = ktd_hist_index(v);

	WRITE_ONCE(h->buckets[i], h->buckets[i] + 1);
	WRITE_ONCE(h->sum, h->sum + v);
	if (v < h->min)
		WRITE_ONCE(h->min, v);
	if (v > h->max)
		WRITE_ONCE(h->max, v);
	WRITE_ONCE(h->count, h->count + 1);
}

/* Reader side: add @src (owned by someone else) into the private @dst. */
static inline void ktd_hist_merge(struct ktd_hist *dst,
				  const struct ktd_hist *src)
{
	unsigned int i;
	u64 v;

	for (i = 0; i < KTD_HIST_BUCKETS; i++)
		dst->buckets[i] += READ_ONCE(src->buckets[i]);
	dst->count += READ_ONCE(src->count);
	dst->sum += READ_ONCE(src->sum);
	v = READ_ONCE(src->min);
	if (v < dst->min)
		dst->min = v;
	v = READ_ONCE(src->max);
	if (v > dst->max)
		dst->max = v;
}

static inline u64 ktd_hist_samples(const struct ktd_hist *h)
{
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < KTD_HIST_BUCKETS; i++)
		n += h->buckets[i];
	return n;
}

/**
 * ktd_hist_percentile - the value below which @permille/1000 of samples lie
 * @h: a private (merged) histogram
 * @permille: 0 to 1000
 *
 * Return: the value interpolated within the bucket holding the sample of
 * that rank (the bucket's samples taken as evenly spread over it), clamped
 * to the histogram's min and max; 0 for an empty histogram.
 */
static inline u64 ktd_hist_percentile(const struct ktd_hist *h,
				      unsigned int permille)
{
	u64 n = ktd_hist_samples(h), rank, seen = 0, v, lo;
	unsigned int i;

	if (!n)
		return 0;
	/* rank = ceil(n * permille / 1000), at least 1 */
	rank = div_u64(n * permille + 999, 1000);
	if (!rank)
		rank = 1;
	for (i = 0; i < KTD_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	if (i == KTD_HIST_BUCKETS)
		i = KTD_HIST_BUCKETS - 1;
	/* the rank's place among the bucket's samples, 1..count */
	lo = ktd_hist_lower(i);
	v = lo + div64_u64((ktd_hist_upper(i) - lo) *
			   (rank - (seen - h->buckets[i])),
			   h->buckets[i] ? h->buckets[i] : 1);
	if (v > h->max)
		v = h->max;
	if (v < h->min)
		v = h->min;
	return v;
}

static inline u64 ktd_hist_mean(const struct ktd_hist *h)
{
	return h->count ? div64_u64(h->sum, h->count) : 0;
}

/*
 * Print @h as "key: value" lines (@prefix before each key), then, if
 * @log2 is set, a log2 histogram with one row per non-empty power of two.
 */
static inline void ktd_hist_show(struct seq_file *m, const char *prefix,
				 const struct ktd_hist *h, bool log2)
{
	/* The percentiles every report shows, in tenths of a percent. */
	static const unsigned int permille[] = { 500, 900, 990, 999 };
	u64 n = ktd_hist_samples(h), row, peak = 0;
	unsigned int i, j, p;

	seq_printf(m, "%ssamples: %llu\n", prefix, n);
	seq_printf(m, "%smin_ns: %llu\n", prefix, n ? h->min : 0);
	seq_printf(m, "%smean_ns: %llu\n", prefix, ktd_hist_mean(h));
	for (p = 0; p < ARRAY_SIZE(permille); p++)
		seq_printf(m, "%sp%u_ns: %llu\n", prefix,
			   permille[p] % 10 ? permille[p] : permille[p] / 10,
			   ktd_hist_percentile(h, permille[p]));
	seq_printf(m, "%smax_ns: %llu\n", prefix, n ? h->max : 0);
	if (!log2 || !n)
		return;

	/* One row per power of two: [2^k, 2^(k+1)) ns. */
	for (i = 0; i < KTD_HIST_BUCKETS; i = j) {
		row = 0;
		for (j = i; j < KTD_HIST_BUCKETS &&
		     fls64(ktd_hist_lower(j)) == fls64(ktd_hist_lower(i)); j++)
			row += h->buckets[j];
		if (row > peak)
			peak = row;
	}
	seq_printf(m, "%shistogram_log2_ns:\n", prefix);
	for (i = 0; i < KTD_HIST_BUCKETS; i = j) {
		u64 lo = ktd_hist_lower(i);

		row = 0;
		for (j = i; j < KTD_HIST_BUCKETS &&
		     fls64(ktd_hist_lower(j)) == fls64(lo); j++)
			row += h->buckets[j];
		if (!row)
			continue;
		seq_printf(m, "%12llu .. %-12llu %10llu |%.*s\n", lo,
			   j < KTD_HIST_BUCKETS ? ktd_hist_lower(j) - 1 : U64_MAX,
			   row, (int)div64_u64(row * 40 + peak - 1, peak),
			   "########################################");
	}
}

#endif /* KTD_STATS_H */
