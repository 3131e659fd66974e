// SPDX-License-Identifier: GPL-2.0
/*
 * audit.html: the audit as one page that needs no network, for a browser.
 * The ranked sites as a table sorted in place (by a header, or by
 * #sort=KEY in the address), and the exit paths as a flame graph drawn here
 * as inline SVG from the stacks of exit-paths.folded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "state.h"
#include "version.h"
#include "util.h"

/* The flame graph: flamegraph.pl's layout, root at the bottom. */
#define FG_W		1200	/* width of the root frame, in SVG units */
#define FG_FRAME	17	/* a frame's height, with its gap */
#define FG_MIN_PX	0.5	/* narrower frames are left out */
#define FG_CHAR		6.6	/* an 11px monospace character's width */

/* The characters HTML gives a meaning to, as character references. */
static const char *const html_ref[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
};

/* At most n bytes of s, escaped. */
static void html_putn(const char *s, size_t n, FILE *out)
{
	for (; n && *s; s++, n--) {
		const char *ref = html_ref[(unsigned char)*s];

		if (ref)
			fputs(ref, out);
		else
			fputc(*s, out);
	}
}

/* put() for the shared writers: one string from the graph, escaped. */
static int html_put(const char *s, FILE *out)
{
	html_putn(s ? s : "", SIZE_MAX, out);
	return 0;
}

/* ---- the flame graph ---- */

struct fg_node {
	const char *name;
	double value;			/* cycles per exit at and above this frame */
	size_t child, next;		/* first child, next sibling; 0: none */
};

struct flame {
	struct fg_node *node;		/* node[0] is the root */
	size_t n, alloc;
};

static size_t fg_child(struct flame *fl, size_t parent, const char *name)
{
	size_t c;

	for (c = fl->node[parent].child; c; c = fl->node[c].next) {
		if (!strcmp(fl->node[c].name, name))
			return c;
	}
	GROW(fl->node, fl->alloc, fl->n + 1);
	fl->node[fl->n] = (struct fg_node){ .name = name, .next = fl->node[parent].child };
	fl->node[parent].child = fl->n;
	return fl->n++;
}

/* One stack: the exit path's names from its root, then the callee. */
static void fg_add(struct flame *fl, const struct cm_func *f, const char *leaf, double v)
{
	size_t i, n = f->path ? f->path->n : 0, cur = 0;

	fl->node[0].value += v;
	for (i = 0; i <= n; i++) {
		cur = fg_child(fl, cur, i < n ? f->path->item[i].str : leaf);
		fl->node[cur].value += v;
	}
}

struct fg_ref {
	const char *name;
	size_t i;
};

static int cmp_ref(const void *a, const void *b)
{
	return strcmp(((const struct fg_ref *)a)->name, ((const struct fg_ref *)b)->name);
}

/* Children by name, as flamegraph.pl orders them: the same page each run. */
static void fg_order(struct flame *fl, size_t i)
{
	struct fg_ref *ref;
	size_t c, n = 0;

	for (c = fl->node[i].child; c; c = fl->node[c].next)
		n++;
	if (!n)
		return;
	ref = xcalloc(n, sizeof(*ref));
	n = 0;
	for (c = fl->node[i].child; c; c = fl->node[c].next)
		ref[n++] = (struct fg_ref){ fl->node[c].name, c };
	xqsort(ref, n, sizeof(*ref), cmp_ref);
	fl->node[i].child = ref[0].i;
	for (c = 0; c < n; c++) {
		fl->node[ref[c].i].next = c + 1 < n ? ref[c + 1].i : 0;
		fg_order(fl, ref[c].i);
	}
	free(ref);
}

static double fg_px(const struct flame *fl, size_t i)
{
	return fl->node[i].value / fl->node[0].value * FG_W;
}

static size_t fg_count(const struct flame *fl, size_t i)
{
	size_t c, n = 1;

	for (c = fl->node[i].child; c; c = fl->node[c].next)
		n += fg_count(fl, c);
	return n;
}

