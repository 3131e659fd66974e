// SPDX-License-Identifier: GPL-2.0
/*
 * make audit MEASURED=: the exit costs make measure took on a host, set
 * beside what the model says of the same exits on each profile, in
 * audit.md and audit.html.  One measure.json gives its figures; two (before
 * and after a change) give the change and whether it is significant.
 * The rows are built once, as text cells, and drawn by both.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "measure.h"
#include "util.h"

struct mtable {
	const char **head;
	size_t ncol;
	char **cell;		/* nrow * ncol */
	size_t nrow, arow;
	char *intro, *match;
};

static const char *const head_one[] = {
	"test", "PMU", "measured: TSC ticks/exit", "measured: cycles/exit", "profile", "exit reason",
	"model: round trip", "model: calls on the exit's path", "model: guard saving",
};
static const char *const head_two[] = {
	"test", "PMU", "before: ticks/exit", "after: ticks/exit", "change (95% CI)", "verdict",
	"profile", "exit reason", "model: round trip", "model: calls on the exit's path",
	"model: guard saving",
};

#define NMODEL	5	/* the profile's columns, at the end */

static size_t reason_index(const struct cm_model *m, const char *name)
{
	size_t r;

	for (r = 0; name && r < m->nreason; r++)
		if (!strcmp(m->reason[r].name, name))
			return r;
	return (size_t)-1;
}

/*
 * What guarding the unguarded PMU triggers on this exit's path saves per
 * exit: each one's saving at the site's own per-exit weight (a likely()
 * call 0.9, a conditional one 0), as the audit's cycles per exit count it.
 */
static double guard_saving(const struct audit *a, const struct cm_eval *e, size_t r)
{
	const struct cm_model *m = a->m;
	double sum = 0;
	size_t i, k;

	for (i = 0; i < m->ncall; i++) {
		const struct cm_call *c = &m->call[i];
		const struct cm_func *f = &m->func[c->caller];
		const char *st = audit_pmu_status(m, c);
		bool on = f->run_loop;

		if (!st || strcmp(st, "unguarded") || e->site[i].foreign)
			continue;
		for (k = 0; k < f->nreason && !on; k++)
			on = f->reason[k] == r;
		if (on && e->site[i].total > 0)
			sum += (e->site[i].total - e->prof->cost[P_GUARD]) *
			       e->site[i].per_exit / e->site[i].total;
	}
	return sum;
}

static void model_cells(const struct audit *a, const struct cm_eval *e, const char *test,
			const char *pmu, bool match, char **cell)
{
	const char *name = measure_exit_reason(test, e->prof->vendor);
	size_t r = reason_index(a->m, name);

	cell[0] = xasprintf("%s%s", e->prof->name, match ? " (the host's CPU)" : "");
	cell[1] = xstrdup(name ? name : "-");
	cell[2] = !strcmp(test, "cpuid") ? xasprintf("%.0f", e->prof->cost[P_CPUID_EXIT]) :
		  xstrdup("-");
	if (r == (size_t)-1 || isnan(e->reason[r])) {
		cell[3] = xstrdup("not on this tree's exit paths");
		cell[4] = xstrdup("-");
		return;
	}
	cell[3] = xasprintf("%.1f", e->loop + e->reason[r]);
	cell[4] = !strcmp(pmu, "off") ? xasprintf("%.1f", guard_saving(a, e, r)) : xstrdup("-");
}

static char **new_row(struct mtable *t)
{
	GROW(t->cell, t->arow, (t->nrow + 1) * t->ncol);
	return &t->cell[t->nrow++ * t->ncol];
}

