// SPDX-License-Identifier: GPL-2.0
/*
 * hotpath calibrate: times the replicas in calibrate_thunks.S on this CPU
 * and prints a profile for the cost model.  Each key is a loop of CAL_SEQS
 * sequences less a baseline loop of the same shape, per sequence, the
 * median of --runs runs.  TSC ticks become core cycles through the ratio a
 * chain of dependent adds gives: VMs seldom have a cycle counter, and the
 * TSC also counts the host's share of a CPUID exit, which the guest waits
 * for all the same.  The defaults line says which sequences the running
 * kernel chose, from /sys/devices/system/cpu/vulnerabilities.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "calibrate.h"
#include "options.h"
#include "util.h"

#define CAL_RUNS	31	/* default --runs */
#define CAL_MIN_RUNS	3
#define CAL_VULNS	"/sys/devices/system/cpu/vulnerabilities"

static void cal_usage(void)
{
	printf("usage: hotpath calibrate [--runs N] [--cpuinfo FILE] [--vulnerabilities DIR] > CPU.profile\n");
}

/*
 * CAL_NOT_X86 builds the path of other architectures on x86-64 too, so
 * that tests run it (tests/analyzer/calibrate.sh).
 */
#if defined(__x86_64__) && !defined(CAL_NOT_X86)

#include <cpuid.h>
#include <sys/mman.h>

#define CAL_ITERS	64	/* iterations of a timed loop... */
#define CAL_SEQS	(CAL_ITERS * CAL_UNROLL)	/* ...of this many sequences */
#define CAL_ADD_ITERS	20000	/* x 100 adds: the clock ratio's chain */
#define CAL_WARM_ITERS	500000	/* x 100 adds: wake the core up first */

/*
 * srso_alias_safe_ret's place in its 2M page: bits 2, 8, 14 and 20 set
 * (arch/x86/kernel/vmlinux.lds.S), so that on Zen 3/4 it aliases the
 * 2M-aligned srso_alias_untrain_ret in the BTB.
 */
#define CAL_2M		0x200000ul
#define CAL_ALIAS_OFF	0x104104ul

typedef void cal_loop_fn(uint64_t n);

/* calibrate_thunks.S */
uint64_t cal_timed(cal_loop_fn *loop, uint64_t n);
cal_loop_fn cal_loop_adds, cal_loop_empty, cal_loop_call, cal_loop_indirect;
cal_loop_fn cal_loop_retpoline, cal_loop_retpoline_lfence, cal_loop_its;
cal_loop_fn cal_loop_return_thunk, cal_loop_srso_safe_ret, cal_loop_call_depth;
cal_loop_fn cal_loop_kcfi, cal_loop_fineibt, cal_loop_cpuid;
extern const char cal_alias_begin[], cal_alias_safe_ret[], cal_alias_end[];

/* The keys in the profile's order; a NULL loop is not measured. */
enum {
	K_CALL, K_INDIRECT, K_RETPOLINE, K_RETPOLINE_LFENCE, K_ITS, K_RETURN_THUNK,
	K_SRSO_SAFE_RET, K_SRSO_ALIAS, K_CALL_DEPTH, K_KCFI, K_FINEIBT, K_IPC, K_GUARD,
	K_CPUID_EXIT, K_NKEYS
};

struct cal_key {
	const char *name;
	cal_loop_fn *loop, *base;
	const char *what;
};