/* How deep the frames drawn go, and how many are too narrow to draw. */
static void fg_measure(const struct flame *fl, size_t i, unsigned int depth,
		       unsigned int *deepest, size_t *dropped)
{
	size_t c;

	if (fg_px(fl, i) < FG_MIN_PX) {
		*dropped += fg_count(fl, i);
		return;
	}
	if (depth > *deepest)
		*deepest = depth;
	for (c = fl->node[i].child; c; c = fl->node[c].next)
		fg_measure(fl, c, depth + 1, deepest, dropped);
}

/* flamegraph.pl's "hot" palette, from a hash of the name, not at random. */
static void fg_color(const char *name, FILE *out)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	fprintf(out, "rgb(%u,%u,%u)", 205 + (h & 0xff) % 50, ((h >> 8) & 0xff) * 230 / 255,
		((h >> 16) & 0xff) * 55 / 255);
}

static void fg_draw(const struct flame *fl, size_t i, unsigned int depth, double x,
		    unsigned int height, FILE *out)
{
	const struct fg_node *n = &fl->node[i];
	double w = fg_px(fl, i), cx = x;
	size_t fit = w > 6 ? (size_t)((w - 6) / FG_CHAR) : 0, len = strlen(n->name), c;
	unsigned int y = height - (depth + 1) * FG_FRAME;

	if (w < FG_MIN_PX)
		return;
	fputs(i ? "<g><title>" : "<g id=\"flame-root\"><title>", out);
	html_put(n->name, out);
	fprintf(out, ": %.1f cycles (%.1f%%)</title><rect x=\"%.2f\" y=\"%u\" width=\"%.2f\" "
		     "height=\"%u\" fill=\"", n->value, 100 * n->value / fl->node[0].value, x, y, w,
		FG_FRAME - 1);
	fg_color(n->name, out);
	fputs("\"/>", out);
	if (fit >= 3) {
		fprintf(out, "<text x=\"%.2f\" y=\"%u\">", x + 3, y + FG_FRAME - 5);
		if (len <= fit) {
			html_put(n->name, out);
		} else {
			/* Cut between characters, never inside a UTF-8 sequence. */
			for (len = fit - 2; len && (n->name[len] & 0xc0) == 0x80; len--)
				;
			html_putn(n->name, len, out);
			fputs("..", out);
		}
		fputs("</text>", out);
	}
	fputs("</g>\n", out);
	for (c = n->child; c; c = fl->node[c].next) {
		fg_draw(fl, c, depth + 1, cx, height, out);
		cx += fg_px(fl, c);
	}
}

/* The stacks of exit-paths.folded, as a tree of frames. */
static void html_flame(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	const struct cm_eval *e = &a->eval[0];
	struct flame fl = { 0 };
	unsigned int deepest = 0, height;
	size_t s, dropped = 0;

	GROW(fl.node, fl.alloc, 1);
	fl.node[0] = (struct fg_node){ .name = "all" };
	fl.n = 1;
	for (s = 0; s < a->nsite; s++) {
		const struct cm_call *c = &m->call[a->order[s]];
		const struct cm_cost *k = &e->site[a->order[s]];

		if (!k->foreign && k->weighted > 0)
			fg_add(&fl, &m->func[c->caller], audit_what(c), k->weighted);
	}
	fputs("<h2>Exit-path flame graph: ", out);
	html_put(e->prof->name, out);
	fputs(", cycles per exit</h2>\n", out);
	if (fl.node[0].value <= 0) {
		fputs("<p>No site costs cycles per exit on this profile.</p>\n", out);
		free(fl.node);
		return;
	}
	fg_order(&fl, 0);
	fg_measure(&fl, 0, 0, &deepest, &dropped);
	height = (deepest + 1) * FG_FRAME;
	fputs("<p class=\"note\">Each stack is a site's exit path from its root, then its "
	      "callee (the stacks of <code>exit-paths.folded</code>); a frame is as wide as the "
	      "cycles per exit of the sites at and above it. A site's cost includes what its "
	      "callee calls, so the sites above a frame count some of its cycles again. "
	      "Hover a frame for its figures.</p>\n", out);
	fprintf(out, "<svg id=\"flame\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %u %u\" "
		     "role=\"img\" aria-label=\"exit-path flame graph\">\n", FG_W, height);
	fg_draw(&fl, 0, 0, 0, height, out);
	fputs("</svg>\n", out);
	fprintf(out, "<p class=\"note\">%zu frames narrower than %.1f px (of %u) left out.</p>\n",
		dropped, FG_MIN_PX, FG_W);
	free(fl.node);
}

