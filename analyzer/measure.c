// SPDX-License-Identifier: GPL-2.0
/*
 * hotpath measure: what tests/kvm/exit_cost timed, made into measure.json
 * with the facts that decide what it means (the host's kernel, CPU,
 * microcode, mitigations and kvm module parameters), printed as a table,
 * and two measure.json compared per test with Welch's t-test, as ministat
 * compares two sets of runs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "json.h"
#include "measure.h"
#include "options.h"
#include "util.h"
#include "version.h"

#define M_VULNS		"/sys/devices/system/cpu/vulnerabilities"
#define M_MODULES	"/sys/module"
#define M_CONFIDENCE	0.95

static const struct {
	const char *test, *intel, *amd, *what;
} m_tests[] = {
	{ "cpuid", "EXIT_REASON_CPUID", "SVM_EXIT_CPUID", "cpuid, leaf 0" },
	{ "vmcall", "EXIT_REASON_VMCALL", "SVM_EXIT_VMMCALL", "vmcall (vmmcall on AMD) of no hypercall" },
	{ "rdmsr", "EXIT_REASON_MSR_READ", "SVM_EXIT_MSR", "rdmsr of MSR_IA32_UCODE_REV" },
	{ "io", "EXIT_REASON_IO_INSTRUCTION", "SVM_EXIT_IOIO", "outb to an ioeventfd port" },
};

#define M_NTESTS	(sizeof(m_tests) / sizeof(m_tests[0]))

const char *measure_exit_reason(const char *test, const char *vendor)
{
	size_t i;

	for (i = 0; i < M_NTESTS; i++)
		if (!strcmp(m_tests[i].test, test))
			return !strcmp(vendor, "amd") ? m_tests[i].amd :
			       !strcmp(vendor, "intel") ? m_tests[i].intel : NULL;
	return NULL;
}

/* --- exit_cost's figures ------------------------------------------------ */

struct rcase {
	char *test, *pmu, *status, *reason;
	unsigned long long iters;
	double cpt;		/* cycles per tick, < 0 unknown */
	double *ticks;
	size_t n;
};

struct raw {
	char *vendor, *tsc_why, *cycles;
	bool hwvirt, cycles_known;
	unsigned long long target;
	long tsc_khz;		/* 0: unknown, tsc_why says why */
	struct rcase *c;
	size_t n, alloc;
};

static void raw_free(struct raw *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->c[i].test);
		free(r->c[i].pmu);
		free(r->c[i].status);
		free(r->c[i].reason);
		free(r->c[i].ticks);
	}
	free(r->c);
	free(r->vendor);
	free(r->tsc_why);
	free(r->cycles);
}

/* "case TEST PMU ok ITERS CPT|- TICKS..." or "case TEST PMU skip|fail REASON" */
static int raw_case(struct raw *r, char *rest)
{
	char *test = strtok(rest, " "), *pmu = strtok(NULL, " "), *st = strtok(NULL, " ");
	char *tail = strtok(NULL, ""), *tok, *end;
	struct rcase *c;
	size_t alloc = 0;

	if (!test || !pmu || !st || !tail || !measure_exit_reason(test, "intel") ||
	    (strcmp(pmu, "default") && strcmp(pmu, "off")))
		return -1;
	GROW(r->c, r->alloc, r->n + 1);
	c = &r->c[r->n++];
	memset(c, 0, sizeof(*c));
	c->test = xstrdup(test);
	c->pmu = xstrdup(pmu);
	c->status = xstrdup(st);
	c->cpt = -1;
	if (strcmp(st, "ok")) {
		if (strcmp(st, "skip") && strcmp(st, "fail"))
			return -1;
		c->reason = xstrdup(tail);
		return 0;
	}
	tok = strtok(tail, " ");
	c->iters = tok ? strtoull(tok, &end, 10) : 0;
	if (!c->iters || *end)
		return -1;
	tok = strtok(NULL, " ");
	if (!tok)
		return -1;
	if (strcmp(tok, "-")) {
		c->cpt = strtod(tok, &end);
		if (*end || !(c->cpt > 0))
			return -1;
	}
	while ((tok = strtok(NULL, " "))) {
		GROW(c->ticks, alloc, c->n + 1);
		c->ticks[c->n] = strtod(tok, &end);
		if (*end || !(c->ticks[c->n] > 0))
			return -1;
		c->n++;
	}
	return c->n ? 0 : -1;
}