static const struct cal_key cal_keys[K_NKEYS] = {
	[K_CALL] = { "call", cal_loop_call, cal_loop_empty,
		"measured: direct call + ret" },
	[K_INDIRECT] = { "indirect", cal_loop_indirect, cal_loop_empty,
		"measured: predicted call *%r11 + ret" },
	[K_RETPOLINE] = { "retpoline", cal_loop_retpoline, cal_loop_empty,
		"measured: call to a retpoline thunk (call; int3; mov %r11,(%rsp); ret) + ret" },
	[K_RETPOLINE_LFENCE] = { "retpoline_lfence", cal_loop_retpoline_lfence, cal_loop_empty,
		"measured: lfence; call *%r11 + ret" },
	[K_ITS] = { "its", cal_loop_its, cal_loop_empty,
		"measured: call to a thunk whose jmp *%r11 is in a cacheline's upper half + ret" },
	[K_RETURN_THUNK] = { "return_thunk", cal_loop_return_thunk, cal_loop_call,
		"measured: extra per return, jmp to an aligned ret; int3" },
	[K_SRSO_SAFE_RET] = { "srso_safe_ret", cal_loop_srso_safe_ret, cal_loop_call,
		"measured: extra per return, jmp to call safe_ret; ud2 (lea 8(%rsp),%rsp; ret)" },
	[K_SRSO_ALIAS] = { "srso_alias", NULL, cal_loop_call, NULL },	/* see cal_alias_map() */
	[K_CALL_DEPTH] = { "call_depth", cal_loop_call_depth, cal_loop_call,
		"measured: extra per call+return, sarq $5 on call, shlq $5 in a return thunk (balanced: no RSB refill)" },
	[K_KCFI] = { "kcfi", cal_loop_kcfi, cal_loop_indirect,
		"measured: extra per indirect call, mov $hash,%r10d; add -4(%r11),%r10d; je; ud2" },
	[K_FINEIBT] = { "fineibt", cal_loop_fineibt, cal_loop_indirect,
		"measured: extra per indirect call, mov $hash,%r10d + endbr64; sub $hash,%r10d; je; ud2" },
	[K_IPC] = { "ipc", NULL, NULL, "not measured: model assumption, see README" },
	[K_GUARD] = { "guard", NULL, NULL, "not measured: model assumption, see README" },
	[K_CPUID_EXIT] = { "cpuid_exit", cal_loop_cpuid, cal_loop_empty, NULL },	/* see cal_cpu() */
};

/* The mitigation state read from the vulnerabilities folder. */
enum { V_SPECTRE_V2, V_RETBLEED, V_SRSO, V_ITS, V_NFILES };

static const char *const cal_vfile[V_NFILES] = {
	"spectre_v2", "retbleed", "spec_rstack_overflow", "indirect_target_selection",
};

struct cal_ctx {
	unsigned int runs;
	const char *vulns, *cpuinfo;
	double *sample;			/* one per run */
	double ratio;			/* core cycles per TSC tick */
	char model[128], release[sizeof(((struct utsname *)0)->release)];
	const char *vendor;
	unsigned int family, cpu_model;
	bool guest, ibt;
	cal_loop_fn *loop[K_NKEYS];
	const char *what[K_NKEYS];
	double value[K_NKEYS];
	char *alias_map;		/* the copy of the alias block, if made */
	char vline[V_NFILES][256];	/* "" when missing */
	int v2_errno;			/* spectre_v2 unreadable: the folder is */
};

static int cal_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double cal_median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cal_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Core cycles per TSC tick: the add chain runs one add a core cycle. */
static int cal_ratio(struct cal_ctx *c)
{
	unsigned int r;

	cal_timed(cal_loop_adds, CAL_WARM_ITERS);
	for (r = 0; r < c->runs; r++) {
		uint64_t ticks = cal_timed(cal_loop_adds, CAL_ADD_ITERS);

		if (!ticks) {
			error("calibrate: the TSC does not advance; rdtsc cannot time anything here");
			return -1;
		}
		c->sample[r] = 100.0 * CAL_ADD_ITERS / (double)ticks;
	}
	c->ratio = cal_median(c->sample, c->runs);
	return 0;
}

/* One key: its loop less its baseline, per sequence, in core cycles. */
static double cal_measure(const struct cal_ctx *c, cal_loop_fn *loop, cal_loop_fn *base)
{
	unsigned int r;

	cal_timed(base, CAL_ITERS);	/* caches and predictors warm */
	cal_timed(loop, CAL_ITERS);
	for (r = 0; r < c->runs; r++) {
		double b = (double)cal_timed(base, CAL_ITERS);
		double t = (double)cal_timed(loop, CAL_ITERS);

		c->sample[r] = (t - b) / CAL_SEQS * c->ratio;
	}
	return cal_median(c->sample, c->runs);
}

/*
 * A copy of the alias block with cal_alias_safe_ret where the kernel puts
 * srso_alias_safe_ret.  Only the return is copied: the 2M-aligned
 * srso_alias_untrain_ret runs on kernel entry, not per return.
 */
