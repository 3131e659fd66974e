// SPDX-License-Identifier: GPL-2.0-only
/*
 * exit_cost: the cost of one VM exit, timed in the guest.
 *
 * A KVM selftest of kvm-hotpath, built on the library of the kernel tree's
 * own tools/testing/selftests/kvm (tests/kvm/build).  For each test it
 * creates a VM with one vCPU twice, once with the PMU as KVM gives it and
 * once with the PMU disabled for that VM (KVM_CAP_PMU_CAPABILITY with
 * KVM_PMU_CAP_DISABLE, what QEMU sets for pmu=off).  The guest runs a loop
 * of one exiting instruction between two rdtsc, like kvm-unit-tests'
 * x86/vmexit: the iteration count doubles until a run spans 2^LOG2 TSC
 * ticks (-T LOG2), then -r RUNS runs give the figures.
 *
 * Output: KTAP on stdout, one case per test and PMU setting, and with
 * -o FILE the figures, one line each, for hotpath measure:
 *	exit_cost 1
 *	vendor intel|amd|other
 *	hwvirt yes|no
 *	tsc_khz N|unknown REASON
 *	cycles SOURCE|unknown REASON
 *	target_ticks N
 *	case TEST PMU ok ITERATIONS CYCLES_PER_TICK|- TICKS_PER_EXIT...
 *	case TEST PMU skip|fail REASON
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"

#define EC_MAX_RUNS	1000
#define EC_HC_NR	0x6b687030ul	/* no such hypercall: KVM returns -KVM_ENOSYS */
#define EC_MSR		0x0000008bul	/* MSR_IA32_UCODE_REV, intercepted, read in KVM */
#define EC_IO_PORT	0x80		/* an ioeventfd: the out is handled in KVM */
#define EC_DONE_PORT	0x1010		/* the guest's "run done": an exit to us */

enum ec_test { EC_CPUID, EC_VMCALL, EC_RDMSR, EC_IO, EC_NTESTS };

static const char *const ec_names[EC_NTESTS] = { "cpuid", "vmcall", "rdmsr", "io" };

/*
 * Before 6.2 the library leaves the guest without a GDT and IDT unless the
 * test asks for them, and then exports these; later it sets them up itself
 * and keeps them static.  Weak, they are NULL on the later trees.
 */
void vm_init_descriptor_tables(struct kvm_vm *vm) __attribute__((weak));
void vcpu_init_descriptor_tables(struct kvm_vcpu *vcpu) __attribute__((weak));

/* Set by the host before each run (sync_global_to_guest)... */
static uint64_t guest_test, guest_iters, guest_amd;
/* ...and by the guest for it (sync_global_from_guest). */
static uint64_t guest_ticks;

static inline uint64_t ec_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static void ec_loop(uint64_t test, uint64_t n)
{
	uint32_t a, b, c, d;
	uint64_t i;

	for (i = 0; i < n; i++) {
		switch (test) {
		case EC_CPUID:
			a = 0;
			c = 0;
			asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) :: "memory");
			break;
		case EC_VMCALL:
			a = EC_HC_NR;
			if (guest_amd)
				asm volatile("vmmcall" : "+a"(a) :: "memory");
			else
				asm volatile("vmcall" : "+a"(a) :: "memory");
			break;
		case EC_RDMSR:
			asm volatile("rdmsr" : "=a"(a), "=d"(d) : "c"(EC_MSR) : "memory");
			break;
		case EC_IO:
			asm volatile("outb %%al, %%dx" :: "a"(0), "d"(EC_IO_PORT) : "memory");
			break;
		}
	}
}

/*
 * The guest reports through a global and an out to EC_DONE_PORT rather
 * than the library's ucall: before 6.2 that zeroes its struct with SSE,
 * which a /dev/kvm without hardware virtualisation may fail to emulate.
 */
static void guest_code(void)
{
	for (;;) {
		uint64_t t0, t1;

		t0 = ec_rdtsc();
		ec_loop(guest_test, guest_iters);
		t1 = ec_rdtsc();
		guest_ticks = t1 - t0;
		asm volatile("outb %%al, %%dx" :: "a"(0), "d"(EC_DONE_PORT) : "memory");
	}
}

/* The core's cycle counter on this thread, host and guest mode both. */
struct ec_clock {
	int fd;
	char why[160];
	uint64_t cycles, ticks;
};

