# SPDX-License-Identifier: GPL-2.0
# Guest job for the harness self-test: provoke a WARN and a failing KUnit
# case. The host expects this run to be judged a failure on both counts.
. /guest-ktap.sh
insmod /ktd_selftest.ko
ktap_kunit_results
rmmod ktd_selftest
