// SPDX-License-Identifier: GPL-2.0
/*
 * Writing the audit (audit.html: audit_html.c).  Sites are ranked by the
 * first profile's cycles per exit (weighted by the exit counts when given),
 * then by place, so the same inputs always give the same files.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "state.h"
#include "version.h"
#include "json.h"
#include "util.h"

static const struct audit *sort_audit;

static int cmp_site(const void *a, const void *b)
{
	const struct cm_model *m = sort_audit->m;
	const struct cm_cost *s = sort_audit->eval[0].site;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r;

	if (s[x].weighted != s[y].weighted)
		return s[x].weighted > s[y].weighted ? -1 : 1;
	if (s[x].total != s[y].total)
		return s[x].total > s[y].total ? -1 : 1;
	if ((r = strcmp(m->call[x].file, m->call[y].file)))
		return r;
	if (m->call[x].line != m->call[y].line)
		return m->call[x].line < m->call[y].line ? -1 : 1;
	if (m->call[x].col != m->call[y].col)
		return m->call[x].col < m->call[y].col ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Every site on an exit path that costs something on some profile. */
void audit_rank(struct audit *a)
{
	const struct cm_model *m = a->m;
	size_t i, p;

	a->order = xcalloc(m->ncall + 1, sizeof(*a->order));
	a->nsite = 0;
	for (i = 0; i < m->ncall; i++) {
		bool costs = false;

		if (!m->func[m->call[i].caller].on_path)
			continue;
		for (p = 0; p < a->nprof; p++)
			costs |= a->eval[p].site[i].total > 0 && !a->eval[p].site[i].foreign;
		if (costs)
			a->order[a->nsite++] = i;
	}
	sort_audit = a;
	xqsort(a->order, a->nsite, sizeof(*a->order), cmp_site);
	sort_audit = NULL;
}

void audit_free(struct audit *a)
{
	free(a->order);
	a->order = NULL;
}

const char *audit_pmu_status(const struct cm_model *m, const struct cm_call *c)
{
	if (!cm_is_pmu_site(m, c))
		return NULL;
	if (!m->func[c->caller].on_path)
		return "off-path";
	return c->guarded ? "guarded" : "unguarded";
}

const char *audit_what(const struct cm_call *c)
{
	return c->what ? c->what : "?";
}

/* 64-bit FNV-1a over NUL-separated strings. */
static uint64_t fnv(uint64_t h, const char *s)
{
	do {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	} while (*s++);
	return h;
}

unsigned int audit_ordinal(const struct cm_model *m, size_t i)
{
	const struct cm_call *c = &m->call[i];
	const struct cm_func *f = &m->func[c->caller];
	unsigned int n = 0;
	size_t j;

	for (j = f->first; j < f->first + f->ncall && j < m->ncall; j++) {
		const struct cm_call *d = &m->call[j];

		if (j == i || strcmp(d->file, c->file) || strcmp(audit_what(d), audit_what(c)))
			continue;
		if (d->line < c->line || (d->line == c->line && d->col < c->col))
			n++;
	}
	return n;
}

void audit_fingerprint(const char *rule, const char *file, const char *caller,
		       const char *what, unsigned int nth, char buf[17])
{
	char num[16];
	uint64_t h = 0xcbf29ce484222325ULL;

	snprintf(num, sizeof(num), "%u", nth);
	h = fnv(h, rule);
	h = fnv(h, file);
	h = fnv(h, caller);
	h = fnv(h, what);
	h = fnv(h, num);
	snprintf(buf, 17, "%016llx", (unsigned long long)h);
}

void audit_path(const struct cm_func *f, FILE *out, int (*put)(const char *s, FILE *out))
{
	size_t i;

	for (i = 0; f->path && i < f->path->n; i++) {
		if (i)
			fputs(" → ", out);
		put(f->path->item[i].str, out);
	}
}

void audit_reasons(const struct cm_model *m, const struct cm_func *f, FILE *out,
		   int (*put)(const char *s, FILE *out))
{
	size_t r;

	if (f->run_loop) {
		fputs("the run loop (any exit)", out);
		return;
	}
	for (r = 0; r < f->nreason && r < 4; r++) {
		if (r)
			fputs(", ", out);
		put(m->reason[f->reason[r]].name, out);
	}
	if (f->nreason > 4)
		fprintf(out, " and %zu more", f->nreason - 4);
	if (!f->nreason)
		fputs("-", out);
}

