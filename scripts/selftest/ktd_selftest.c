// SPDX-License-Identifier: GPL-2.0
/*
 * Proves the test harness can fail.
 *
 * `make check` boots a guest that loads this module and expects the run to
 * be judged a failure twice over: the WARN below must be caught as a kernel
 * splat, and the KUnit case below must be reported as failed. It is never
 * part of the product and never loaded by the demo.
 */
#include <kunit/test.h>
#include <linux/bug.h>
#include <linux/module.h>

static void ktd_selftest_must_fail(struct kunit *test)
{
	KUNIT_FAIL(test, "deliberate failure: the harness must report this");
}

static struct kunit_case ktd_selftest_cases[] = {
	KUNIT_CASE(ktd_selftest_must_fail),
	{}
};

static struct kunit_suite ktd_selftest_suite = {
	.name = "ktd_harness_selftest",
	.test_cases = ktd_selftest_cases,
};

kunit_test_suite(ktd_selftest_suite);

static int __init ktd_selftest_init(void)
{
	WARN(1, "ktd_selftest: deliberate warning: the harness must catch this\n");
	return 0;
}
module_init(ktd_selftest_init);

static void __exit ktd_selftest_exit(void)
{
}
module_exit(ktd_selftest_exit);

MODULE_DESCRIPTION("kthread-demo harness self-test (deliberately fails)");
MODULE_LICENSE("GPL");
