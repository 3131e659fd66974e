// SPDX-License-Identifier: GPL-2.0
/*
 * audit.sarif: the audit's findings as SARIF 2.1.0, for code-scanning tools.
 * One result per finding:
 *
 *   unguarded-pmu-trigger   a PMU-trigger call on an exit path that runs with
 *                           the guest PMU off (warning)
 *   thunked-indirect-call   an indirect call on an exit path that a selected
 *                           profile's default mitigation turns into a
 *                           retpoline or ITS thunk (note)
 *   costly-exit-path-call   one of the --top sites by cycles per exit on the
 *                           first profile (note)
 *
 * A result's fingerprint hashes what the finding is about, not where it is:
 * the rule, the file, the calling function, the callee as written and which
 * such call of the function it is (the first, the second...).  Code moving
 * up or down a file keeps every fingerprint; so does a rerun.  Locations are
 * relative to the tree's root (uriBaseId SRCROOT), so the file is the same
 * wherever the tree was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "json.h"
#include "util.h"
#include "version.h"

enum rule { R_PMU, R_INDIRECT, R_COSTLY, R_NRULES };

const struct audit_rule audit_rule[AUDIT_NRULES] = {
	[R_PMU] = {
		"unguarded-pmu-trigger", "UnguardedPmuTrigger", "warning",
		"A PMU-trigger call on a VM-exit path runs with the guest PMU disabled.",
		"kvm_pmu_trigger_event() and its wrappers do nothing when the VM's PMU is "
		"disabled, but the call, its return thunk and the callee's own path are paid on "
		"every exit that reaches it. Guard it with "
		"`if (unlikely(vcpu->kvm->arch.enable_pmu))`: cocci/pmu_guard.cocci makes that "
		"rewrite and `make patches` sends it as a series.",
	},
	[R_INDIRECT] = {
		"thunked-indirect-call", "ThunkedIndirectCall", "note",
		"An indirect call on a VM-exit path goes through a retpoline or ITS thunk.",
		"On the CPU profiles named in the result, Linux's default mitigation makes this "
		"indirect call a retpoline (or an ITS thunk), tens of cycles on every exit that "
		"reaches it. A static_call() or a direct call where the target is known avoids "
		"the thunk.",
	},
	[R_COSTLY] = {
		"costly-exit-path-call", "CostlyExitPathCall", "note",
		"One of the costliest call sites on the VM-exit paths.",
		"Among the audit's top sites by estimated cycles per exit on the first profile: "
		"the call sequence, its return thunk, the callee's own instructions and what the "
		"callee calls on its cheapest path. audit.md explains how each part is derived.",
	},
};

static void fingerprint(const struct cm_model *m, enum rule r, size_t i, char buf[17])
{
	const struct cm_call *c = &m->call[i];

	audit_fingerprint(audit_rule[r].id, c->file, m->func[c->caller].name, audit_what(c),
			  audit_ordinal(m, i), buf);
}

static const char *thunk_words(enum mit_indirect m)
{
	switch (m) {
	case IND_RETPOLINE:
		return "a retpoline";
	case IND_RETPOLINE_LFENCE:
		return "an lfence retpoline";
	case IND_ITS:
		return "an ITS thunk";
	default:
		return "a plain indirect call";
	}
}

/* Some profile's default makes an indirect call a thunk. */
static bool thunked(const struct audit *a, size_t i)
{
	size_t p;

	if (a->m->call[i].kind != CALL_INDIRECT)
		return false;
	for (p = 0; p < a->nprof; p++) {
		if (a->eval[p].def->indirect != IND_PLAIN && !a->eval[p].site[i].foreign)
			return true;
	}
	return false;
}

