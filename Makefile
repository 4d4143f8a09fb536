# SPDX-License-Identifier: GPL-2.0
#
# kthread-demo: out-of-tree module build plus the project's entry points.
#
#   make                  build the modules for KDIR (default: running kernel)
#   make demo             boot Debian's 6.1 kernel in QEMU and show the module
#   make check            run every test; ends with "N passed, N failed"
#   make kunit            only the KUnit suites, in the debug test kernel
#   make test-kernel      build (or reuse) the cached debug test kernel
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build

all: modules

modules:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "make: no kernel build tree at $(KDIR): install the headers for it (apt-get install linux-headers-$$(uname -r)), or pass KDIR=/path/to/build, or run 'make test-kernel' and build with the KDIR it prints." >&2; \
		exit 2; \
	fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	rm -rf *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers \
		.tmp_versions kunit/*.o kunit/*.ko kunit/*.mod kunit/*.mod.c \
		kunit/.*.cmd kunit/modules.order

demo:
	scripts/demo.sh

check:
	scripts/check.sh

kunit:
	scripts/check.sh kunit

test-kernel:
	scripts/build-kernel.sh

.PHONY: all modules clean demo check kunit test-kernel