/* ---- the page ---- */

/*
 * Kept small: ~6700 rows on 8 profiles must stay a few MB, so a row is bare
 * cells (a cell's end tag is optional in HTML; the row's keeps the newline
 * out of its last cell) and columns are styled by position.
 */
static const char css[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}\n"
	"h1{font-size:1.5em;margin:0 0 .4em}h2{font-size:1.2em;margin:1.6em 0 .4em}\n"
	"code{font-family:ui-monospace,monospace}.note{max-width:62em;color:#444}\n"
	"table{border-collapse:collapse}\n"
	".prof th,.prof td{border:1px solid #ccc;padding:2px 8px;text-align:left}\n"
	".prof th{background:#f0f0f0}.prof td:first-child{white-space:nowrap}\n"
	"#flame{width:100%;height:auto;font:11px ui-monospace,monospace;background:#fafafa}\n"
	"#flame rect{stroke:#fff;stroke-width:.5}#flame g:hover rect{stroke:#000}\n"
	"#sites{font-size:12px}\n"
	"#sites th{position:sticky;top:0;background:#e8e8e8;border-bottom:2px solid #888;"
	"text-align:left;vertical-align:bottom;padding:3px 6px;white-space:nowrap}\n"
	"#sites th button{all:unset;cursor:pointer}\n"
	"#sites th button:focus-visible{outline:2px solid #06c}\n"
	"#sites th[aria-sort=ascending] button::after{content:\" \\25B2\"}\n"
	"#sites th[aria-sort=descending] button::after{content:\" \\25BC\"}\n"
	"#sites td{border-bottom:1px solid #e4e4e4;padding:1px 6px;vertical-align:top}\n"
	"#sites tbody tr:hover{background:#fff3cc}\n"
	"#sites td.f{color:#aaa}#sites td.u{color:#b00;font-weight:bold}\n";