static cal_loop_fn *cal_alias_map(struct cal_ctx *c)
{
	size_t off = (size_t)(cal_alias_safe_ret - cal_alias_begin);
	size_t len = (size_t)(cal_alias_end - cal_alias_begin);
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), base, start, end;
	char *map, *dst;

	map = mmap(NULL, 2 * CAL_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	base = ((uintptr_t)map + CAL_2M - 1) & ~(CAL_2M - 1);
	dst = (char *)(base + CAL_ALIAS_OFF - off);
	memcpy(dst, cal_alias_begin, len);
	start = (uintptr_t)dst & ~(page - 1);
	end = ((uintptr_t)dst + len + page - 1) & ~(page - 1);
	if (mprotect((void *)start, end - start, PROT_READ | PROT_EXEC)) {
		munmap(map, 2 * CAL_2M);
		return NULL;
	}
	c->alias_map = map;
	return (cal_loop_fn *)(uintptr_t)dst;
}

/*
 * On Intel and on AMD outside Zen 3/4 the address changes nothing; where
 * no executable copy can be made, the block runs where it was linked.
 */
static void cal_alias(struct cal_ctx *c)
{
	static const char at_alias[] =
		"measured: extra per return, srso_safe_ret's sequence, safe_ret at bits 2, 8, 14, 20 of a 2M page (aliasing matters on Zen 3/4 only)";
	static const char in_place[] =
		"measured: extra per return, srso_safe_ret's sequence in place (no executable copy at an alias address could be made)";

	c->loop[K_SRSO_ALIAS] = cal_alias_map(c);
	c->what[K_SRSO_ALIAS] = at_alias;
	if (!c->loop[K_SRSO_ALIAS]) {
		c->loop[K_SRSO_ALIAS] = (cal_loop_fn *)(uintptr_t)cal_alias_begin;
		c->what[K_SRSO_ALIAS] = in_place;
	}
}

/*
 * The profile's vendor, by the KVM module that runs the CPU: kvm-amd (SVM)
 * on AMD and Hygon, kvm-intel (VMX) on Intel, Centaur and Zhaoxin.  NULL:
 * neither, and no profile can price it.
 */
static const char *cal_vendor(const char *id)
{
	static const struct { const char *id, *vendor; } map[] = {
		{ "AuthenticAMD", "amd" }, { "HygonGenuine", "amd" },
		{ "GenuineIntel", "intel" }, { "CentaurHauls", "intel" }, { "Shanghai", "intel" },
	};
	size_t i, len;

	/* Zhaoxin's is "  Shanghai  " from cpuid, "Shanghai  " in /proc/cpuinfo. */
	id += strspn(id, " ");
	for (len = strlen(id); len && id[len - 1] == ' '; len--)
		;
	for (i = 0; i < sizeof(map) / sizeof(*map); i++) {
		if (strlen(map[i].id) == len && !strncmp(id, map[i].id, len))
			return map[i].vendor;
	}
	return NULL;
}

/*
 * From a /proc/cpuinfo: the model name and whether the CPU has IBT; given
 * id, also the vendor id and family, which otherwise cpuid gives, and then
 * a file without them is an error.
 */
static int cal_cpuinfo(struct cal_ctx *c, const char *path, char *id, size_t idsize)
{
	struct cpuinfo ci;

	if (cpuinfo_read(path, &ci)) {
		snprintf(c->model, sizeof(c->model), "unknown");
		if (id)
			error("--cpuinfo %s: cannot read it (%s); give a copy of a /proc/cpuinfo",
			      path, strerror(errno));
		return id ? -1 : 0;
	}
	snprintf(c->model, sizeof(c->model), "%.*s", (int)sizeof(c->model) - 1,
		 ci.model_name[0] ? ci.model_name : "unknown");
	c->ibt = ci.ibt;
	if (!id)
		return 0;
	snprintf(id, idsize, "%s", ci.vendor_id);
	if (ci.family >= 0)
		c->family = (unsigned int)ci.family;
	if (ci.model >= 0)
		c->cpu_model = (unsigned int)ci.model;
	if (!id[0] || !ci.has_flags) {
		error("--cpuinfo %s: no vendor_id or flags line; give a copy of a /proc/cpuinfo", path);
		return -1;
	}
	return 0;
}

/*
 * Vendor, family and the hypervisor bit from cpuid itself, or the first
 * two from --cpuinfo (the defaults another machine would get).  The
 * hypervisor bit always comes from this CPU: it says what cpuid_exit,
 * measured here, is.
 */