static int raw_read(const char *path, struct raw *r)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	unsigned int no = 0;
	bool head = false;
	FILE *f = fopen(path, "r");

	if (!f) {
		error("%s: %s; it is what tests/kvm/exit_cost -o writes", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &size, f)) > 0) {
		char *key = line, *rest;

		no++;
		if (line_has_nul(line, len))
			goto bad;
		line[strcspn(line, "\n")] = 0;
		rest = strchr(line, ' ');
		if (!rest)
			goto bad;
		*rest++ = 0;
		if (no == 1) {
			if (strcmp(key, "exit_cost") || strcmp(rest, "1"))
				goto bad;
			head = true;
		} else if (!strcmp(key, "vendor")) {
			free(r->vendor);
			r->vendor = xstrdup(rest);
		} else if (!strcmp(key, "hwvirt")) {
			r->hwvirt = !strcmp(rest, "yes");
		} else if (!strcmp(key, "target_ticks")) {
			r->target = strtoull(rest, NULL, 10);
		} else if (!strcmp(key, "tsc_khz")) {
			if (!strncmp(rest, "unknown ", 8)) {
				free(r->tsc_why);
				r->tsc_why = xstrdup(rest + 8);
			} else if ((r->tsc_khz = strtol(rest, NULL, 10)) <= 0) {
				goto bad;
			}
		} else if (!strcmp(key, "cycles")) {
			r->cycles_known = strncmp(rest, "unknown ", 8);
			free(r->cycles);
			r->cycles = xstrdup(r->cycles_known ? rest : rest + 8);
		} else if (!strcmp(key, "case")) {
			if (raw_case(r, rest))
				goto bad;
		} else {
			goto bad;
		}
	}
	free(line);
	fclose(f);
	if (!head || !r->vendor || !r->n) {
		error("%s: no exit_cost header, vendor or case line; it is what tests/kvm/exit_cost -o writes",
		      path);
		return -1;
	}
	return 0;
bad:
	error("%s:%u: not a line exit_cost writes; rerun tests/kvm/exit_cost -o %s", path, no, path);
	free(line);
	fclose(f);
	return -1;
}

/* --- the host ----------------------------------------------------------- */

/* A sysfs or procfs file's first line, or NULL. */
static char *m_read_line(const char *path)
{
	char buf[4096];

	if (read_first_line(path, buf, sizeof(buf)) || !buf[0])
		return NULL;
	return xstrdup(buf);
}

static int m_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in DIR that KEEP accepts (NULL: all but dot files), sorted. */
static char **m_names(const char *dir, bool (*keep)(const char *), size_t *n)
{
	char **v = NULL;
	size_t alloc = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || (keep && !keep(e->d_name)))
			continue;
		GROW(v, alloc, *n + 1);
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		xqsort(v, *n, sizeof(*v), m_cmp_str);
	return v;
}

/* {"name": "first line", ...} of every readable file in DIR. */
static void m_json_files(FILE *out, const char *dir, const char *indent)
{
	size_t n, i, shown = 0;
	char **names = m_names(dir, NULL, &n);

	fputc('{', out);
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		char *v = m_read_line(path);

		if (v) {
			fprintf(out, "%s\n%s  ", shown++ ? "," : "", indent);
			json_str(out, names[i]);
			fputs(": ", out);
			json_str(out, v);
		}
		free(v);
		free(path);
		free(names[i]);
	}
	free(names);
	if (shown)
		fprintf(out, "\n%s", indent);
	fputc('}', out);
}

static bool m_kvm_module(const char *name)
{
	return !strcmp(name, "kvm") || !strncmp(name, "kvm_", 4);
}