/* Sorting the table in place; README.md (make audit) lists the keys. */
static const char js[] =
	"(function () {\n"
	"'use strict';\n"
	"var table = document.getElementById('sites');\n"
	"var head = table.tHead.rows[0].cells;\n"
	"var body = table.tBodies[0];\n"
	"var rows = Array.prototype.slice.call(body.rows);\n"
	"var cur = { key: 'rank', desc: false };\n"
	"\n"
	"function column(key) {\n"
	"\tfor (var i = 0; i < head.length; i++)\n"
	"\t\tif (head[i].dataset.key === key)\n"
	"\t\t\treturn i;\n"
	"\treturn -1;\n"
	"}\n"
	"/* num: as a number; site: file, then line as a number; text: as text. */\n"
	"function value(row, i, type) {\n"
	"\tvar t = row.cells[i].textContent, c;\n"
	"\tif (type === 'num')\n"
	"\t\treturn [parseFloat(t)];\n"
	"\tif (type === 'site') {\n"
	"\t\tc = t.lastIndexOf(':');\n"
	"\t\treturn [t.slice(0, c), parseInt(t.slice(c + 1), 10)];\n"
	"\t}\n"
	"\treturn [t];\n"
	"}\n"
	"function compare(a, b) {\n"
	"\tfor (var i = 0; i < a.length; i++) {\n"
	"\t\tif (a[i] < b[i])\n"
	"\t\t\treturn -1;\n"
	"\t\tif (a[i] > b[i])\n"
	"\t\t\treturn 1;\n"
	"\t}\n"
	"\treturn 0;\n"
	"}\n"
	"/* Either way ties stay in rank order: -cycles is the ranking itself. */\n"
	"function sort(key, desc) {\n"
	"\tvar i = column(key), type, keyed, frag, j;\n"
	"\tif (i < 0)\n"
	"\t\treturn;\n"
	"\ttype = head[i].dataset.type;\n"
	"\tkeyed = rows.map(function (r, n) { return { r: r, v: value(r, i, type), n: n }; });\n"
	"\tkeyed.sort(function (a, b) {\n"
	"\t\treturn (desc ? compare(b.v, a.v) : compare(a.v, b.v)) || a.n - b.n;\n"
	"\t});\n"
	"\tfrag = document.createDocumentFragment();\n"
	"\tkeyed.forEach(function (k) { frag.appendChild(k.r); });\n"
	"\tbody.appendChild(frag);\n"
	"\tfor (j = 0; j < head.length; j++)\n"
	"\t\thead[j].removeAttribute('aria-sort');\n"
	"\thead[i].setAttribute('aria-sort', desc ? 'descending' : 'ascending');\n"
	"\tcur = { key: key, desc: desc };\n"
	"}\n"
	"function fromHash() {\n"
	"\tvar m = /^#sort=(-?)(.+)$/.exec(location.hash);\n"
	"\tif (m)\n"
	"\t\tsort(decodeURIComponent(m[2]), m[1] === '-');\n"
	"}\n"
	"Array.prototype.forEach.call(head, function (th) {\n"
	"\tth.querySelector('button').addEventListener('click', function () {\n"
	"\t\tvar key = th.dataset.key, desc, h;\n"
	"\t\tdesc = key === cur.key ? !cur.desc : th.dataset.first === 'descending';\n"
	"\t\tsort(key, desc);\n"
	"\t\th = '#sort=' + (desc ? '-' : '') + encodeURIComponent(key);\n"
	"\t\ttry {\n"
	"\t\t\thistory.replaceState(null, '', h);\n"
	"\t\t} catch (e) {\n"
	"\t\t\tlocation.hash = h;\n"
	"\t\t}\n"
	"\t});\n"
	"});\n"
	"window.addEventListener('hashchange', fromHash);\n"
	"fromHash();\n"
	"})();\n";

static void html_profiles(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	size_t p;

	fputs("<table class=\"prof\">\n<tr><th>profile<th>CPU<th>defaults since<th>indirect calls"
	      "<th>returns<th>CFI<th>a CPUID exit, cycles<th>guard, cycles</tr>\n", out);
	for (p = 0; p < a->nprof; p++) {
		const struct cm_eval *e = &a->eval[p];

		fputs("<tr><td><code>", out);
		html_put(e->prof->name, out);
		fputs("</code><td>", out);
		html_put(e->prof->cpu, out);
		fprintf(out, "<td>%u.%u<td><code>%s</code><td><code>%s</code><td>%s<td>%.0f"
			     "<td>%.1f</tr>\n",
			e->def->major, e->def->minor, mit_indirect_name(e->def->indirect),
			mit_return_name(e->def->ret), m->cfi ? mit_cfi_name(e->def->cfi) : "off",
			e->prof->cost[P_CPUID_EXIT], e->prof->cost[P_GUARD]);
	}
	fputs("</table>\n", out);
}