/* ---- audit.json ---- */

/* A number, or null for an unbounded high end. */
static void json_num(FILE *out, double v)
{
	if (isinf(v) || isnan(v))
		fputs("null", out);
	else
		fprintf(out, "%.1f", v);
}

static void json_cost(const struct audit *a, size_t p, size_t i, FILE *out)
{
	const struct cm_eval *e = &a->eval[p];
	const struct cm_cost *k = &e->site[i];

	fputs("{\"profile\": ", out);
	json_str(out, e->prof->name);
	fputs(", \"sequence\": ", out);
	json_str(out, cm_sequence(e, &a->m->call[i]));
	fprintf(out, ", \"call\": %.1f, \"ret\": %.1f, \"body\": %.1f, \"inner\": %.1f, "
		     "\"total\": %.1f, \"total_high\": ",
		k->call, k->ret, k->body, k->inner, k->total);
	json_num(out, k->total_hi);
	fprintf(out, ", \"runs\": %.2f, \"per_exit\": %.1f, \"weighted\": %.1f, \"trip_unknown\": ",
		k->runs, k->per_exit, k->weighted);
	if (k->unknown != SIZE_MAX) {
		char *at = xasprintf("%s:%u", a->m->loop[k->unknown].file, a->m->loop[k->unknown].line);

		json_str(out, at);
		free(at);
	} else {
		fputs("null", out);
	}
	fputs(", \"priced_target\": ", out);
	json_str(out, k->via != SIZE_MAX ? a->m->func[k->via].name : NULL);
	fprintf(out, ", \"foreign\": %s}", k->foreign ? "true" : "false");
}

/* The frequency is the first (ranking) profile's. */
static void json_reasons(const struct audit *a, size_t fi, FILE *out)
{
	const struct cm_model *m = a->m;
	const struct cm_func *f = &m->func[fi];
	size_t r;

	fprintf(out, "\"run_loop\": %s, \"frequency\": %.3f, \"exit_reasons\": [",
		f->run_loop ? "true" : "false", a->eval[0].freq[fi]);
	for (r = 0; r < f->nreason; r++) {
		if (r)
			fputs(", ", out);
		json_str(out, m->reason[f->reason[r]].name);
	}
	fputc(']', out);
}

static void json_profiles(const struct audit *a, FILE *out)
{
	size_t p, k;

	fputs("\"profiles\": [\n", out);
	for (p = 0; p < a->nprof; p++) {
		const struct cm_eval *e = &a->eval[p];

		fputs("{\"name\": ", out);
		json_str(out, e->prof->name);
		fputs(", \"cpu\": ", out);
		json_str(out, e->prof->cpu);
		fputs(", \"vendor\": ", out);
		json_str(out, e->prof->vendor);
		fputs(", \"models\": [", out);
		for (k = 0; k < e->prof->nmodels; k++)
			fprintf(out, "%s{\"family\": %u, \"first\": %u, \"last\": %u}", k ? ", " : "",
				e->prof->models[k].family, e->prof->models[k].first, e->prof->models[k].last);
		fprintf(out, "], \"defaults\": {\"since\": \"%u.%u\", \"indirect\": \"%s\", "
			     "\"return\": \"%s\", \"cfi\": \"%s\"}, \"costs\": {",
			e->def->major, e->def->minor, mit_indirect_name(e->def->indirect),
			mit_return_name(e->def->ret), mit_cfi_name(e->def->cfi));
		for (k = 0; k < P_NKEYS; k++)
			fprintf(out, "%s\"%s\": %g", k ? ", " : "", prof_key_name(k), e->prof->cost[k]);
		fputs(p + 1 < a->nprof ? "}},\n" : "}}\n", out);
	}
	fputs("],\n", out);
}

static void json_exits(const struct cm_model *m, FILE *out)
{
	size_t r;

	if (!m->weighted) {
		fputs("\"exits\": null,\n", out);
		return;
	}
	fprintf(out, "\"exits\": {\"counted\": %lu, \"unmatched\": %lu, \"reasons\": [",
		m->exits, m->unmatched);
	for (r = 0; r < m->nreason; r++) {
		fputs(r ? ", " : "", out);
		fputs("{\"name\": ", out);
		json_str(out, m->reason[r].name);
		fprintf(out, ", \"count\": %lu, \"share\": %.4f}", m->reason[r].count,
			m->reason[r].share);
	}
	fputs("]},\n", out);
}