static void m_json_modules(FILE *out)
{
	size_t n, i;
	char **names = m_names(M_MODULES, m_kvm_module, &n);

	fputc('{', out);
	for (i = 0; i < n; i++) {
		char *dir = xasprintf("%s/%s/parameters", M_MODULES, names[i]);

		fprintf(out, "%s\n    ", i ? "," : "");
		json_str(out, names[i]);
		fputs(": ", out);
		m_json_files(out, dir, "    ");
		free(dir);
		free(names[i]);
	}
	free(names);
	fputs(n ? "\n  }" : "}", out);
}

/* --- measure.json ------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double m_median(const double *v, size_t n)
{
	double *s = xmalloc(n * sizeof(*s)), m;

	memcpy(s, v, n * sizeof(*s));
	xqsort(s, n, sizeof(*s), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

struct m_write {
	const struct raw *raw;
	const char *tree;
};

static void m_fill(const void *arg, FILE *out)
{
	const struct m_write *w = arg;
	const struct raw *r = w->raw;
	struct cpuinfo ci;
	struct utsname u;
	char host[256] = "";
	char *cmdline = m_read_line("/proc/cmdline");
	size_t i, k;

	cpuinfo_read("/proc/cpuinfo", &ci);
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	gethostname(host, sizeof(host) - 1);

	fputs("{\n\"format\": \"" MEASURE_FORMAT "\",\n\"tool\": {\"name\": \"kvm-hotpath\", \"version\": \""
	      HOTPATH_VERSION "\"},\n\"host\": {\n  \"name\": ", out);
	json_str(out, host);
	fputs(",\n  \"kernel\": ", out);
	json_str(out, u.release);
	fputs(",\n  \"kernel_build\": ", out);
	json_str(out, u.version);
	fputs(",\n  \"cmdline\": ", out);
	json_str(out, cmdline);
	fputs(",\n  \"cpu\": {\"vendor\": ", out);
	json_str(out, r->vendor);
	fputs(", \"vendor_id\": ", out);
	json_str(out, ci.vendor_id);
	fprintf(out, ", \"family\": %d, \"model\": %d, \"stepping\": %d, \"model_name\": ",
		ci.family, ci.model, ci.stepping);
	json_str(out, ci.model_name);
	fputs(", \"microcode\": ", out);
	json_str(out, ci.microcode[0] ? ci.microcode : NULL);
	fprintf(out, ",\n          \"hardware_virtualization\": %s, \"hypervisor\": %s},\n",
		r->hwvirt ? (ci.svm ? "\"svm\"" : "\"vmx\"") : "null",
		ci.hypervisor ? "true" : "false");
	fputs("  \"vulnerabilities\": ", out);
	m_json_files(out, M_VULNS, "  ");
	fputs(",\n  \"kvm_parameters\": ", out);
	m_json_modules(out);
	fputs("\n},\n\"figures\": ", out);
	if (r->hwvirt)
		fputs("\"exit costs\",\n", out);
	else
		fputs("\"not exit costs: this host has no hardware virtualisation (no vmx or svm flag "
		      "in /proc/cpuinfo), so /dev/kvm emulates the guest instead of exiting from it\",\n", out);
	fputs("\"selftest\": {\"program\": \"tests/kvm/exit_cost\", \"tree\": ", out);
	json_str(out, w->tree);
	fprintf(out, ", \"target_ticks\": %llu},\n", r->target);
	fputs("\"clock\": {\"tsc_khz\": ", out);
	if (r->tsc_khz > 0)
		fprintf(out, "%ld, \"tsc_source\": \"KVM_GET_TSC_KHZ\"", r->tsc_khz);
	else {
		fputs("null, \"tsc_source\": ", out);
		json_str(out, r->tsc_why);
	}
	fputs(", \"cycles_known\": ", out);
	fputs(r->cycles_known ? "true" : "false", out);
	fputs(", \"cycles_source\": ", out);
	json_str(out, r->cycles);
	fputs("},\n\"tests\": [\n", out);
	for (i = 0; i < r->n; i++) {
		const struct rcase *c = &r->c[i];

		fputs("{\"test\": ", out);
		json_str(out, c->test);
		fputs(", \"pmu\": ", out);
		json_str(out, c->pmu);
		fputs(", \"exit_reason\": ", out);
		json_str(out, measure_exit_reason(c->test, r->vendor));
		fputs(", \"status\": ", out);
		json_str(out, c->status);
		if (c->n) {
			double med = m_median(c->ticks, c->n);

			fprintf(out, ", \"iterations\": %llu, \"ticks\": [", c->iters);
			for (k = 0; k < c->n; k++)
				fprintf(out, "%s%.3f", k ? ", " : "", c->ticks[k]);
			fprintf(out, "], \"median\": %.3f", med);
			if (c->cpt > 0)
				fprintf(out, ", \"cycles_per_tick\": %.4f, \"cycles\": %.3f", c->cpt, med * c->cpt);
			else
				fputs(", \"cycles_per_tick\": null, \"cycles\": null", out);
		} else {
			fputs(", \"reason\": ", out);
			json_str(out, c->reason);
		}
		fputs(i + 1 < r->n ? "},\n" : "}\n", out);
	}
	fputs("]\n}\n", out);
	free(cmdline);
}

/* --- reading measure.json ----------------------------------------------- */

