/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ult-selftest's two files share: the check macro, and the cases
 * selftest_mn.c adds to the table in ult_selftest.c.
 */
#ifndef ULT_SELFTEST_H
#define ULT_SELFTEST_H

#include <stdbool.h>

#include "common.h"

/*
 * CHECK_FAILED(cond, fmt, ...): false if cond holds. Else it prints why, as
 * a KTAP diagnostic naming the test and the condition, and is true; the
 * caller then fails: if (CHECK_FAILED(...)) return -1;
 * The message's arguments are evaluated only after cond failed, so errno
 * is the one cond left.
 */
#define CHECK_FAILED(cond, ...) \
	(!(cond) && check_report(__func__, #cond, __VA_ARGS__))

bool __printf(3, 4)
check_report(const char *func, const char *cond, const char *fmt, ...);

/*
 * A case that cannot run here returns test_skip("why"), which says why
 * (the KTAP line becomes "ok N name # SKIP why") and returns TEST_SKIP.
 */
#define TEST_SKIP	4
int __printf(1, 2) test_skip(const char *fmt, ...);

/*
 * The longest an M:N case waits for something to happen (a migration,
 * a handoff) before it fails; the watchdog is longer still.
 */
#define MN_WAIT_MS	3000

/* selftest_mn.c */
int test_mn_init(void);
int test_mn_create_join(void);
int test_mn_migration(void);
int test_mn_parallel(void);
int test_mn_fini_home(void);
int test_bound_blocks_alone(void);
int test_bound_join(void);
int test_mutex_contended(void);
int test_cond_producer_consumer(void);
int test_cond_broadcast(void);
int test_mn_blocked_vp_stalls(void);
int test_mn_idle_vp_steals(void);
int test_monitor_handoff(void);
int test_monitor_many_readers(void);
int test_syscall_exit_keeps_errno(void);
int test_activations_handoff(void);
int test_activations_many_readers(void);

/* selftest_io.c */
int test_netpoll_many_readers(void);

/* selftest_rules.c */
int test_rules_table(void);
int test_rules_verdicts(void);
int test_rules_tie(void);

#endif /* ULT_SELFTEST_H */