static void ec_clock_open(struct ec_clock *clk)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_HW_CPU_CYCLES,
	};

	clk->fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (clk->fd < 0)
		snprintf(clk->why, sizeof(clk->why),
			 "no cycle counter: perf_event_open(PERF_COUNT_HW_CPU_CYCLES): %s",
			 strerror(errno));
}

static uint64_t ec_clock_read(struct ec_clock *clk)
{
	uint64_t v = 0;

	if (clk->fd >= 0 && read(clk->fd, &v, sizeof(v)) != sizeof(v))
		v = 0;
	return v;
}

/*
 * One guest run of @iters iterations: the guest's ticks in *spent, false
 * when the guest did not come back within the watchdog's time.
 */
static volatile sig_atomic_t ec_alarm;
static unsigned int ec_watchdog_s = 10;

static void ec_on_alarm(int sig)
{
	(void)sig;
	ec_alarm = 1;
}

static bool ec_run(struct kvm_vm *vm, struct kvm_vcpu *vcpu, uint64_t iters,
		   struct ec_clock *clk, uint64_t *spent)
{
	uint64_t c0, c1, t0, t1;
	struct kvm_run *run = vcpu->run;
	int rc;

	guest_iters = iters;
	sync_global_to_guest(vm, guest_iters);
	ec_alarm = 0;
	alarm(ec_watchdog_s);
	c0 = ec_clock_read(clk);
	t0 = ec_rdtsc();
	do
		rc = __vcpu_run(vcpu);
	while (rc == -1 && errno == EINTR && !ec_alarm);
	t1 = ec_rdtsc();
	c1 = ec_clock_read(clk);
	alarm(0);
	if (ec_alarm)
		return false;
	TEST_ASSERT(!rc, "KVM_RUN: %s", strerror(errno));
	TEST_ASSERT(run->exit_reason == KVM_EXIT_IO && run->io.port == EC_DONE_PORT,
		    "%s: the guest stopped with exit reason %u (internal error suberror %u)",
		    ec_names[guest_test], run->exit_reason,
		    run->exit_reason == KVM_EXIT_INTERNAL_ERROR ? run->internal.suberror : 0);
	clk->cycles += c1 - c0;
	clk->ticks += t1 - t0;
	sync_global_from_guest(vm, guest_ticks);
	*spent = guest_ticks;
	return true;
}

static int ec_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static bool ec_cpu_flag(const char *flag)
{
	char line[8192], word[64];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	snprintf(word, sizeof(word), " %s", flag);
	while (!found && fgets(line, sizeof(line), f)) {
		char *p;

		if (strncmp(line, "flags", 5))
			continue;
		for (p = strstr(line, word); p && !found; p = strstr(p + 1, word))
			found = p[strlen(word)] == ' ' || p[strlen(word)] == '\n';
		break;
	}
	fclose(f);
	return found;
}

static const char *ec_vendor(void)
{
	uint32_t a = 0, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	if (b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e)	/* GenuineIntel */
		return "intel";
	if (b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163)	/* AuthenticAMD */
		return "amd";
	if (b == 0x6f677948 && d == 0x6e65476e && c == 0x656e6975)	/* HygonGenuine */
		return "amd";
	return "other";
}

static void ec_usage(FILE *f)
{
	fprintf(f, "usage: exit_cost [-t cpuid,vmcall,rdmsr,io] [-r RUNS] [-T LOG2_TICKS] [-c CPU] [-o RAW]\n");
}