/* A figure per profile, null where the profile's vendor never runs it. */
static void json_per_profile(const struct audit *a, const double *v, FILE *out)
{
	size_t p;

	fputc('{', out);
	for (p = 0; p < a->nprof; p++) {
		fputs(p ? ", " : "", out);
		json_str(out, a->eval[p].prof->name);
		if (isnan(v[p]))
			fputs(": null", out);
		else
			fprintf(out, ": %.1f", v[p]);
	}
	fputc('}', out);
}

/*
 * The cycles of one exit, by where they go: the run loop every exit takes,
 * and each exit reason's handler on its cheapest path.
 */
static void json_roots(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	double *v = xcalloc(a->nprof + 1, sizeof(*v));
	size_t p, r;

	for (p = 0; p < a->nprof; p++)
		v[p] = a->eval[p].loop;
	fputs("\"run_loop\": {\"roots\": [", out);
	for (r = 0; r < m->nrunloop; r++) {
		fputs(r ? ", " : "", out);
		json_str(out, m->func[m->runloop[r]].name);
	}
	fputs("], \"cycles\": ", out);
	json_per_profile(a, v, out);
	fputs("},\n\"reasons\": [\n", out);
	for (r = 0; r < m->nreason; r++) {
		const struct cm_reason *rs = &m->reason[r];

		for (p = 0; p < a->nprof; p++)
			v[p] = a->eval[p].reason[r];
		fputs("{\"name\": ", out);
		json_str(out, rs->name);
		fputs(", \"perf\": ", out);
		json_str(out, rs->perf);
		fputs(", \"root\": ", out);
		json_str(out, m->func[rs->root].name);
		fputs(", \"cycles\": ", out);
		json_per_profile(a, v, out);
		fputs(r + 1 < m->nreason ? "},\n" : "}\n", out);
	}
	fputs("],\n", out);
	free(v);
}

/*
 * The functions on the exit paths, by file and name, each with its own
 * instructions on its shortest object path (null: inlined, or not in the
 * objects read).
 */
static int cmp_func(const void *x, const void *y)
{
	const struct cm_func *f = *(const struct cm_func *const *)x;
	const struct cm_func *g = *(const struct cm_func *const *)y;
	int r = strcmp(f->file, g->file);

	return r ? r : strcmp(f->name, g->name);
}

static void json_functions(const struct cm_model *m, FILE *out)
{
	const struct cm_func **f = xcalloc(m->nfunc + 1, sizeof(*f));
	size_t i, n = 0;

	for (i = 0; i < m->nfunc; i++) {
		if (m->func[i].on_path)
			f[n++] = &m->func[i];
	}
	xqsort(f, n, sizeof(*f), cmp_func);
	fputs("\"functions\": [\n", out);
	for (i = 0; i < n; i++) {
		fputs("{\"name\": ", out);
		json_str(out, f[i]->name);
		fputs(", \"file\": ", out);
		json_str(out, f[i]->file);
		fprintf(out, ", \"line\": %u, \"insns\": ", f[i]->line);
		if (f[i]->obj)
			fprintf(out, "%u", f[i]->obj->own);
		else
			fputs("null", out);
		fputs(", \"path\": ", out);
		json_strings(out, f[i]->path);
		fputs(i + 1 < n ? "},\n" : "}\n", out);
	}
	fputs("],\n", out);
	free(f);
}

static void json_scenario(const struct audit *a, FILE *out)
{
	size_t i;

	fputs("\"scenario\": {\"name\": ", out);
	json_str(out, a->scn ? a->scn->name : NULL);
	fputs(", \"facts\": [", out);
	for (i = 0; a->scn && i < a->scn->nfact; i++) {
		fputs(i ? ", {\"fact\": " : "{\"fact\": ", out);
		json_str(out, a->scn->fact[i].text);
		fputs(", \"from\": ", out);
		json_str(out, a->scn->fact[i].from);
		fputc('}', out);
	}
	fputs("]},\n", out);
}