/* The message's text: what the site is, what it costs, where it runs. */
static void message(const struct audit *a, enum rule r, size_t i, FILE *out)
{
	const struct cm_model *m = a->m;
	const struct cm_call *c = &m->call[i];
	const struct cm_func *f = &m->func[c->caller];
	char *text = NULL;
	size_t len = 0, p, n = 0;
	FILE *s = open_memstream(&text, &len);

	if (!s)
		die("out of memory");
	switch (r) {
	case R_PMU:
		fprintf(s, "%s() calls %s() on the exit paths without an enable_pmu guard; "
			   "guarding it saves per call with the VM's PMU off:", f->name, audit_what(c));
		for (p = 0; p < a->nprof; p++) {
			const struct cm_eval *e = &a->eval[p];
			double save = e->site[i].total - e->prof->cost[P_GUARD];
			char text[64];

			if (e->site[i].foreign)
				continue;
			audit_cost_text(&e->site[i], e->prof->cost[P_GUARD], text, sizeof(text));
			fprintf(s, "%s %s %s cycles (%.1f%% of a CPUID exit)", n++ ? "," : "",
				e->prof->name, text, 100 * save / e->prof->cost[P_CPUID_EXIT]);
		}
		if (!audit_pmu_off(a))
			fputs(" (the scenario has the PMU on: it saves nothing there)", s);
		break;
	case R_INDIRECT:
		fprintf(s, "%s() calls through %s on the exit paths:", f->name, audit_what(c));
		for (p = 0; p < a->nprof; p++) {
			const struct cm_eval *e = &a->eval[p];

			if (e->def->indirect == IND_PLAIN || e->site[i].foreign)
				continue;
			fprintf(s, "%s %s on %s (%.1f cycles a call)", n++ ? "," : "",
				thunk_words(e->def->indirect), e->prof->name, e->site[i].call);
		}
		break;
	default:
		fprintf(s, "%s() -> %s costs %.1f cycles per exit on %s "
			   "(call %.1f + ret %.1f + body %.1f + inner %.1f)", f->name, audit_what(c),
			a->eval[0].site[i].weighted, a->eval[0].prof->name, a->eval[0].site[i].call,
			a->eval[0].site[i].ret, a->eval[0].site[i].body, a->eval[0].site[i].inner);
		break;
	}
	fputs("; exit reasons reaching it: ", s);
	audit_reasons(m, f, s, fputs);
	fputc('.', s);
	if (fclose(s))
		die("out of memory");
	json_str(out, text);
	free(text);
}

/*
 * The log up to its run's results: the driver (the tool's version), its
 * rules, the tree's root as SRCROOT and the column kind.
 */
void audit_sarif_head(const char *full_name, const struct audit_rule *r, size_t n,
		      const char *tree, FILE *out)
{
	char *root = xasprintf("The root of the kernel tree %s.", tree);

	fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
	      "  \"version\": \"2.1.0\",\n  \"runs\": [{\n"
	      "    \"tool\": {\"driver\": {\n      \"name\": \"kvm-hotpath\",\n"
	      "      \"fullName\": ", out);
	json_str(out, full_name);
	fputs(",\n      \"version\": \"" HOTPATH_VERSION "\", \"semanticVersion\": \""
	      HOTPATH_VERSION "\",\n", out);
	audit_sarif_rules(r, n, out);
	fputs("    }},\n    \"originalUriBaseIds\": {\"SRCROOT\": {\"description\": {\"text\": ", out);
	json_str(out, root);
	free(root);
	fputs("}}},\n    \"columnKind\": \"unicodeCodePoints\"", out);
}

void audit_sarif_rules(const struct audit_rule *r, size_t n, FILE *out)
{
	size_t i;

	fputs("      \"rules\": [\n", out);
	for (i = 0; i < n; i++) {
		fputs("        {\"id\": ", out);
		json_str(out, r[i].id);
		fputs(", \"name\": ", out);
		json_str(out, r[i].name);
		fputs(",\n         \"shortDescription\": {\"text\": ", out);
		json_str(out, r[i].brief);
		fputs("},\n         \"fullDescription\": {\"text\": ", out);
		json_str(out, r[i].full);
		fprintf(out, "},\n         \"defaultConfiguration\": {\"level\": \"%s\"},\n"
			     "         \"properties\": {\"tags\": [\"performance\", \"kvm\"]}}%s\n",
			r[i].level, i + 1 < n ? "," : "");
	}
	fputs("      ]\n", out);
}