static int m_bad(const char *path, const char *what)
{
	error("%s: not a measure.json (%s); make measure SAVE=FILE writes one", path, what);
	return -1;
}

int measure_load(const char *path, struct measured *m)
{
	const struct jval *host, *cpu, *tests, *v;
	size_t i, k;

	memset(m, 0, sizeof(*m));
	m->path = xstrdup(path);
	m->doc = jread_file_as(path, "make measure SAVE=FILE");
	if (!m->doc) {
		measure_free(m);
		return -1;
	}
	if (m->doc->type != J_OBJ || !jstr(m->doc, "format"))
		return m_bad(path, "no \"format\""), measure_free(m), -1;
	if (strcmp(jstr(m->doc, "format"), MEASURE_FORMAT)) {
		error("%s: format \"%s\", this kvm-hotpath reads \"%s\"; measure again with make measure",
		      path, jstr(m->doc, "format"), MEASURE_FORMAT);
		measure_free(m);
		return -1;
	}
	host = jget(m->doc, "host");
	cpu = host ? jget(host, "cpu") : NULL;
	tests = jget(m->doc, "tests");
	if (!host || !cpu || !tests || tests->type != J_ARR || !jstr(host, "kernel") ||
	    !jstr(cpu, "vendor") || !jstr(cpu, "model_name") || !jstr(m->doc, "figures"))
		return m_bad(path, "host, cpu, figures or tests missing"), measure_free(m), -1;
	if (!juint(jget(cpu, "family"), &m->family) || !juint(jget(cpu, "model"), &m->model))
		return m_bad(path, "the CPU's family or model is not a whole number"), measure_free(m), -1;
	m->host = jstr(host, "name") ? jstr(host, "name") : "?";
	m->kernel = jstr(host, "kernel");
	m->cpu = jstr(cpu, "model_name");
	m->vendor = jstr(cpu, "vendor");
	m->exit_costs = !strcmp(jstr(m->doc, "figures"), "exit costs");
	m->fig = xcalloc(tests->n + 1, sizeof(*m->fig));
	for (i = 0; i < tests->n; i++) {
		const struct jval *t = &tests->item[i], *ticks = jget(t, "ticks");
		struct mfig *f = &m->fig[m->nfig];

		if (t->type != J_OBJ || !jstr(t, "test") || !jstr(t, "pmu") || !jstr(t, "status"))
			return m_bad(path, "a test without test, pmu or status"), measure_free(m), -1;
		if (strcmp(jstr(t, "status"), "ok"))
			continue;
		if (!ticks || ticks->type != J_ARR || !ticks->n || !(v = jget(t, "median")) ||
		    v->type != J_NUM)
			return m_bad(path, "a test that ran without ticks or median"), measure_free(m), -1;
		f->test = jstr(t, "test");
		f->pmu = jstr(t, "pmu");
		f->median = v->num;
		v = jget(t, "cycles");
		f->cycles = v && v->type == J_NUM ? v->num : -1;
		f->ticks = xcalloc(ticks->n, sizeof(*f->ticks));
		for (k = 0; k < ticks->n; k++) {
			if (ticks->item[k].type != J_NUM)
				return m_bad(path, "a run that is not a number"), measure_free(m), -1;
			f->ticks[k] = ticks->item[k].num;
		}
		f->nticks = ticks->n;
		m->nfig++;
	}
	return 0;
}