/* The loops on exit paths with what each profile's vendor makes of their trip count. */
static void json_loops(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	size_t l, p, n = 0;

	fputs("\"loops\": [\n", out);
	for (l = 0; l < m->nloop; l++) {
		const struct cm_loop *lp = &m->loop[l];

		if (!m->func[lp->func].on_path)
			continue;
		fputs(n++ ? ",\n{\"func\": " : "{\"func\": ", out);
		json_str(out, m->func[lp->func].name);
		fputs(", \"file\": ", out);
		json_str(out, lp->file);
		fprintf(out, ", \"line\": %u, \"over\": ", lp->line);
		json_str(out, lp->over);
		fputs(", \"trips\": [", out);
		for (p = 0; p < a->nprof; p++) {
			const struct st_trip *t = &a->eval[p].trip[l];

			fputs(p ? ", {\"profile\": " : "{\"profile\": ", out);
			json_str(out, a->eval[p].prof->name);
			fputs(", \"low\": ", out);
			json_num(out, t->lo);
			fputs(", \"high\": ", out);
			json_num(out, t->hi);
			fprintf(out, ", \"derived\": %s, \"why\": ", t->known ? "true" : "false");
			json_str(out, t->why);
			fputc('}', out);
		}
		fputs("]}", out);
	}
	fputs(n ? "\n],\n" : "],\n", out);
}

void audit_json(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	size_t s, p;

	fputs("{\n\"tool\": ", out);
	json_str(out, HOTPATH_TOOL);
	fputs(",\n\"tree\": ", out);
	json_str(out, m->tree);
	fprintf(out, ",\n\"cfi\": %s,\n", m->cfi ? "true" : "false");
	json_scenario(a, out);
	json_profiles(a, out);
	json_exits(m, out);
	json_roots(a, out);
	json_functions(m, out);
	json_loops(a, out);
	fputs("\"sites\": [\n", out);
	for (s = 0; s < a->nsite; s++) {
		const struct cm_call *c = &m->call[a->order[s]];
		const struct cm_func *f = &m->func[c->caller];

		fprintf(out, "{\"rank\": %zu, \"caller\": ", s + 1);
		json_str(out, f->name);
		fputs(", \"callee\": ", out);
		json_str(out, c->kind == CALL_DIRECT ? c->callee_name : NULL);
		fprintf(out, ", \"kind\": \"%s\", \"what\": ", cg_kind_name(c->kind));
		json_str(out, audit_what(c));
		fputs(", \"file\": ", out);
		json_str(out, c->file);
		fprintf(out, ", \"line\": %u, \"col\": %u, \"nth\": %u, \"when\": \"%s\", "
			     "\"guard\": ", c->line, c->col, audit_ordinal(m, a->order[s]),
			cg_when_name(c->when));
		json_str(out, c->guarded ? "enable_pmu" : NULL);
		fputs(", \"pmu_trigger\": ", out);
		json_str(out, audit_pmu_status(m, c));
		fputs(", \"path\": ", out);
		json_strings(out, f->path);
		fputs(", ", out);
		json_reasons(a, c->caller, out);
		fputs(", \"cost\": [", out);
		for (p = 0; p < a->nprof; p++) {
			if (p)
				fputs(", ", out);
			json_cost(a, p, a->order[s], out);
		}
		fputs(s + 1 < a->nsite ? "]},\n" : "]}\n", out);
	}
	fputs("]\n}\n", out);
}

/* ---- audit.md ---- */

bool audit_pmu_off(const struct audit *a)
{
	return a->scn && scn_eval(a->scn, NULL, "!kvm->arch.enable_pmu", NULL, NULL) == 1;
}

void audit_cost_text(const struct cm_cost *k, double less, char *buf, size_t size)
{
	if (k->total_hi <= k->total + 0.05)
		snprintf(buf, size, "%.1f", k->total - less);
	else if (isinf(k->total_hi))
		snprintf(buf, size, "%.1f or more", k->total - less);
	else
		snprintf(buf, size, "%.1f to %.1f", k->total - less, k->total_hi - less);
}

