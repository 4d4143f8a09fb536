// SPDX-License-Identifier: GPL-2.0
/*
 * ultbench's platform line: what machine the figures come from, printed
 * before any of them. The CPU model and the kernel; whether the machine
 * is virtualised (the CPUID hypervisor bit, the hypervisor's CPUID
 * signature, the DMI vendor) and whether it is a QEMU TCG guest; the
 * kernel's PTI and the CPU's PCID; what an empty system call and a
 * procedure call cost here; the load average.
 *
 *   PLATFORM where="<label>" cpu="<model>" kernel=<release> cpus=<n>
 *       hypervisor=<yes|no> hv_vendor=<signature|-> dmi_vendor="<vendor>"
 *       tcg=<yes|no> pti=<on|off> meltdown="<sysfs text>" pcid=<yes|no>
 *       syscall_ns=<getppid> call_ns=<indirect call> loadavg=<1,5,15 min>
 *       load_per_cpu=<1 min / cpus>
 *
 * where is the label the tables use: "bare metal", "this machine
 * (virtualised)" or "QEMU TCG guest"; never "real" or "native" unless the
 * machine is bare metal.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

struct platform plat;

/* The first line of FILE starting with KEY, after KEY and ": ". */
static void read_field(const char *file, const char *key, char *buf,
		       size_t len)
{
	char line[4096];
	FILE *f = fopen(file, "r");
	size_t k = strlen(key);

	snprintf(buf, len, "-");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = line;

		if (k) {
			if (strncmp(line, key, k))
				continue;
			v = strchr(line + k, ':');
			if (!v)
				continue;
			v += 1 + strspn(v + 1, " \t");
		}
		v[strcspn(v, "\n")] = '\0';
		snprintf(buf, len, "%s", v);
		break;
	}
	fclose(f);
}

/* Is a flag in /proc/cpuinfo's flags line? */
static bool cpu_flag(const char *flag)
{
	char flags[4096], *tok, *save;

	read_field("/proc/cpuinfo", "flags", flags, sizeof(flags));
	for (tok = strtok_r(flags, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		if (!strcmp(tok, flag))
			return true;
	return false;
}

static void hv_signature(char *buf, size_t len)
{
	unsigned int a, b, c, d;
	char sig[13];

	snprintf(buf, len, "-");
	__cpuid(1, a, b, c, d);
	plat.hypervisor = c & (1U << 31);
	if (!plat.hypervisor)
		return;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	/* Only printable signatures: TCG may answer with another leaf. */
	if (sig[0] > ' ' && sig[0] < 127)
		snprintf(buf, len, "%s", sig);
}

static void nop(void)
{
	__asm__ volatile("");
}

static void empty_syscall(void)
{
	syscall(SYS_getppid);
}

const char *platform_where(void)
{
	if (plat.tcg)
		return "QEMU TCG guest";
	return plat.hypervisor ? "this machine (virtualised)" : "bare metal";
}

/*
 * Probe the machine, and print the PLATFORM line. call_ns: the
 * procedure call measured by the caller, or 0 to measure it here.
 */
void platform_print(double call_ns)
{
	struct utsname u;
	double load[3] = { 0 };
	FILE *f;

	read_field("/proc/cpuinfo", "model name", plat.cpu, sizeof(plat.cpu));
	uname(&u);
	snprintf(plat.kernel, sizeof(plat.kernel), "%s", u.release);
	plat.cpus = sysconf(_SC_NPROCESSORS_ONLN);
	hv_signature(plat.hv_vendor, sizeof(plat.hv_vendor));
	read_field("/sys/class/dmi/id/sys_vendor", "", plat.dmi_vendor,
		   sizeof(plat.dmi_vendor));
	/*
	 * QEMU without KVM: the DMI vendor is QEMU, but no accelerator
	 * signature (KVM, Hyper-V, ...) is offered, or TCG's own.
	 */
	plat.tcg = !strcmp(plat.hv_vendor, "TCGTCGTCGTCG") ||
		   (!strncmp(plat.dmi_vendor, "QEMU", 4) &&
		    !strcmp(plat.hv_vendor, "-"));
	read_field("/sys/devices/system/cpu/vulnerabilities/meltdown", "",
		   plat.meltdown, sizeof(plat.meltdown));
	plat.pti = strstr(plat.meltdown, "PTI");
	plat.pcid = cpu_flag("pcid");
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
			load[0] = 0;
		fclose(f);
	}
	plat.load_per_cpu = plat.cpus > 0 ? load[0] / plat.cpus : 0;
	plat.syscall_ns = measure(empty_syscall, 1000).median;
	plat.call_ns = call_ns ? call_ns : measure(nop, 10000).median;

	printf("PLATFORM where=\"%s\" cpu=\"%s\" kernel=%s cpus=%d",
	       platform_where(), plat.cpu, plat.kernel, plat.cpus);
	printf(" hypervisor=%s hv_vendor=%s dmi_vendor=\"%s\" tcg=%s",
	       plat.hypervisor ? "yes" : "no", plat.hv_vendor,
	       plat.dmi_vendor, plat.tcg ? "yes" : "no");
	printf(" pti=%s meltdown=\"%s\" pcid=%s", plat.pti ? "on" : "off",
	       plat.meltdown, plat.pcid ? "yes" : "no");
	printf(" syscall_ns=%.1f call_ns=%.2f loadavg=%.2f,%.2f,%.2f",
	       plat.syscall_ns, plat.call_ns, load[0], load[1], load[2]);
	printf(" load_per_cpu=%.2f\n", plat.load_per_cpu);
}