static int cal_cpu(struct cal_ctx *c)
{
	unsigned int a, b, cx, d, fam;
	char id[64] = "";

	__cpuid(0, a, b, cx, d);
	memcpy(id, &b, 4);
	memcpy(id + 4, &d, 4);
	memcpy(id + 8, &cx, 4);
	id[12] = '\0';
	__cpuid(1, a, b, cx, d);
	fam = (a >> 8) & 0xf;
	c->family = fam == 0xf ? fam + ((a >> 20) & 0xff) : fam;
	c->cpu_model = ((a >> 4) & 0xf) | (fam == 0x6 || fam == 0xf ? ((a >> 16) & 0xf) << 4 : 0);
	c->guest = cx >> 31;
	c->what[K_CPUID_EXIT] = c->guest ?
		"measured: cpuid leaf 0 in a guest (hypervisor bit set): a CPUID exit round trip" :
		"measured: not a guest: cpuid does not exit; this is the instruction's cost";
	if (c->cpuinfo) {
		id[0] = '\0';
		if (cal_cpuinfo(c, c->cpuinfo, id, sizeof(id)))
			return -1;
	} else {
		cal_cpuinfo(c, "/proc/cpuinfo", NULL, 0);
	}
	c->vendor = cal_vendor(id);
	if (!c->vendor) {
		error("calibrate: CPU vendor '%s' is run by neither kvm-amd nor kvm-intel; "
		      "profiles are for AMD (SVM) or Intel (VMX) CPUs", id);
		return -1;
	}
	return 0;
}

static void cal_vulns(struct cal_ctx *c)
{
	int i;

	for (i = 0; i < V_NFILES; i++) {
		char *path = xasprintf("%s/%s", c->vulns, cal_vfile[i]);

		if (read_first_line(path, c->vline[i], sizeof(c->vline[i])) && i == V_SPECTRE_V2)
			c->v2_errno = errno;
		free(path);
	}
}

/* The indirect-call sequence: spectre_v2's mitigation, before any ';'. */
static const char *cal_default_indirect(const struct cal_ctx *c)
{
	char v2[256];

	snprintf(v2, sizeof(v2), "%.*s", (int)strcspn(c->vline[V_SPECTRE_V2], ";"),
		 c->vline[V_SPECTRE_V2]);
	if (strstr(v2, "Retpolines"))
		return "retpoline";
	if (strstr(v2, "LFENCE"))
		return "retpoline_lfence";
	if (strstr(v2, "Enhanced") &&
	    strstr(c->vline[V_ITS], "Aligned branch/return thunks"))
		return "its";
	return "plain";
}

/* The return sequence: SRSO's safe RET over retbleed's over ITS's thunk. */
static const char *cal_default_return(const struct cal_ctx *c)
{
	bool zen34 = !strcmp(c->vendor, "amd") && c->family == 0x19;

	if (strstr(c->vline[V_SRSO], "Safe RET"))
		return zen34 ? "srso_alias" : "srso_safe_ret";
	if (strcasestr(c->vline[V_RETBLEED], "untrained return thunk"))
		return "thunk";
	if (strstr(c->vline[V_RETBLEED], "Stuffing"))
		return "call_depth";
	if (strstr(c->vline[V_ITS], "Aligned branch/return thunks"))
		return "thunk";
	return "plain";
}

static void cal_print_defaults(const struct cal_ctx *c, FILE *out)
{
	char xy[sizeof(c->release)];
	unsigned int x, y;
	int i;

	if (sscanf(c->release, "%u.%u", &x, &y) == 2)
		snprintf(xy, sizeof(xy), "%u.%u", x, y);
	else
		snprintf(xy, sizeof(xy), "%s", c->release);
	if (c->v2_errno) {
		fprintf(out, "defaults %s\tindirect=plain return=plain cfi=kcfi\t"
			"# could not read %s/spectre_v2 (%s)\n",
			xy, c->vulns, strerror(c->v2_errno));
		return;
	}
	fprintf(out, "defaults %s\tindirect=%s return=%s cfi=%s\t# from %s:\n", xy,
		cal_default_indirect(c), cal_default_return(c), c->ibt ? "fineibt" : "kcfi",
		c->vulns);
	for (i = 0; i < V_NFILES; i++)
		fprintf(out, "#   %s: %s\n", cal_vfile[i],
			c->vline[i][0] ? c->vline[i] : "(not there)");
}