static void md_top(const struct audit *a, size_t p, FILE *out)
{
	const struct cm_model *m = a->m;
	const struct cm_eval *e = &a->eval[p];
	size_t *ord = xcalloc(a->nsite + 1, sizeof(*ord)), i, n = 0;

	for (i = 0; i < a->nsite; i++) {
		if (!e->site[a->order[i]].foreign && e->site[a->order[i]].per_exit > 0)
			ord[n++] = a->order[i];
	}
	/* Ranked on this profile: a stable insertion sort keeps ties in place. */
	for (i = 1; i < n; i++) {
		size_t v = ord[i], j = i;

		while (j > 0 && e->site[ord[j - 1]].weighted < e->site[v].weighted) {
			ord[j] = ord[j - 1];
			j--;
		}
		ord[j] = v;
	}
	fprintf(out, "\n### %s: %s\n\n", e->prof->name, e->prof->cpu ? e->prof->cpu : "");
	fprintf(out, "Default mitigations on %s (since %u.%u): indirect calls `%s`, returns `%s`%s.\n"
		     "A CPUID exit round trip: %.0f cycles.\n\n",
		m->tree, e->def->major, e->def->minor, mit_indirect_name(e->def->indirect),
		mit_return_name(e->def->ret), m->cfi ? ", CFI on" : "",
		e->prof->cost[P_CPUID_EXIT]);
	fprintf(out, "| # | cycles/exit | cost | site | function | kind | when | call+ret+body+inner | PMU trigger | exit reasons | exit path |\n"
		     "|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < n && i < a->top; i++) {
		const struct cm_call *c = &m->call[ord[i]];
		const struct cm_cost *k = &e->site[ord[i]];
		const struct cm_func *f = &m->func[c->caller];
		char cost[64];

		audit_cost_text(k, 0, cost, sizeof(cost));
		fprintf(out, "| %zu | %.1f | %s | `%s:%u` | `%s` | %s `%s` | %s%s | %.1f+%.1f+%.1f+%.1f | ",
			i + 1, k->weighted, cost, c->file, c->line, f->name,
			cm_sequence(e, c), audit_what(c),
			cg_when_name(c->when), c->guarded ? ", guarded" : "", k->call, k->ret,
			k->body, k->inner);
		fprintf(out, "%s | ", audit_pmu_status(m, c) ? audit_pmu_status(m, c) : "-");
		audit_reasons(m, f, out, fputs);
		fputs(" | ", out);
		audit_path(f, out, fputs);
		fputs(" |\n", out);
	}
	free(ord);
}

/* The loops of the PMU triggers and how often each runs, per profile. */
static void md_trigger_loops(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	size_t l, p;
	bool any = false;

	for (l = 0; l < m->nloop; l++) {
		const struct cm_loop *lp = &m->loop[l];

		if (!cm_is_pmu_trigger(m->func[lp->func].name) || !m->func[lp->func].on_path)
			continue;
		if (!any)
			fputs("\nHow often the triggers' loops run under the scenario, and why "
			      "(each iteration is charged its calls and its own instructions):\n\n", out);
		any = true;
		fprintf(out, "- `%s()` at `%s:%u`, over `%s`:\n", m->func[lp->func].name, lp->file,
			lp->line, lp->over ? lp->over : "-");
		for (p = 0; p < a->nprof; p++) {
			const struct st_trip *t = &a->eval[p].trip[l];

			fprintf(out, "  - %s: ", a->eval[p].prof->name);
			if (t->known)
				fprintf(out, "%.0f iteration%s", t->lo, t->lo == 1 ? "" : "s");
			else if (isinf(t->hi))
				fprintf(out, "%.0f or more iterations, trip count unknown", t->lo);
			else
				fprintf(out, "%.0f to %.0f iterations, trip count unknown", t->lo, t->hi);
			fprintf(out, " (%.0f instructions each): %s\n", cm_iter_insns(m, l),
				t->why ? t->why : "not this vendor's code");
		}
	}
}