void measure_free(struct measured *m)
{
	size_t i;

	for (i = 0; i < m->nfig; i++)
		free(m->fig[i].ticks);
	free(m->fig);
	free(m->path);
	jfree(m->doc);
	memset(m, 0, sizeof(*m));
}

const struct mfig *measure_find(const struct measured *m, const char *test, const char *pmu)
{
	size_t i;

	for (i = 0; i < m->nfig; i++)
		if (!strcmp(m->fig[i].test, test) && !strcmp(m->fig[i].pmu, pmu))
			return &m->fig[i];
	return NULL;
}

void measure_source(const struct measured *m, FILE *out)
{
	const struct jval *host = jget(m->doc, "host");

	fprintf(out, "host %s (%s, Linux %s)", m->host, m->cpu, jstr(host, "kernel"));
	if (!m->exit_costs)
		fputs(", which has no hardware virtualisation: not exit costs", out);
}

/* --- statistics --------------------------------------------------------- */

/* The continued fraction of the incomplete beta function (modified Lentz). */
static double m_betacf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;
	int i;

	d = 1 / (fabs(d) < tiny ? tiny : d);
	h = d;
	for (i = 1; i <= 500; i++) {
		double num = i * (b - i) * x / ((a + 2 * i - 1) * (a + 2 * i)), step;

		d = 1 + num * d;
		d = 1 / (fabs(d) < tiny ? tiny : d);
		c = 1 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		h *= d * c;
		num = -(a + i) * (a + b + i) * x / ((a + 2 * i) * (a + 2 * i + 1));
		d = 1 + num * d;
		d = 1 / (fabs(d) < tiny ? tiny : d);
		c = 1 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		step = d * c;
		h *= step;
		if (fabs(step - 1) < 1e-14)
			break;
	}
	return h;
}

/* The regularized incomplete beta function I_x(a, b). */
static double m_ibeta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x));
	if (x < (a + 1) / (a + b + 2))
		return front * m_betacf(a, b, x) / a;
	return 1 - front * m_betacf(b, a, 1 - x) / b;
}

/* Two-sided p of Student's t with df degrees of freedom. */
static double m_t_p(double t, double df)
{
	return m_ibeta(df / 2, 0.5, df / (df + t * t));
}