static void cal_print(const struct cal_ctx *c, FILE *out)
{
	int k;

	fprintf(out, "# SPDX-License-Identifier: GPL-2.0\n");
	fprintf(out, "# Measured by hotpath calibrate on %s, %s.\n", c->model, c->release);
	fprintf(out, "# Cycles from rdtsc x %.3f core cycles per TSC tick (dependent-add chain); "
		"median of %u runs of %u.\n", c->ratio, c->runs, CAL_SEQS);
	fprintf(out, "name\t\tnative\n");
	fprintf(out, "cpu\t\t%s\n", c->model);
	fprintf(out, "vendor\t\t%s\n", c->vendor);
	fprintf(out, "models\t\t0x%x\t0x%x\t# this CPU: family, model\n", c->family, c->cpu_model);
	for (k = 0; k < K_NKEYS; k++) {
		const char *name = cal_keys[k].name;
		bool noise = c->value[k] < 0;

		fprintf(out, "%s\t%s%.1f\t# %s%s\n", name, strlen(name) < 8 ? "\t" : "",
			noise ? 0.0 : c->value[k], c->what[k],
			noise ? " (below measurement noise)" : "");
	}
	cal_print_defaults(c, out);
}

/* The run stays on the CPU it started on; old gets the mask to restore. */
static int cal_pin(cpu_set_t *old)
{
	int cpu = sched_getcpu();
	cpu_set_t one;

	if (cpu < 0 || sched_getaffinity(0, sizeof(*old), old))
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

static void cal_measure_all(struct cal_ctx *c)
{
	bool progress = isatty(STDERR_FILENO);
	int k;

	for (k = 0; k < K_NKEYS; k++) {
		if (progress)
			fprintf(stderr, "\r%s: calibrate: %-16s (%d/%d)", progname,
				cal_keys[k].name, k + 1, K_NKEYS);
		c->value[k] = c->loop[k] ? cal_measure(c, c->loop[k], cal_keys[k].base) : 1.0;
	}
	if (progress)
		fputc('\n', stderr);
}

static int cal_run(struct cal_ctx *c)
{
	struct utsname u;
	cpu_set_t old;
	bool pinned;
	int k, ret = 1;

	for (k = 0; k < K_NKEYS; k++) {
		c->loop[k] = cal_keys[k].loop;
		c->what[k] = cal_keys[k].what;
	}
	snprintf(c->release, sizeof(c->release), "%s", uname(&u) ? "unknown" : u.release);
	if (cal_cpu(c))
		return 1;
	cal_vulns(c);
	cal_alias(c);
	pinned = !cal_pin(&old);
	if (!pinned)
		error("calibrate: cannot pin to one CPU (%s); measuring anyway", strerror(errno));
	c->sample = xcalloc(c->runs, sizeof(*c->sample));
	if (cal_ratio(c) == 0) {
		cal_measure_all(c);
		cal_print(c, stdout);
		ret = 0;
		if (fflush(stdout)) {
			error("calibrate: writing the profile failed (%s)", strerror(errno));
			ret = 1;
		}
	}
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
	if (c->alias_map)
		munmap(c->alias_map, 2 * CAL_2M);
	free(c->sample);
	return ret;
}

#else /* !__x86_64__ */

struct cal_ctx {
	unsigned int runs;
	const char *vulns, *cpuinfo;
};

static int cal_run(struct cal_ctx *c)
{
	(void)c;
	error("calibrate: x86-64 only");
	return 1;
}

#endif /* __x86_64__ */

int cal_main(int argc, char **argv)
{
	struct cal_ctx c = { .runs = CAL_RUNS, .vulns = CAL_VULNS };
	int help = 0, first;
	const struct option opts[] = {
		{ "runs", OPT_UINT, &c.runs, "N", "median of N runs of each measurement (default 31, at least 3)" },
		{ "vulnerabilities", OPT_STRING, &c.vulns, "DIR", "read the mitigations from DIR, not " CAL_VULNS },
		{ "cpuinfo", OPT_STRING, &c.cpuinfo, "FILE", "the CPU's vendor, family, name and flags from FILE (a /proc/cpuinfo), not this CPU's" },
		{ "help", OPT_FLAG, &help, NULL, "this text" },
		{ NULL, 0, NULL, NULL, NULL },
	};

	first = parse_options(argc, argv, 1, opts);
	if (first < 0)
		return 2;
	if (help) {
		cal_usage();
		print_options(opts);
		return 0;
	}
	if (first != argc) {
		error("unexpected argument '%s'; see hotpath calibrate --help", argv[first]);
		return 2;
	}
	if (c.runs < CAL_MIN_RUNS) {
		error("--runs %u: give %d or more runs", c.runs, CAL_MIN_RUNS);
		return 2;
	}
	return cal_run(&c);
}