static void md_pmu(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	bool pmu_off = audit_pmu_off(a);
	size_t i, p;

	fputs("\n## PMU triggers\n\n"
	      "Each call of a PMU-trigger function, and what guarding it with "
	      "`if (unlikely(vcpu->kvm->arch.enable_pmu))` saves each time it runs "
	      "with the guest PMU off: its cost less the guard's own. A trigger's call "
	      "in a trigger's own body (a wrapper's call of the one it wraps) is part of "
	      "the wrapper's cost, not listed.\n\n", out);
	if (!pmu_off)
		fputs("The scenario does not have the VM's PMU off (`kvm->arch.enable_pmu = 0`): "
		      "the guard saves nothing under it, and no saving is given.\n\n", out);
	fputs("| site | function | callee | status | when |", out);
	for (p = 0; p < a->nprof; p++)
		fprintf(out, " %s saving |", a->eval[p].prof->name);
	fputs("\n|---|---|---|---|---|", out);
	for (p = 0; p < a->nprof; p++)
		fputs("---|", out);
	fputc('\n', out);
	for (i = 0; i < m->ncall; i++) {
		const struct cm_call *c = &m->call[i];
		const char *st = audit_pmu_status(m, c);

		if (!st)
			continue;
		fprintf(out, "| `%s:%u` | `%s` | `%s` | %s | %s |", c->file, c->line,
			m->func[c->caller].name, c->callee_name, st, cg_when_name(c->when));
		for (p = 0; p < a->nprof; p++) {
			const struct cm_eval *e = &a->eval[p];
			double save = e->site[i].total - e->prof->cost[P_GUARD];
			char text[64];

			audit_cost_text(&e->site[i], e->prof->cost[P_GUARD], text, sizeof(text));
			if (e->site[i].foreign || c->guarded || !pmu_off)
				fputs(" - |", out);
			else
				fprintf(out, " %s (%.1f%% of a CPUID exit) |", text,
					100 * save / e->prof->cost[P_CPUID_EXIT]);
		}
		fputc('\n', out);
	}
	md_trigger_loops(a, out);
}

static void md_retpolines(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	size_t s;

	fputs("\n## Indirect calls on exit paths\n\n"
	      "Retpolined (or thunked) wherever the profile's default makes indirect calls "
	      "so; the exit reasons that reach each.\n\n"
	      "| site | function | callee expression | may-targets | exit reasons |\n"
	      "|---|---|---|---|---|\n", out);
	for (s = 0; s < a->nsite; s++) {
		const struct cm_call *c = &m->call[a->order[s]];

		if (c->kind != CALL_INDIRECT && c->kind != CALL_WRAPPER)
			continue;
		fprintf(out, "| `%s:%u` | `%s` | `%s` | %zu | ", c->file, c->line,
			m->func[c->caller].name, audit_what(c), c->ntarget);
		audit_reasons(m, &m->func[c->caller], out, fputs);
		fputs(" |\n", out);
	}
}

static void md_scenario(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	size_t i, l, p, known = 0, total = 0, n = 0;

	fprintf(out, "\n## Scenario\n\nEvery figure is priced under the scenario *%s*, facts "
		     "about the VM's state that decide the conditions testing them (a SCENARIO= "
		     "file gives others):\n\n", a->scn ? a->scn->name : "-");
	for (i = 0; a->scn && i < a->scn->nfact; i++)
		fprintf(out, "- `%s` (%s)\n", a->scn->fact[i].text, a->scn->fact[i].from);
	for (l = 0; l < m->nloop; l++) {
		if (!m->func[m->loop[l].func].on_path)
			continue;
		n++;
		for (p = 0; p < a->nprof; p++) {
			if (!a->eval[p].trip[l].why)
				continue;	/* the other vendor's code */
			total++;
			known += a->eval[p].trip[l].known;
		}
	}
	fprintf(out, "\n%zu loops are on exit paths. Of their %zu pricings in the vendors' own "
		     "code, %zu have a trip count derived from the code; the others are priced as a "
		     "range, from the loop not run to its static bound (audit.json has every "
		     "derivation).\n", n, total, known);
}