/* The scenario's facts, and how often the PMU triggers' loops run under it. */
static void html_scenario(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	size_t i, l, p;

	fputs("<h2>Scenario</h2>\n<p>Every figure is priced under the scenario <em>", out);
	html_put(a->scn ? a->scn->name : "-", out);
	fputs("</em>: facts about the VM's state that decide the conditions testing them.</p>\n"
	      "<ul>\n", out);
	for (i = 0; a->scn && i < a->scn->nfact; i++) {
		fputs("<li><code>", out);
		html_put(a->scn->fact[i].text, out);
		fputs("</code> (", out);
		html_put(a->scn->fact[i].from, out);
		fputs(")</li>\n", out);
	}
	fputs("</ul>\n", out);
	for (l = 0; l < m->nloop; l++) {
		const struct cm_loop *lp = &m->loop[l];

		if (!cm_is_pmu_trigger(m->func[lp->func].name) || !m->func[lp->func].on_path)
			continue;
		fputs("<p>The loop of <code>", out);
		html_put(m->func[lp->func].name, out);
		fputs("()</code> runs:</p>\n<ul>\n", out);
		for (p = 0; p < a->nprof; p++) {
			const struct st_trip *t = &a->eval[p].trip[l];
			char n[64];

			if (t->known)
				snprintf(n, sizeof(n), "%.0f iteration%s", t->lo, t->lo == 1 ? "" : "s");
			else
				snprintf(n, sizeof(n), "trip count unknown (%.0f or more)", t->lo);
			fputs("<li>", out);
			html_put(a->eval[p].prof->name, out);
			fputs(": ", out);
			html_put(n, out);
			fputs(": ", out);
			html_put(t->why ? t->why : "not this vendor's code", out);
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	}
}

static void html_head(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	const char *first = a->eval[0].prof->name;
	size_t p, ncol = 2 + a->nprof;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<link rel=\"icon\" href=\"data:,\">\n<title>Hot-path audit: ", out);
	html_put(m->tree, out);
	fprintf(out, "</title>\n<style>\n%s"
		     "#sites td:nth-child(-n+%zu){text-align:right;white-space:nowrap}\n"
		     "#sites td:nth-child(n+%zu):nth-child(-n+%zu),#sites td:nth-child(%zu),"
		     "#sites td:nth-child(%zu){font-family:ui-monospace,monospace}\n"
		     "#sites td:nth-child(%zu){min-width:16em}#sites td:nth-child(%zu){min-width:30em}\n"
		     "</style>\n</head>\n<body>\n<h1>Hot-path audit: ",
		css, ncol, ncol + 1, ncol + 3, ncol + 6, ncol + 9, ncol + 8, ncol + 9);
	html_put(m->tree, out);
	fprintf(out, "</h1>\n<p>%zu call sites on the VM-exit paths cost cycles on at least one "
		     "profile, priced on ", a->nsite);
	for (p = 0; p < a->nprof; p++) {
		fputs(p ? (p + 1 < a->nprof ? ", " : " and ") : "", out);
		html_put(a->eval[p].prof->name, out);
	}
	fputs(" with each profile's default mitigations for this tree, by " HOTPATH_TOOL, out);
	if (m->weighted)
		fprintf(out, ", weighted by the %lu exits counted (%lu of no reason found in the "
			     "code)", m->exits, m->unmatched);
	fputs(".</p>\n", out);
	html_scenario(a, out);
	html_profiles(a, out);
	audit_measured_html(a, out, html_put);
	fputs("<p class=\"note\">How to read it: <em>cycles/exit</em> is what a site costs on the "
	      "first profile (", out);
	html_put(first, out);
	fputs(") each time it is called, times how often the cheapest path from an exit root "
	      "calls it; the sites are ranked by it. A profile's <em>cycles/call</em> is the "
	      "site's cost each time it runs: the call sequence, the return, the callee's own "
	      "instructions and what the callee calls (<em>call+ret+body+inner</em>). Grey: the "
	      "other vendor's code, not priced on that profile. <em>PMU</em> marks a call of a "
	      "PMU trigger, guarded by <code>enable_pmu</code> or not. audit.md documents the "
	      "model and where each number comes from.</p>\n", out);
}