static void properties(const struct audit *a, size_t i, FILE *out)
{
	const struct cm_model *m = a->m;
	const struct cm_call *c = &m->call[i];
	const struct cm_func *f = &m->func[c->caller];
	size_t p, r;

	fputs("\"properties\": {\"caller\": ", out);
	json_str(out, f->name);
	fputs(", \"callee\": ", out);
	json_str(out, audit_what(c));
	fprintf(out, ", \"kind\": \"%s\", \"when\": \"%s\", \"exitPath\": ",
		cg_kind_name(c->kind), cg_when_name(c->when));
	json_strings(out, f->path);
	fputs(", \"exitReasons\": [", out);
	for (r = 0; r < f->nreason; r++) {
		fputs(r ? ", " : "", out);
		json_str(out, m->reason[f->reason[r]].name);
	}
	fputs("], \"cyclesPerExit\": {", out);
	for (p = 0; p < a->nprof; p++) {
		fputs(p ? ", " : "", out);
		json_str(out, a->eval[p].prof->name);
		fprintf(out, ": %.1f", a->eval[p].site[i].foreign ? 0.0 : a->eval[p].site[i].weighted);
	}
	fputs("}}", out);
}

static void result(const struct audit *a, enum rule r, size_t i, bool *first, FILE *out)
{
	const struct cm_call *c = &a->m->call[i];
	char fp[17];

	fingerprint(a->m, r, i, fp);
	fputs(*first ? "        " : ",\n        ", out);
	*first = false;
	fprintf(out, "{\"ruleId\": \"%s\", \"ruleIndex\": %d, \"level\": \"%s\",\n"
		     "         \"message\": {\"text\": ", audit_rule[r].id, (int)r, audit_rule[r].level);
	message(a, r, i, out);
	fputs("},\n         \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", out);
	json_str(out, c->file);
	fprintf(out, ", \"uriBaseId\": \"SRCROOT\"}, \"region\": {\"startLine\": %u, "
		     "\"startColumn\": %u}}, \"logicalLocations\": [{\"name\": ", c->line, c->col);
	json_str(out, a->m->func[c->caller].name);
	fprintf(out, ", \"kind\": \"function\"}]}],\n"
		     "         \"fingerprints\": {\"kvmHotpath/v1\": \"%s\"},\n"
		     "         \"partialFingerprints\": {\"kvmHotpathSite/v1\": \"%s\"},\n         ",
		fp, fp);
	properties(a, i, out);
	fputc('}', out);
}

void audit_sarif(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	bool first = true;
	size_t s, ncostly = 0;

	audit_sarif_head("kvm-hotpath hot-path audit of KVM VM-exit paths", audit_rule, R_NRULES,
			 m->tree, out);
	fputs(",\n    \"properties\": {\"profiles\": [", out);
	for (s = 0; s < a->nprof; s++) {
		fputs(s ? ", " : "", out);
		json_str(out, a->eval[s].prof->name);
	}
	fputs("], \"scenario\": ", out);
	json_str(out, a->scn ? a->scn->name : NULL);
	fputs(", \"facts\": [", out);
	for (s = 0; a->scn && s < a->scn->nfact; s++) {
		fputs(s ? ", " : "", out);
		json_str(out, a->scn->fact[s].text);
	}
	fputs("]},\n    \"results\": [\n", out);
	for (s = 0; s < a->nsite; s++) {
		size_t i = a->order[s];
		const struct cm_call *c = &m->call[i];

		if (cm_is_pmu_site(m, c) && !c->guarded)
			result(a, R_PMU, i, &first, out);
		if (thunked(a, i))
			result(a, R_INDIRECT, i, &first, out);
		if (ncostly < a->top && !a->eval[0].site[i].foreign && a->eval[0].site[i].weighted > 0) {
			result(a, R_COSTLY, i, &first, out);
			ncostly++;
		}
	}
	fputs(first ? "    ]\n  }]\n}\n" : "\n    ]\n  }]\n}\n", out);
}