void audit_md(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	size_t p;

	fprintf(out, "# Hot-path audit: %s\n\nWritten by %s.\n\n", m->tree, HOTPATH_TOOL);
	fprintf(out, "%zu call sites on the VM-exit paths cost cycles on at least one profile. "
		     "Cycles per exit are what a site costs each time it is called, times how often "
		     "the cheapest path from an exit root calls it: each call on the way counts "
		     "always 1, likely 0.9, unlikely 0.1, under a plain condition 0, 0 where the "
		     "scenario rules it out and 1 where it decides the condition holds, and a call "
		     "in a loop as often as the loop runs; the best such path is taken", a->nsite);
	if (m->weighted)
		fprintf(out, ", times the share of the %lu exits counted that reach it "
			     "(%lu of no reason found in the code)", m->exits, m->unmatched);
	fputs(". How each part is derived: see *How the estimate is made* at the end.\n", out);
	md_scenario(a, out);
	audit_measured_md(a, out);
	fputs("\n## Top sites per profile\n", out);
	for (p = 0; p < a->nprof; p++)
		md_top(a, p, out);
	md_pmu(a, out);
	md_retpolines(a, out);
	fputs("\n## How the estimate is made\n\n"
	      "- **call**: the call sequence. A direct or static call is a plain call (`call` "
	      "in the profile); an indirect call is what the profile's default mitigation makes "
	      "of it: plain (`indirect`), the generic retpoline (`retpoline`), AMD's lfence "
	      "retpoline (`retpoline_lfence`) or an ITS thunk (`its`), plus the kCFI or FineIBT "
	      "check when the build has CONFIG_CFI_CLANG. `INDIRECT_CALL_n()` is a compare and "
	      "a direct call (`call` + `guard`).\n"
	      "- **ret**: what the callee's return costs above a plain `ret`: `return_thunk`, "
	      "`srso_safe_ret`, `srso_alias` or `call_depth`, by the profile's default.\n"
	      "- **body**: the callee's instructions on its shortest entry-to-return path in the "
	      "built object (objdump -dr; a gcc clone such as foo.isra.0 stands for foo), at "
	      "`ipc` instructions a cycle. A call the callee's path ends in a jump to is a "
	      "`tail call`: no call or return of its own, its callee's body and inner calls.\n"
	      "- **inner**: what the callee calls on its cheapest path, priced the same way, "
	      "6 calls deep: an unconditional call counts fully, a likely() one 0.9, an "
	      "unlikely() one 0.1, a call under a plain condition 0; a condition the scenario "
	      "decides counts 1 when it holds and 0 when it does not. A "
	      "call the compiler inlined adds only its callee's inner calls. Of a static or "
	      "indirect call's may-targets, the cheapest in the profile's vendor code is priced.\n"
	      "- **loops**: a loop's body counts once per iteration, times its trip count under "
	      "the scenario: the bits set, or the value, that the field it loops over holds after "
	      "the struct's constructor and its reachable writers ran on the vendor's code "
	      "(analyzer/README.md, *Trip counts*). An iteration also costs its own "
	      "instructions, the shortest cycle through the loop in the object. Where the count "
	      "is not derived the cost is a range: the low end (the loop not run) ranks.\n"
	      "- The numbers come from the profiles, each with its source; a site in vmx/ code "
	      "is not priced on AMD profiles, nor svm/ code on Intel ones.\n\n"
	      "| profile | source of its numbers |\n|---|---|\n", out);
	for (p = 0; p < a->nprof; p++)
		fprintf(out, "| %s | `%s` |\n", a->eval[p].prof->name, a->eval[p].prof->path);
}

/* ---- exit-paths.folded ---- */

void audit_folded(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	const struct cm_eval *e = &a->eval[0];
	size_t s, i;

	for (s = 0; s < a->nsite; s++) {
		const struct cm_call *c = &m->call[a->order[s]];
		const struct cm_cost *k = &e->site[a->order[s]];
		const struct cm_func *f = &m->func[c->caller];

		if (k->foreign || k->weighted <= 0)
			continue;
		for (i = 0; f->path && i < f->path->n; i++)
			fprintf(out, "%s;", f->path->item[i].str);
		fprintf(out, "%s %.1f\n", audit_what(c), k->weighted);
	}
}

/* ---- the run ---- */

/* CONFIG_CFI_CLANG=y in the build's .config. */
static bool build_has_cfi(const char *build)
{
	char *path = xasprintf("%s/.config", build), *l = NULL;
	size_t n = 0;
	bool cfi = false;
	FILE *f = fopen(path, "r");

	while (f && getline(&l, &n, f) > 0)
		cfi |= !strcmp(l, "CONFIG_CFI_CLANG=y\n");
	if (f)
		fclose(f);
	free(l);
	free(path);
	return cfi;
}

static const struct {
	const char *name;
	void (*write)(const struct audit *a, FILE *out);
} report[] = {
	{ "audit.json", audit_json },
	{ "audit.md", audit_md },
	{ "audit.sarif", audit_sarif },
	{ "exit-paths.folded", audit_folded },
	{ "audit.html", audit_html },
};

struct report_job {
	const struct audit *a;
	void (*write)(const struct audit *a, FILE *out);
};

static void fill(const void *arg, FILE *out)
{
	const struct report_job *j = arg;

	j->write(j->a, out);
}

/*
 * The reports as one set: an interrupted or failed run leaves the folder's
 * previous set whole, never half-written files or a mix of two runs.
 */