/* A header: its key for #sort=, how it sorts, and its first click's order. */
static void html_th(const char *key, const char *type, bool desc, const char *label, FILE *out)
{
	fputs("<th data-key=\"", out);
	html_put(key, out);
	fprintf(out, "\" data-type=\"%s\"%s%s><button type=\"button\">", type,
		desc ? " data-first=\"descending\"" : "",
		strcmp(key, "rank") ? "" : " aria-sort=\"ascending\"");
	html_put(label, out);
	fputs("</button>", out);
}

static void html_table(const struct audit *a, FILE *out)
{
	const struct cm_model *m = a->m;
	const struct cm_eval *e0 = &a->eval[0];
	char *key, *label;
	size_t s, p;

	fputs("<h2>Ranked sites</h2>\n<p class=\"note\">Click a header to sort by it, again to "
	      "reverse; the address then links to that view.</p>\n"
	      "<table id=\"sites\">\n<thead><tr>", out);
	html_th("rank", "num", false, "#", out);
	label = xasprintf("cycles/exit %s", e0->prof->name);
	html_th("cycles", "num", true, label, out);
	free(label);
	for (p = 0; p < a->nprof; p++) {
		key = xasprintf("total-%s", a->eval[p].prof->name);
		label = xasprintf("%s cycles/call", a->eval[p].prof->name);
		html_th(key, "num", true, label, out);
		free(key);
		free(label);
	}
	html_th("site", "site", false, "site", out);
	html_th("function", "text", false, "function", out);
	html_th("callee", "text", false, "callee", out);
	html_th("kind", "text", false, "kind", out);
	html_th("when", "text", false, "when", out);
	label = xasprintf("call+ret+body+inner %s", e0->prof->name);
	html_th("breakdown", "text", false, label, out);
	free(label);
	html_th("pmu", "text", false, "PMU", out);
	html_th("reasons", "text", false, "exit reasons", out);
	html_th("path", "text", false, "exit path", out);
	fputs("</thead>\n<tbody>\n", out);
	for (s = 0; s < a->nsite; s++) {
		size_t i = a->order[s];
		const struct cm_call *c = &m->call[i];
		const struct cm_func *f = &m->func[c->caller];
		const struct cm_cost *k = &e0->site[i];
		const char *st = audit_pmu_status(m, c);

		fprintf(out, "<tr><td>%zu<td%s>%.1f", s + 1, k->foreign ? " class=f" : "",
			k->weighted);
		for (p = 0; p < a->nprof; p++) {
			const struct cm_cost *kp = &a->eval[p].site[i];
			char range[64];

			/* A loop's count not derived: the range in the title, the low end sorts. */
			audit_cost_text(kp, 0, range, sizeof(range));
			fprintf(out, "<td%s", kp->foreign ? " class=f" : "");
			if (strchr(range, ' ')) {
				fputs(" title=\"", out);
				html_put(range, out);
				fputs(", trip count unknown\"", out);
			}
			fprintf(out, ">%.1f", kp->total);
		}
		fputs("<td>", out);
		html_put(c->file, out);
		fprintf(out, ":%u<td>", c->line);
		html_put(f->name, out);
		fputs("<td>", out);
		html_put(audit_what(c), out);
		fprintf(out, "<td>%s<td>%s%s<td>%.1f+%.1f+%.1f+%.1f<td%s>%s<td>",
			cg_kind_name(c->kind), cg_when_name(c->when), c->guarded ? ", guarded" : "",
			k->call, k->ret, k->body, k->inner,
			st && !strcmp(st, "unguarded") ? " class=u" : "", st ? st : "");
		audit_reasons(m, f, out, html_put);
		fputs("<td>", out);
		audit_path(f, out, html_put);
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table>\n", out);
}

void audit_html(const struct audit *a, FILE *out)
{
	html_head(a, out);
	html_flame(a, out);
	html_table(a, out);
	fprintf(out, "<script>\n%s</script>\n</body>\n</html>\n", js);
}
