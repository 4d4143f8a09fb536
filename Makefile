# SPDX-License-Identifier: GPL-2.0
#
# kthread-demo: out-of-tree module build plus the project's entry points.
#
#   make                  build the modules for KDIR (default: running kernel)
#   make demo [VM=debian] boot Debian's 6.1 kernel in QEMU and show the module;
#                         VM=debian: on a Debian userland, with the trace tools
#   make debian-test      the trace tool recipes and the comparisons against
#                         cyclictest, perf bench, the workqueue tracepoints
#                         and perf kwork, in the Debian guest, then the
#                         sleep comparison under -icount (make check's
#                         debian phase)
#   make check            run every test; ends with "N passed, N failed"
#   make kunit            only the KUnit suites, in the debug test kernel
#   make guest-test JOB=test-sysfs [T="test_bind test_priority"] [KERNEL=debug]
#                         one guest job, or only the tests named in T, in
#                         Debian's 6.1 kernel (default) or the debug kernel
#   make soak [DURATION=30m]
#                         torture and the fuzzer round after round on the
#                         debug kernel for DURATION; ends SUCCESS or FAILURE
#   make test-kernel      build (or reuse) the cached debug test kernel
#   make install          install the modules for KDIR, then depmod
#   make uninstall        remove them again, then depmod
#   make dkms-check       a DKMS add/build/install/remove cycle (6.1 headers)
#   make version          print the version (it lives in VERSION only)
#   make clean
#
# install and uninstall put the modules in
# $(INSTALL_MOD_PATH)/lib/modules/<kernel release>/$(INSTALL_MOD_DIR),
# extra/ by default. DESTDIR=/some/root works as INSTALL_MOD_PATH does.
# With one of them set, depmod runs only if KDIR has a System.map (as
# kbuild's own modules_install does); without, it always runs.

KDIR ?= /lib/modules/$(shell uname -r)/build
KTD_VERSION := $(shell cat $(CURDIR)/VERSION)

INSTALL_MOD_DIR ?= extra
INSTALL_MOD_PATH ?= $(DESTDIR)
# The release the modules are built for, from KDIR. Not kbuild's
# KERNELRELEASE: Debian's headers say 6.1.x there, not 6.1.0-N-amd64.
comma := ,
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
KTD_MODDIR = $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)
# The modules, from the obj-m lines of the Kbuild files.
ktd_objm = $(patsubst %.o,%.ko,$(shell sed -n 's/^obj-m *+= *//p' $(CURDIR)/$(1)))
KTD_KOS = $(call ktd_objm,Kbuild) $(addprefix kunit/,$(call ktd_objm,kunit/Kbuild))
# Debian's headers ask modules_install to sign (CONFIG_MODULE_SIG_ALL) but
# ship no key: when KDIR lacks the key, install unsigned, without sign-file
# errors.
KTD_SIGKEY = $(shell sed -n 's/^CONFIG_MODULE_SIG_KEY="\{0,1\}\([^"]*\)"\{0,1\}$$/\1/p' \
	$(KDIR)/include/config/auto.conf 2>/dev/null)
ktd_nosign = $(if $(filter pkcs11:%,$(KTD_SIGKEY))$(wildcard $(KDIR)/$(KTD_SIGKEY) $(KTD_SIGKEY)),,CONFIG_MODULE_SIG_ALL=)

all: modules

modules:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "make: no kernel build tree at $(KDIR): install the headers for it (apt-get install linux-headers-$$(uname -r)), or pass KDIR=/path/to/build, or run 'make test-kernel' and build with the KDIR it prints." >&2; \
		exit 2; \
	fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

ktd_need_kver = @if [ -z "$(KVER)" ]; then \
		echo "make: cannot tell the kernel release of $(KDIR) (no include/generated/utsrelease.h): pass KDIR=/lib/modules/<release>/build or KVER=<release>." >&2; \
		exit 2; \
	fi

ifeq ($(INSTALL_MOD_PATH),)
ktd_depmod = depmod -a $(KVER)
else
ktd_depmod = @if [ -f "$(KDIR)/System.map" ]; then \
		echo "depmod -b $(INSTALL_MOD_PATH) -F $(KDIR)/System.map $(KVER)"; \
		depmod -b "$(INSTALL_MOD_PATH)" -F "$(KDIR)/System.map" $(KVER); \
	else \
		echo "note: depmod skipped: no System.map in $(KDIR); run 'depmod $(KVER)' where the modules end up."; \
	fi
endif

install: modules
	$(ktd_need_kver)
	$(MAKE) -C $(KDIR) M=$(CURDIR) KERNELRELEASE=$(KVER) \
		INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		$(ktd_nosign) modules_install
	$(ktd_depmod)

uninstall:
	$(ktd_need_kver)
	@echo "rm -f $(KTD_MODDIR)/{$(subst $() ,$(comma),$(strip $(KTD_KOS)))}*"
	@rm -f $(foreach k,$(KTD_KOS),$(foreach z,"" .gz .xz .zst,$(KTD_MODDIR)/$(k)$(z)))
	@rmdir $(KTD_MODDIR)/kunit $(KTD_MODDIR) 2>/dev/null || true
	$(ktd_depmod)

dkms-check:
	scripts/dkms-check.sh

version:
	@echo $(KTD_VERSION)

clean:
	rm -rf *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers \
		.tmp_versions kunit/*.o kunit/*.ko kunit/*.mod kunit/*.mod.c \
		kunit/.*.cmd kunit/modules.order

demo:
	VM=$(VM) scripts/demo.sh

debian-test:
	scripts/debian-test.sh -w; rc=$$?; scripts/debian-test.sh -i -w && exit $$rc
.PHONY: debian-test

check:
	scripts/check.sh

kunit:
	scripts/check.sh kunit

KERNEL ?= distro
guest-test:
	scripts/guest-test.sh -k $(KERNEL) $(JOB) $(T)

DURATION ?= 30m
soak:
	scripts/soak.sh $(DURATION)

test-kernel:
	scripts/build-kernel.sh

.PHONY: all modules clean demo check kunit guest-test soak test-kernel install \
	uninstall dkms-check version