int main(int argc, char **argv)
{
	bool want[EC_NTESTS] = { true, true, true, true };
	unsigned int runs = 5, log2_ticks = 30, ntests = EC_NTESTS;
	const char *raw_path = NULL, *vendor = ec_vendor(), *note = "";
	int cpu = -1, opt, pmu_caps, kvm_fd;
	struct ec_clock clk = { .fd = -1 };
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	FILE *raw = NULL;
	bool hwvirt, counted = false;
	long tsc_khz;
	int t, p;

	while ((opt = getopt(argc, argv, "t:r:T:c:o:h")) != -1) {
		char *end, *list, *tok, *save;

		switch (opt) {
		case 't':
			memset(want, 0, sizeof(want));
			ntests = 0;
			list = strdup(optarg);
			for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				for (t = 0; t < EC_NTESTS && strcmp(tok, ec_names[t]); t++)
					;
				if (t == EC_NTESTS) {
					fprintf(stderr, "exit_cost: -t %s: no test %s (tests: cpuid, vmcall, rdmsr, io)\n",
						optarg, tok);
					return KSFT_FAIL;
				}
				ntests += !want[t];
				want[t] = true;
			}
			free(list);
			if (!ntests) {
				fprintf(stderr, "exit_cost: -t '%s': no test named\n", optarg);
				return KSFT_FAIL;
			}
			break;
		case 'r':
			runs = strtoul(optarg, &end, 10);
			if (*end || !runs || runs > EC_MAX_RUNS) {
				fprintf(stderr, "exit_cost: -r %s: runs must be 1 to %d\n", optarg, EC_MAX_RUNS);
				return KSFT_FAIL;
			}
			break;
		case 'T':
			log2_ticks = strtoul(optarg, &end, 10);
			if (*end || log2_ticks < 10 || log2_ticks > 40) {
				fprintf(stderr, "exit_cost: -T %s: log2 of the ticks per run must be 10 to 40\n", optarg);
				return KSFT_FAIL;
			}
			break;
		case 'c':
			cpu = strtol(optarg, &end, 10);
			if (*end || cpu < 0) {
				fprintf(stderr, "exit_cost: -c %s: not a CPU number\n", optarg);
				return KSFT_FAIL;
			}
			break;
		case 'o':
			raw_path = optarg;
			break;
		case 'h':
			ec_usage(stdout);
			return 0;
		default:
			ec_usage(stderr);
			return KSFT_FAIL;
		}
	}
	if (optind != argc) {
		ec_usage(stderr);
		return KSFT_FAIL;
	}

	/* One CPU for the whole run: no migration inside a timed loop. */
	if (cpu < 0)
		cpu = sched_getcpu();
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			ksft_exit_fail_msg("exit_cost: -c %d: sched_setaffinity: %s\n", cpu, strerror(errno));
	}

	ksft_print_header();
	ksft_set_plan(ntests * 2);

	/* Without /dev/kvm every case skips, with the fix in its reason. */
	kvm_fd = open("/dev/kvm", O_RDWR);
	if (kvm_fd < 0) {
		char why[200];

		snprintf(why, sizeof(why), "/dev/kvm: %s; %s", strerror(errno),
			 errno == ENOENT ? "load KVM (modprobe kvm_intel or kvm_amd) on a host with VT-x or AMD-V" :
			 "add the user to /dev/kvm's group (usermod -aG kvm USER), or run as root");
		for (t = 0; t < EC_NTESTS; t++)
			for (p = 0; p < 2 && want[t]; p++)
				ksft_test_result_skip("%s pmu=%s: %s\n", ec_names[t], p ? "off" : "default", why);
		ksft_print_cnts();
		exit(KSFT_SKIP);
	}
	close(kvm_fd);

	if (raw_path) {
		raw = fopen(raw_path, "w");
		if (!raw)
			ksft_exit_fail_msg("exit_cost: %s: %s\n", raw_path, strerror(errno));
	}

	hwvirt = ec_cpu_flag("vmx") || ec_cpu_flag("svm");
	if (!hwvirt) {
		note = " (no hardware virtualisation: not an exit cost)";
		ksft_print_msg("this host has no vmx or svm flag in /proc/cpuinfo: /dev/kvm emulates the guest, "
			       "so the figures below are not exit costs\n");
	}
	ec_clock_open(&clk);
	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = ec_on_alarm }, NULL);
	pmu_caps = kvm_check_cap(KVM_CAP_PMU_CAPABILITY);
	guest_amd = !strcmp(vendor, "amd");

	if (raw)
		fprintf(raw, "exit_cost 1\nvendor %s\nhwvirt %s\ntarget_ticks %" PRIu64 "\n",
			vendor, hwvirt ? "yes" : "no", (uint64_t)1 << log2_ticks);

	tsc_khz = -1;
	for (t = 0; t < EC_NTESTS; t++) {
		for (p = 0; p < 2 && want[t]; p++) {
			const char *pmu = p ? "off" : "default";
			double ticks[EC_MAX_RUNS];
			uint64_t iters, spent = 0;
			unsigned int r;
			bool ok;
			int efd = -1;

			if (p && !(pmu_caps & KVM_PMU_CAP_DISABLE)) {
				const char *why = "KVM has no KVM_CAP_PMU_CAPABILITY (kvm.enable_pmu=N or an older KVM)";

				ksft_test_result_skip("%s pmu=%s: %s\n", ec_names[t], pmu, why);
				if (raw)
					fprintf(raw, "case %s %s skip %s\n", ec_names[t], pmu, why);
				continue;
			}

			vm = vm_create(1);
			if (p)
				vm_enable_cap(vm, KVM_CAP_PMU_CAPABILITY, KVM_PMU_CAP_DISABLE);
			vcpu = vm_vcpu_add(vm, 0, guest_code);
			if (vm_init_descriptor_tables && vcpu_init_descriptor_tables) {
				vm_init_descriptor_tables(vm);
				vcpu_init_descriptor_tables(vcpu);
			}
			if (t == EC_IO) {
				struct kvm_ioeventfd io = {
					.addr = EC_IO_PORT,
					.len = 1,
					.flags = KVM_IOEVENTFD_FLAG_PIO,
				};

				efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
				TEST_ASSERT(efd >= 0, "eventfd: %s", strerror(errno));
				io.fd = efd;
				vm_ioctl(vm, KVM_IOEVENTFD, &io);
			}
			if (tsc_khz < 0) {
				tsc_khz = __vcpu_ioctl(vcpu, KVM_GET_TSC_KHZ, NULL);
				/* Four times a run of the target, at least ten seconds. */
				if (tsc_khz > 0 && ((uint64_t)4 << log2_ticks) / tsc_khz / 1000 > ec_watchdog_s)
					ec_watchdog_s = ((uint64_t)4 << log2_ticks) / tsc_khz / 1000;
			}
			guest_test = t;
			sync_global_to_guest(vm, guest_test);
			sync_global_to_guest(vm, guest_amd);

			/* Double the loop until a run spans the target. */
			ok = true;
			for (iters = 1; ok; iters *= 2) {
				ok = ec_run(vm, vcpu, iters, &clk, &spent);
				if (spent >= (uint64_t)1 << log2_ticks || iters >= (uint64_t)1 << 40)
					break;
			}
			clk.cycles = clk.ticks = 0;
			for (r = 0; r < runs && ok; r++) {
				ok = ec_run(vm, vcpu, iters, &clk, &spent);
				ticks[r] = (double)spent / iters;
			}
			if (!ok) {
				char why[200];

				snprintf(why, sizeof(why), "the guest did not come back from %s within %u s%s",
					 ec_names[t], ec_watchdog_s,
					 hwvirt ? "" : ": this host's /dev/kvm emulates the guest and does not complete it");
				if (hwvirt)
					ksft_test_result_fail("%s pmu=%s: %s\n", ec_names[t], pmu, why);
				else
					ksft_test_result_skip("%s pmu=%s: %s\n", ec_names[t], pmu, why);
				if (raw)
					fprintf(raw, "case %s %s %s %s\n", ec_names[t], pmu, hwvirt ? "fail" : "skip", why);
				goto next;
			}
			if (raw) {
				fprintf(raw, "case %s %s ok %" PRIu64, ec_names[t], pmu, iters);
				if (clk.cycles && clk.ticks) {
					fprintf(raw, " %.4f", (double)clk.cycles / clk.ticks);
					counted = true;
				}
				else
					fprintf(raw, " -");
				for (r = 0; r < runs; r++)
					fprintf(raw, " %.3f", ticks[r]);
				fprintf(raw, "\n");
			}
			qsort(ticks, runs, sizeof(ticks[0]), ec_cmp);
			ksft_test_result_pass("%s pmu=%s: %.1f TSC ticks per exit, median of %u runs of %" PRIu64
					      " (%.1f-%.1f)%s\n", ec_names[t], pmu, ticks[runs / 2], runs, iters,
					      ticks[0], ticks[runs - 1], note);
next:
			if (efd >= 0)
				close(efd);
			kvm_vm_free(vm);
		}
	}

	if (raw) {
		if (tsc_khz > 0)
			fprintf(raw, "tsc_khz %ld\n", tsc_khz);
		else
			fprintf(raw, "tsc_khz unknown KVM_GET_TSC_KHZ: %s\n",
				tsc_khz < 0 ? "no test ran" : strerror(errno));
		if (clk.fd < 0)
			fprintf(raw, "cycles unknown %s\n", clk.why);
		else if (!counted)
			fprintf(raw, "cycles unknown the cycle counter did not count on this host\n");
		else
			fprintf(raw, "cycles the perf cycle counter on the vCPU thread (host and guest mode) per host TSC tick\n");
		if (fclose(raw))
			ksft_exit_fail_msg("exit_cost: %s: %s\n", raw_path, strerror(errno));
	}
	ksft_finished();
}
