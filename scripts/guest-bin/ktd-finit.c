// SPDX-License-Identifier: GPL-2.0
/*
 * ktd-finit: load a module with one finit_module(2), optionally with the
 * N-th fault-injectable call of that system call failing. A guest tool:
 * scripts/lib.sh builds it statically and packs it into every guest.
 *
 * usage: ktd-finit N MODULE.ko [PARAM=VALUE...]
 *
 * It opens the module and joins the parameters first, then writes N to
 * its own /proc/thread-self/fail-nth (N = 0: nothing armed) and calls
 * finit_module(2) at once, so what the count walks through is the module
 * loader and the module's init, not exec or reading the file. busybox's
 * insmod cannot be used for this: when finit_module(2) fails it tries
 * init_module(2) at once, and that load, with nothing armed, succeeds.
 *
 * Prints "injected" on stdout if the fault was injected (fail-nth read
 * back as 0). Exit status: 0 loaded; 1 finit_module(2) failed, with
 * "finit_module: <error>" on stderr; 2 anything else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fail_nth_fd = -1;

static void fail_nth_set(const char *n)
{
	if (pwrite(fail_nth_fd, n, strlen(n), 0) < 0) {
		perror("ktd-finit: /proc/thread-self/fail-nth");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	char params[4096] = "", left[32] = "";
	size_t len = 0;
	int fd, i, rc, err;
	ssize_t n;

	if (argc < 3) {
		fputs("usage: ktd-finit N MODULE.ko [PARAM=VALUE...]\n", stderr);
		return 2;
	}
	for (i = 3; i < argc; i++) {
		size_t l = strlen(argv[i]);

		if (len + l + 2 > sizeof(params)) {
			fputs("ktd-finit: parameters too long\n", stderr);
			return 2;
		}
		if (len)
			params[len++] = ' ';
		memcpy(params + len, argv[i], l + 1);
		len += l;
	}
	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[2]);
		return 2;
	}
	if (strcmp(argv[1], "0")) {
		fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
		if (fail_nth_fd < 0) {
			perror("ktd-finit: /proc/thread-self/fail-nth");
			return 2;
		}
		fail_nth_set(argv[1]);
	}
	rc = syscall(SYS_finit_module, fd, params, 0);
	err = errno;
	if (fail_nth_fd >= 0) {
		n = pread(fail_nth_fd, left, sizeof(left) - 1, 0);
		if (n > 0 && atoi(left) == 0)
			puts("injected");
		fail_nth_set("0");
	}
	if (rc) {
		fprintf(stderr, "finit_module: %s\n", strerror(err));
		return 1;
	}
	return 0;
}