/* The t at which the two-sided p is 1 - M_CONFIDENCE. */
static double m_t_crit(double df)
{
	double lo = 0, hi = 1e6;
	int i;

	for (i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;

		if (m_t_p(mid, df) > 1 - M_CONFIDENCE)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

static void m_mean_var(const double *v, size_t n, double *mean, double *var)
{
	double s = 0, q = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	*mean = s / n;
	for (i = 0; i < n; i++)
		q += (v[i] - *mean) * (v[i] - *mean);
	*var = n > 1 ? q / (n - 1) : 0;
}

void measure_diff(const struct mfig *a, const struct mfig *b, struct mdiff *d)
{
	double ma, va, mb, vb, se2, df, t;

	m_mean_var(a->ticks, a->nticks, &ma, &va);
	m_mean_var(b->ticks, b->nticks, &mb, &vb);
	memset(d, 0, sizeof(*d));
	d->before = ma;
	d->after = mb;
	d->change = mb - ma;
	d->p = 1;
	d->testable = a->nticks > 1 && b->nticks > 1;
	if (!d->testable)
		return;
	se2 = va / a->nticks + vb / b->nticks;
	if (se2 <= 0) {
		/* No spread on either side: any change at all is certain. */
		d->p = d->change ? 0 : 1;
		d->proven = d->change != 0;
		return;
	}
	df = se2 * se2 / ((va / a->nticks) * (va / a->nticks) / (a->nticks - 1) +
			  (vb / b->nticks) * (vb / b->nticks) / (b->nticks - 1));
	t = d->change / sqrt(se2);
	d->p = m_t_p(t, df);
	d->half = m_t_crit(df) * sqrt(se2);
	d->proven = d->p < 1 - M_CONFIDENCE;
}

/* --- the table ---------------------------------------------------------- */

/* TEXT after PREFIX, folded at spaces into lines of 78 columns, the rest indented. */
static void m_fold(FILE *out, const char *prefix, const char *text)
{
	size_t col = strlen(prefix);

	fputs(prefix, out);
	for (;;) {
		size_t w;

		while (*text == ' ')
			text++;
		if (!*text)
			break;
		w = strcspn(text, " ");
		if (col > 4 && col + 1 + w > 78) {
			fputs("\n   ", out);
			col = 3;
		}
		fputc(' ', out);
		fwrite(text, 1, w, out);
		col += 1 + w;
		text += w;
	}
	fputc('\n', out);
}

static void m_print_head(const struct measured *m, FILE *out)
{
	const struct jval *clock = jget(m->doc, "clock"), *v;
	const struct jval *cpu = jget(jget(m->doc, "host"), "cpu");
	char *line;

	fprintf(out, "kvm-hotpath %s measure: host %s, Linux %s\n", HOTPATH_VERSION, m->host, m->kernel);
	line = xasprintf("%s (family 0x%x model 0x%x, microcode %s)", m->cpu, m->family, m->model,
			 jstr(cpu, "microcode") ? jstr(cpu, "microcode") : "unknown");
	m_fold(out, "  CPU:", line);
	free(line);
	fputs("  TSC ticks per exit, timed in the guest with rdtsc: the median of the runs\n", out);
	if (clock && (v = jget(clock, "tsc_khz")) && v->type == J_NUM)
		fprintf(out, "  TSC: %.0f kHz (%s)\n", v->num, jstr(clock, "tsc_source"));
	if (clock && jget(clock, "cycles_known") && jget(clock, "cycles_known")->b) {
		line = xasprintf("ticks times %s", jstr(clock, "cycles_source"));
	} else {
		line = xasprintf("not known (%s)", clock && jstr(clock, "cycles_source") ?
				 jstr(clock, "cycles_source") : "no clock facts");
	}
	m_fold(out, "  cycles:", line);
	free(line);
	if (!m->exit_costs)
		m_fold(out, "  NOT EXIT COSTS:", jstr(m->doc, "figures") + strlen("not exit costs: "));
}

static void m_print(const struct measured *m, FILE *out)
{
	const struct jval *tests = jget(m->doc, "tests");
	size_t i;

	m_print_head(m, out);
	fprintf(out, "\n%-7s %-8s %12s %21s %12s  %s\n", "test", "PMU", "ticks/exit", "range of the runs",
		"cycles/exit", "runs x iterations");
	for (i = 0; i < tests->n; i++) {
		const struct jval *t = &tests->item[i];
		const struct mfig *f = measure_find(m, jstr(t, "test"), jstr(t, "pmu"));
		char range[64], cyc[32];
		double lo, hi;
		size_t k;

		if (!strcmp(jstr(t, "status"), "ok") && f) {
			lo = hi = f->ticks[0];
			for (k = 1; k < f->nticks; k++) {
				lo = fmin(lo, f->ticks[k]);
				hi = fmax(hi, f->ticks[k]);
			}
			snprintf(range, sizeof(range), "%.1f-%.1f", lo, hi);
			if (f->cycles >= 0)
				snprintf(cyc, sizeof(cyc), "%.1f", f->cycles);
			else
				snprintf(cyc, sizeof(cyc), "-");
			fprintf(out, "%-7s %-8s %12.1f %21s %12s  %zu x %.0f\n", f->test, f->pmu, f->median,
				range, cyc, f->nticks, jget(t, "iterations") ? jget(t, "iterations")->num : 0);
		} else {
			fprintf(out, "%-7s %-8s %s: %s\n", jstr(t, "test"), jstr(t, "pmu"),
				!strcmp(jstr(t, "status"), "fail") ? "FAILED" : "skipped",
				jstr(t, "reason") ? jstr(t, "reason") : "?");
		}
	}
}

/* --- comparison --------------------------------------------------------- */

static const char *m_cpu_field(const struct measured *m, const char *key)
{
	return jstr(jget(jget(m->doc, "host"), "cpu"), key);
}

/* What differs between two files' hosts, one line each. */
static void m_print_hosts(const struct measured *a, const struct measured *b, FILE *out)
{
	const struct jval *va = jget(jget(a->doc, "host"), "vulnerabilities");
	const struct jval *vb = jget(jget(b->doc, "host"), "vulnerabilities");
	const char *ua = m_cpu_field(a, "microcode"), *ub = m_cpu_field(b, "microcode");
	const char *ca = jstr(jget(a->doc, "host"), "cmdline");
	const char *cb = jstr(jget(b->doc, "host"), "cmdline");
	bool same = true;
	size_t i;

	fprintf(out, "  CPU: %s (family 0x%x model 0x%x), host %s", a->cpu, a->family, a->model, a->host);
	if (strcmp(a->host, b->host))
		fprintf(out, " and host %s", b->host);
	fputc('\n', out);
	if (strcmp(a->kernel, b->kernel))
		fprintf(out, "  kernels differ: %s, then %s\n", a->kernel, b->kernel);
	else
		fprintf(out, "  kernel: %s, both\n", a->kernel);
	if (ua && ub && strcmp(ua, ub))
		fprintf(out, "  microcode differs: %s, then %s\n", ua, ub);
	if (ca && cb && strcmp(ca, cb))
		fprintf(out, "  kernel command lines differ\n");
	for (i = 0; va && va->type == J_OBJ && i < va->n; i++) {
		const char *sa = va->item[i].str, *sb = vb ? jstr(vb, va->key[i]) : NULL;

		if (sa && (!sb || strcmp(sa, sb))) {
			fprintf(out, "  mitigations differ: %s \"%s\", then \"%s\"\n", va->key[i], sa,
				sb ? sb : "(absent)");
			same = false;
		}
	}
	if (same)
		fputs("  mitigations: the same vulnerabilities files, both\n", out);
	if (!a->exit_costs || !b->exit_costs)
		fputs("  NOT EXIT COSTS: a host without hardware virtualisation took these figures\n", out);
}

static int m_compare(const char *before, const char *after, FILE *out)
{
	struct measured a, b;
	const struct jval *tests;
	bool single = false;
	size_t i;
	int ret = 0;

	if (measure_load(before, &a))
		return 1;
	if (measure_load(after, &b)) {
		measure_free(&a);
		return 1;
	}
	if (strcmp(a.vendor, b.vendor) || a.family != b.family || a.model != b.model ||
	    strcmp(a.cpu, b.cpu)) {
		error("%s and %s were measured on different CPU models (%s, family 0x%x model 0x%x; "
		      "%s, family 0x%x model 0x%x): exit costs compare only on the same CPU model",
		      before, after, a.cpu, a.family, a.model, b.cpu, b.family, b.model);
		measure_free(&a);
		measure_free(&b);
		return 1;
	}
	fprintf(out, "kvm-hotpath %s measure: %s, then %s\n", HOTPATH_VERSION, before, after);
	m_print_hosts(&a, &b, out);
	fprintf(out, "  TSC ticks per exit, the means of the runs; the change with its 95%%\n"
		     "  confidence interval, by Welch's t-test over the runs\n\n");
	fprintf(out, "%-6s %-7s %6s %6s %12s %6s  %s\n", "test", "PMU", "before", "after", "change",
		"", "verdict");
	tests = jget(b.doc, "tests");
	for (i = 0; i < tests->n; i++) {
		const char *test = jstr(&tests->item[i], "test"), *pmu = jstr(&tests->item[i], "pmu");
		const struct mfig *fa = measure_find(&a, test, pmu), *fb = measure_find(&b, test, pmu);
		double ma, mb;
		struct mdiff d;
		char change[48], pct[16];

		if (!fa || !fb) {
			fprintf(out, "%-6s %-7s skipped %s\n", test, pmu,
				!fa && !fb ? "before and after" : !fa ? "before" : "after");
			continue;
		}
		measure_diff(fa, fb, &d);
		ma = d.before;
		mb = d.after;
		if (d.testable)
			snprintf(change, sizeof(change), "%+.0f ± %.0f", d.change, d.half);
		else
			snprintf(change, sizeof(change), "%+.0f", d.change);
		snprintf(pct, sizeof(pct), "%+.1f%%", 100 * d.change / ma);
		/* "±" is two bytes and one column. */
		fprintf(out, "%-6s %-7s %6.0f %6.0f %*s %6s  ", test, pmu, ma, mb, 12 + d.testable,
			change, pct);
		if (!d.testable) {
			fputs("no difference proven*\n", out);
			single = true;
		} else if (!d.proven) {
			fputs("no difference proven\n", out);
		} else if (d.p < 0.001) {
			fputs("difference (p < 0.001)\n", out);
		} else {
			fprintf(out, "difference (p %.3f)\n", d.p);
		}
	}
	if (single)
		fputs("* a single run before or after: no spread to test a difference against\n", out);
	measure_free(&a);
	measure_free(&b);
	return ret;
}

/* --- the command -------------------------------------------------------- */

static void m_usage(FILE *out)
{
	fputs("usage: hotpath measure [--tree NAME] --output measure.json RAW\n"
	      "       hotpath measure --table measure.json\n"
	      "       hotpath measure --check measure.json\n"
	      "       hotpath measure --compare BEFORE.json AFTER.json\n", out);
}

int measure_main(int argc, char **argv)
{
	const char *output = NULL, *tree = NULL;
	int help = 0, table = 0, check = 0, compare = 0, first;
	const struct option opts[] = {
		{ "output", OPT_STRING, &output, "FILE", "write measure.json from RAW, then print its table" },
		{ "tree", OPT_STRING, &tree, "NAME", "the kernel tree the selftest was built from" },
		{ "table", OPT_FLAG, &table, NULL, "print the table of a measure.json" },
		{ "check", OPT_FLAG, &check, NULL, "check that a file is a measure.json" },
		{ "compare", OPT_FLAG, &compare, NULL, "compare two measure.json, test by test" },
		{ "help", OPT_FLAG, &help, NULL, "this text" },
		{ NULL, 0, NULL, NULL, NULL },
	};
	struct measured m;
	int nops;

	first = parse_options(argc, argv, 1, opts);
	if (first < 0)
		return 2;
	if (help) {
		m_usage(stdout);
		print_options(opts);
		return 0;
	}
	nops = argc - first;
	if (compare) {
		if (nops != 2 || output || table || check) {
			error("measure --compare takes two measure.json, the baseline first");
			return 2;
		}
		return m_compare(argv[first], argv[first + 1], stdout);
	}
	if (table || check) {
		if (nops != 1 || output || (table && check)) {
			error("measure --%s takes one measure.json", table ? "table" : "check");
			return 2;
		}
		if (measure_load(argv[first], &m))
			return 1;
		if (table)
			m_print(&m, stdout);
		measure_free(&m);
		return 0;
	}
	if (!output || nops != 1) {
		m_usage(stderr);
		return 2;
	}
	{
		struct raw r = { 0 };
		struct m_write w = { &r, tree };
		int ret = 1;

		if (!raw_read(argv[first], &r) && !write_atomic(output, m_fill, &w) &&
		    !measure_load(output, &m)) {
			m_print(&m, stdout);
			measure_free(&m);
			ret = 0;
		}
		raw_free(&r);
		return ret;
	}
}