static void mtable_build(const struct audit *a, struct mtable *t)
{
	const struct measured *last = &a->meas[a->nmeas - 1], *first = &a->meas[0];
	size_t i, p, nmatch = 0;
	char *text;
	size_t len;
	FILE *f;

	memset(t, 0, sizeof(*t));
	t->head = (const char **)(a->nmeas == 1 ? head_one : head_two);
	t->ncol = a->nmeas == 1 ? sizeof(head_one) / sizeof(*head_one) :
				  sizeof(head_two) / sizeof(*head_two);

	f = open_memstream(&text, &len);
	if (a->nmeas == 1) {
		fputs("Measured on ", f);
		measure_source(last, f);
		fprintf(f, "; make measure, %s.", last->path);
	} else {
		fputs("Measured before on ", f);
		measure_source(first, f);
		fprintf(f, "; %s. After, on ", first->path);
		measure_source(last, f);
		fprintf(f, "; %s. The change is of the means of the runs, by Welch's t-test.",
			last->path);
	}
	fputs(" Model: this tree on each profile, in cycles. A test's exit reason is its "
	      "vendor's; the round trip is the profile's cpuid_exit; the calls on the exit's "
	      "path are the run loop's and its handler's (a part of the exit, not all of it); "
	      "the guard saving is what guarding the unguarded PMU triggers on that path "
	      "saves per exit with the PMU off, each at its cycles-per-exit weight.", f);
	fprintf(f, " The model assumes the scenario %s: ", a->scn ? a->scn->name : "-");
	for (i = 0; a->scn && i < a->scn->nfact; i++)
		fprintf(f, "%s%s", i ? "; " : "", a->scn->fact[i].text);
	fputs(".", f);
	fclose(f);
	t->intro = text;

	f = open_memstream(&text, &len);
	fprintf(f, "The profile that matches the host's CPU (%s, family 0x%x model 0x%x): ",
		last->vendor, last->family, last->model);
	for (p = 0; p < a->nprof; p++) {
		const struct profile *pr = a->eval[p].prof;

		if (prof_covers(pr, last->vendor, last->family, last->model))
			fprintf(f, "%s%s", nmatch++ ? " and " : "", pr->name);
	}
	if (!nmatch) {
		fputs("none (of this audit's ", f);
		for (p = 0; p < a->nprof; p++)
			fprintf(f, "%s%s", p ? ", " : "", a->eval[p].prof->name);
		fputs("; make audit CPU=all prices every profile)", f);
	}
	fputs(".", f);
	fclose(f);
	t->match = text;

	for (i = 0; i < last->nfig; i++) {
		const struct mfig *b = &last->fig[i];
		const struct mfig *fa = a->nmeas > 1 ? measure_find(first, b->test, b->pmu) : NULL;

		if (a->nmeas > 1 && !fa)
			continue;
		for (p = 0; p < a->nprof; p++) {
			const struct cm_eval *e = &a->eval[p];
			char **row = new_row(t);

			row[0] = xstrdup(b->test);
			row[1] = xstrdup(b->pmu);
			if (a->nmeas == 1) {
				row[2] = xasprintf("%.1f", b->median);
				row[3] = b->cycles >= 0 ? xasprintf("%.1f", b->cycles) :
					 xstrdup("not known");
			} else {
				struct mdiff d;

				measure_diff(fa, b, &d);
				row[2] = xasprintf("%.1f", d.before);
				row[3] = xasprintf("%.1f", d.after);
				row[4] = d.testable ? xasprintf("%+.1f ± %.1f", d.change, d.half) :
					 xasprintf("%+.1f", d.change);
				row[5] = xstrdup(!d.testable ? "no difference proven: one run" :
						 d.proven ? "difference" : "no difference proven");
			}
			model_cells(a, e, b->test, b->pmu,
				    prof_covers(e->prof, last->vendor, last->family, last->model),
				    &row[t->ncol - NMODEL]);
		}
	}
}

static void mtable_free(struct mtable *t)
{
	size_t i;

	for (i = 0; i < t->nrow * t->ncol; i++)
		free(t->cell[i]);
	free(t->cell);
	free(t->intro);
	free(t->match);
}

void audit_measured_md(const struct audit *a, FILE *out)
{
	struct mtable t;
	size_t r, c;

	if (!a->nmeas)
		return;
	mtable_build(a, &t);
	fprintf(out, "\n## Measured exit costs\n\n%s\n\n%s\n\n|", t.intro, t.match);
	for (c = 0; c < t.ncol; c++)
		fprintf(out, " %s |", t.head[c]);
	fputs("\n|", out);
	for (c = 0; c < t.ncol; c++)
		fputs("---|", out);
	fputc('\n', out);
	for (r = 0; r < t.nrow; r++) {
		fputc('|', out);
		for (c = 0; c < t.ncol; c++)
			fprintf(out, " %s |", t.cell[r * t.ncol + c]);
		fputc('\n', out);
	}
	mtable_free(&t);
}

void audit_measured_html(const struct audit *a, FILE *out,
			 int (*put)(const char *s, FILE *out))
{
	struct mtable t;
	size_t r, c;

	if (!a->nmeas)
		return;
	mtable_build(a, &t);
	fputs("<h2 id=\"measured\">Measured exit costs</h2>\n<p>", out);
	put(t.intro, out);
	fputs("</p>\n<p>", out);
	put(t.match, out);
	fputs("</p>\n<table class=\"prof\" id=\"measured-costs\">\n<tr>", out);
	for (c = 0; c < t.ncol; c++) {
		fputs("<th>", out);
		put(t.head[c], out);
	}
	fputs("</tr>\n", out);
	for (r = 0; r < t.nrow; r++) {
		fputs("<tr>", out);
		for (c = 0; c < t.ncol; c++) {
			fputs("<td>", out);
			put(t.cell[r * t.ncol + c], out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
	mtable_free(&t);
}