static int write_reports(const struct audit *a, const char *dir)
{
	enum { N = sizeof(report) / sizeof(*report) };
	struct report_job j[N];
	struct atomic_file f[N];
	size_t i;
	int r;

	for (i = 0; i < N; i++) {
		j[i] = (struct report_job){ a, report[i].write };
		f[i] = (struct atomic_file){ xasprintf("%s/%s", dir, report[i].name), fill, &j[i] };
	}
	r = write_atomic_set(f, N);
	for (i = 0; i < N; i++)
		free((char *)f[i].path);
	return r;
}

/* MEASURED=: one measure.json, or two (before,after) of the same CPU model. */
static int audit_load_measured(const char *list, struct measured *meas, size_t *n)
{
	char *copy = xstrdup(list), *comma = strchr(copy, ',');
	int ret = -1;

	if (comma)
		*comma++ = '\0';
	if (!*copy || (comma && (!*comma || strchr(comma, ',')))) {
		error("--measured %s: give one measure.json, or two, before and after, joined by a comma",
		      list);
		goto out;
	}
	if (measure_load(copy, &meas[0]))
		goto out;
	*n = 1;
	if (comma) {
		if (measure_load(comma, &meas[1]))
			goto out;
		*n = 2;
		if (strcmp(meas[0].cpu, meas[1].cpu) || meas[0].family != meas[1].family ||
		    meas[0].model != meas[1].model) {
			error("--measured %s: the two files were measured on different CPU models "
			      "(%s; %s): exit costs compare only on the same CPU model",
			      list, meas[0].cpu, meas[1].cpu);
			goto out;
		}
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

int audit_scenario(const struct jval *cg, const char *file, struct scenario *s)
{
	struct scn_terms terms;
	int r;

	if (!file) {
		scn_default(s, cg);
		return 0;
	}
	scn_terms_collect(&terms, cg);
	r = scn_load(s, file, &terms);
	scn_terms_free(&terms);
	return r;
}

int audit_run(const struct jval *cg, const struct audit_opts *o)
{
	struct profile *prof = xcalloc(o->nprofile + 1, sizeof(*prof));
	struct cm_eval *eval = xcalloc(o->nprofile + 1, sizeof(*eval));
	struct audit a = { .nprof = o->nprofile, .top = o->top };
	struct measured meas[2];
	struct scenario scn;
	struct objpaths op;
	struct cm_model m;
	size_t p, nread = 0, neval = 0, nmeas = 0;
	int ret = 1;

	if (audit_scenario(cg, o->scenario, &scn)) {
		free(prof);
		free(eval);
		return 1;
	}

	for (; nread < o->nprofile; nread++) {
		if (prof_read(o->profile[nread], &prof[nread]))
			goto out;
	}
	if (o->measured && audit_load_measured(o->measured, meas, &nmeas))
		goto out;
	a.meas = meas;
	a.nmeas = nmeas;
	if (op_read(o->build, &op))
		goto out;
	if (cm_load(&m, cg, &op, build_has_cfi(o->build)))
		goto out_op;
	if (o->exits && cm_exits(&m, o->exits))
		goto out_model;
	scn.returns = cm_returns;
	scn.model = &m;
	for (; neval < o->nprofile; neval++)
		cm_eval(&m, &prof[neval], &scn, &eval[neval]);
	a.m = &m;
	a.scn = &scn;
	a.eval = eval;
	audit_rank(&a);
	/* Said before the writing, which is the last step. */
	fprintf(stderr, "%s: %s: %zu sites on exit paths priced on %zu profile%s, "
			"%zu emitted functions read from %zu objects\n",
		progname, m.tree, a.nsite, a.nprof, a.nprof == 1 ? "" : "s", op.nfunc, op.nobj);
	if (!write_reports(&a, o->outdir))
		ret = 0;
	audit_free(&a);
out_model:
	for (p = 0; p < neval; p++)
		cm_eval_free(&eval[p]);
	cm_free(&m);
out_op:
	op_free(&op);
out:
	for (p = 0; p < nmeas; p++)
		measure_free(&meas[p]);
	for (p = 0; p < nread; p++)
		prof_free(&prof[p]);
	if (nread < o->nprofile)
		prof_free(&prof[nread]);
	free(prof);
	free(eval);
	scn_free(&scn);
	return ret;
}
