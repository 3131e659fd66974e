// SPDX-License-Identifier: GPL-2.0
/*
 * Scenarios: the facts a SCENARIO file states, checked against what the
 * analysed code tests, and conditions decided under them in three values
 * (holds, does not, not decided), as Kleene's logic has && and ||.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "util.h"

/* A SCENARIO file is a few lines: anything larger is not one. */
#define SCN_MAX_BYTES	(1u << 20)
#define SCN_MAX_LINE	4096

/* ---- the condition grammar (flow.h) ---- */

struct cparse {
	const char *p;
	const struct scenario *s;
	const struct profile *prof;
	scn_lookup look;
	void *arg;
	void (*each)(void *arg, const char *term);	/* collecting terms, not deciding */
	void *each_arg;
	unsigned int depth;	/* predicates within predicates */
	unsigned int *expanded;	/* predicates followed in this decision, shared with nested ones */
	unsigned int nest;	/* parentheses and "!" within each other */
	bool bad;
};

/* Deeper than any condition code has: a hostile file ends as not decided. */
#define SCN_MAX_NEST	256

/*
 * How deep "name()" atoms are followed into what the functions return, and
 * how many in one decision: a condition of many predicates, each calling
 * others, is not decided past that rather than taking exponential time.
 */
#define SCN_PRED_DEPTH	4
#define SCN_PRED_MAX	64

static void skip_blanks(struct cparse *c)
{
	while (*c->p == ' ')
		c->p++;
}

static bool term_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '.' || ch == ':';
}

/* A term at c->p: identifiers joined by "." or "->", or "cpuid(X)"; malloc'd. */
static char *read_term(struct cparse *c)
{
	const char *start = c->p;

	if (!isalpha((unsigned char)*c->p) && *c->p != '_')
		return NULL;
	for (;;) {
		while (term_char(*c->p))
			c->p++;
		if (c->p[0] == '-' && c->p[1] == '>' && (isalpha((unsigned char)c->p[2]) ||
							 c->p[2] == '_' || c->p[2] == '*')) {
			c->p += 2;
			if (*c->p == '*')
				c->p++;
			continue;
		}
		break;
	}
	if (*c->p == '(') {
		const char *close = strchr(c->p, ')');

		if (!close)
			return NULL;
		c->p = close + 1;
	}
	return xasprintf("%.*s", (int)(c->p - start), start);
}

static bool read_number(struct cparse *c, long long *v)
{
	char *end;

	if (!isdigit((unsigned char)*c->p) && !(*c->p == '-' && isdigit((unsigned char)c->p[1])))
		return false;
	errno = 0;
	*v = strtoll(c->p, &end, 0);
	if (errno)
		return false;
	c->p = end;
	return true;
}

static const char *const cmp_ops[] = { "==", "!=", "<=", ">=", "<", ">" };

static int read_cmp(struct cparse *c)
{
	int i;

	skip_blanks(c);
	for (i = 0; i < 6; i++) {
		size_t n = strlen(cmp_ops[i]);

		if (!strncmp(c->p, cmp_ops[i], n)) {
			c->p += n;
			return i;
		}
	}
	return -1;
}

static bool has_feature(const char *list, const char *name, bool absent)
{
	char word[64];
	size_t i;

	if (!list || strlen(name) + 2 > sizeof(word))
		return false;
	word[0] = '-';
	for (i = 0; name[i]; i++)
		word[i + 1] = (char)tolower((unsigned char)name[i]);
	word[i + 1] = '\0';
	return has_word(list, absent ? word : word + 1);
}

static int parse_or(struct cparse *c);

/* What is known of a term: an exact value, or a value it is not. */
struct tval {
	int known;		/* 1: == v; 2: != v; 0: nothing */
	long long v;
};

static struct tval term_value(struct cparse *c, const char *term)
{
	const struct fact *f = scn_fact(c->s, term);
	struct tval t = { 0, 0 };
	const char *open;

	if (f) {
		t.known = f->ne ? 2 : 1;
		t.v = f->value;
		return t;
	}
	open = strchr(term, '(');
	if (open && open[1] == ')') {
		/* A predicate: what the function returns, decided the same way. */
		char *name = xasprintf("%.*s", (int)(open - term), term);
		const char *ret = c->s && c->s->returns ? c->s->returns(c->s->model, name) : NULL;

		free(name);
		if (ret && c->depth < SCN_PRED_DEPTH && c->expanded && (*c->expanded)++ < SCN_PRED_MAX) {
			struct cparse sub = *c;
			int r;

			sub.p = ret;
			sub.depth++;
			sub.bad = false;
			r = parse_or(&sub);
			skip_blanks(&sub);
			if (!sub.bad && !*sub.p && r >= 0) {
				t.known = 1;
				t.v = r;
			}
		}
		return t;
	}
	if (open) {
		char *name = xasprintf("%.*s", (int)(strlen(open + 1) - 1), open + 1);

		/* A guest's CPUID is the host's unless a fact says otherwise. */
		if (!strncmp(term, "guest_", 6)) {
			char *host = xasprintf("cpuid(%s)", name);

			f = scn_fact(c->s, host);
			free(host);
		}
		if (f) {
			t.known = f->ne ? 2 : 1;
			t.v = f->value;
		} else if (c->prof && has_feature(c->prof->features, name, false)) {
			t.known = 1;
			t.v = 1;
		} else if (c->prof && has_feature(c->prof->features, name, true)) {
			t.known = 1;
			t.v = 0;
		}
		free(name);
		return t;
	}
	if (c->look && c->look(c->arg, term, &t.v) == 1)
		t.known = 1;
	return t;
}

static int compare(struct tval t, int op, long long n)
{
	if (t.known == 1) {
		switch (op) {
		case 0: return t.v == n;
		case 1: return t.v != n;
		case 2: return t.v <= n;
		case 3: return t.v >= n;
		case 4: return t.v < n;
		default: return t.v > n;
		}
	}
	if (t.known == 2 && t.v == n && op <= 1)
		return op == 1;
	return -1;
}

static int parse_or(struct cparse *c);

static int parse_atom(struct cparse *c)
{
	long long n;
	char *term;
	int op, r;

	skip_blanks(c);
	if (*c->p == '?') {
		c->p++;
		return -1;
	}
	if (*c->p == '(') {
		if (++c->nest > SCN_MAX_NEST) {
			c->bad = true;
			return -1;
		}
		c->p++;
		r = parse_or(c);
		c->nest--;
		skip_blanks(c);
		if (*c->p != ')')
			c->bad = true;
		else
			c->p++;
		return r;
	}
	if (read_number(c, &n))
		return n != 0;
	term = read_term(c);
	if (!term) {
		c->bad = true;
		return -1;
	}
	if (c->each)
		c->each(c->each_arg, term);
	{
		const char *save = c->p;

		op = read_cmp(c);
		if (op >= 0) {
			skip_blanks(c);
			if (!read_number(c, &n)) {
				c->bad = true;
				free(term);
				return -1;
			}
		} else {
			c->p = save;
		}
	}
	r = c->each ? -1 : op >= 0 ? compare(term_value(c, term), op, n)
			  : compare(term_value(c, term), 1, 0);
	free(term);
	return r;
}

static int parse_not(struct cparse *c)
{
	int r;

	skip_blanks(c);
	if (*c->p == '!' && c->p[1] != '=') {
		if (++c->nest > SCN_MAX_NEST) {
			c->bad = true;
			return -1;
		}
		c->p++;
		r = parse_not(c);
		c->nest--;
		return r < 0 ? r : !r;
	}
	return parse_atom(c);
}

static int parse_and(struct cparse *c)
{
	int r = parse_not(c), k;

	for (;;) {
		skip_blanks(c);
		if (strncmp(c->p, "&&", 2))
			return r;
		c->p += 2;
		k = parse_not(c);
		r = (r == 0 || k == 0) ? 0 : (r == 1 && k == 1) ? 1 : -1;
	}
}

static int parse_or(struct cparse *c)
{
	int r = parse_and(c), k;

	for (;;) {
		skip_blanks(c);
		if (strncmp(c->p, "||", 2))
			return r;
		c->p += 2;
		k = parse_and(c);
		r = (r == 1 || k == 1) ? 1 : (r == 0 && k == 0) ? 0 : -1;
	}
}

int scn_eval(const struct scenario *s, const struct profile *p, const char *cond,
	     scn_lookup look, void *arg)
{
	unsigned int expanded = 0;
	struct cparse c = { .p = cond, .s = s, .prof = p, .look = look, .arg = arg,
			    .expanded = &expanded };
	int r;

	if (!cond)
		return 1;
	r = parse_or(&c);
	skip_blanks(&c);
	return c.bad || *c.p ? -1 : r;
}

void scn_cond_terms(const char *cond, void (*f)(void *arg, const char *term), void *arg)
{
	struct cparse c = { .p = cond, .each = f, .each_arg = arg };

	if (cond)
		parse_or(&c);
}

const struct fact *scn_fact(const struct scenario *s, const char *term)
{
	size_t i;

	for (i = 0; s && i < s->nfact; i++) {
		if (!strcmp(s->fact[i].term, term))
			return &s->fact[i];
	}
	return NULL;
}

/* ---- the terms of the analysed code ---- */

static void add_term(void *arg, const char *term)
{
	struct scn_terms *t = arg;

	if (!term || !*term || strchr(term, '*') || !strncmp(term, "local:", 6))
		return;
	GROW(t->term, t->alloc, t->n + 1);
	t->term[t->n++] = xstrdup(term);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_conds(struct scn_terms *t, const struct jval *v)
{
	const struct jval *ifs = jget(v, "if");
	size_t i;

	for (i = 0; ifs && ifs->type == J_ARR && i < ifs->n; i++)
		scn_cond_terms(jstr(&ifs->item[i], "cond"), add_term, t);
}

void scn_terms_collect(struct scn_terms *t, const struct jval *cg)
{
	static const char *const arrays[] = { "calls", "loops", "writes", "globals" };
	static const char *const keys[] = { "over", "dst", "a", "b", "name" };
	const struct jval *funcs = jget(cg, "functions");
	size_t a, i, k, n = 0;

	memset(t, 0, sizeof(*t));
	for (i = 0; funcs && funcs->type == J_ARR && i < funcs->n; i++)
		scn_cond_terms(jstr(&funcs->item[i], "returns"), add_term, t);
	for (a = 0; a < 4; a++) {
		const struct jval *arr = jget(cg, arrays[a]);

		for (i = 0; arr && arr->type == J_ARR && i < arr->n; i++) {
			const struct jval *v = &arr->item[i];

			add_conds(t, v);
			for (k = 0; a > 0 && k < 5; k++) {
				const char *s = jstr(v, keys[k]);

				if (s && (isalpha((unsigned char)*s) || *s == '_'))
					add_term(t, s);
			}
		}
	}
	xqsort(t->term, t->n, sizeof(*t->term), cmp_str);
	for (i = 0; i < t->n; i++) {
		if (n && !strcmp(t->term[n - 1], t->term[i])) {
			free(t->term[i]);
			continue;
		}
		t->term[n++] = t->term[i];
	}
	t->n = n;
}

void scn_terms_free(struct scn_terms *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->term[i]);
	free(t->term);
	memset(t, 0, sizeof(*t));
}

static bool known_term(const struct scn_terms *t, const char *term)
{
	return t && bsearch(&term, t->term, t->n, sizeof(*t->term), cmp_str);
}

/* ---- scenarios ---- */

static void add_fact(struct scenario *s, const char *term, bool ne, long long value,
		     const char *from)
{
	struct fact *f;

	GROW(s->fact, s->afact, s->nfact + 1);
	f = &s->fact[s->nfact++];
	f->term = xstrdup(term);
	f->ne = ne;
	f->value = value;
	f->text = xasprintf("%s %s %lld", term, ne ? "!=" : "=", value);
	f->from = xstrdup(from);
}

void scn_default(struct scenario *s, const struct jval *cg)
{
	const struct jval *g = jget(cg, "globals");
	size_t i;

	memset(s, 0, sizeof(*s));
	s->name = xstrdup("default");
	add_fact(s, "kvm->arch.enable_pmu", false, 0, "the VM's PMU is disabled");
	for (i = 0; g && g->type == J_ARR && i < g->n; i++) {
		const struct jval *v = &g->item[i];
		const char *name = jstr(v, "name"), *file = jstr(v, "file");
		const struct jval *val = jget(v, "value");
		unsigned int line = 0;
		char *text;

		if (!name || strcmp(name, "enable_pmu") || !file || !val || val->type != J_NUM ||
		    !juint(jget(v, "line"), &line))
			continue;
		text = xasprintf("the module parameter, as %s:%u sets it", file, line);
		add_fact(s, "enable_pmu", false, (long long)val->num, text);
		free(text);
		break;
	}
}

/* "vcpu->arch.apic" as the code has it, "kvm_vcpu->arch.apic"; NULL if unknown. */
static char *resolve(const struct scn_terms *t, const char *term)
{
	const char *arrow = strstr(term, "->");
	char *alt;

	if (known_term(t, term))
		return xstrdup(term);
	if (!arrow)
		return NULL;
	alt = xasprintf("kvm_%s", term);
	if (known_term(t, alt))
		return alt;
	free(alt);
	return NULL;
}

static int fact_line(struct scenario *s, const char *file, unsigned int line, char *l,
		     const struct scn_terms *terms)
{
	struct cparse c = { .p = l };
	char *term, *text, *name;
	long long v;
	bool ne;
	size_t i;

	while (*c.p == ' ' || *c.p == '\t')
		c.p++;
	term = read_term(&c);
	if (!term) {
		error("%s:%u: not a fact; write one a line, as kvm->arch.enable_pmu = 0", file, line);
		return -1;
	}
	while (*c.p == ' ' || *c.p == '\t')
		c.p++;
	if (c.p[0] == '=' && c.p[1] != '=') {
		ne = false;
		c.p++;
	} else if (!strncmp(c.p, "==", 2) || !strncmp(c.p, "!=", 2)) {
		ne = c.p[0] == '!';
		c.p += 2;
	} else {
		error("%s:%u: %s: no \"=\" or \"!=\" after it; write term = value, as "
		      "kvm->arch.enable_pmu = 0", file, line, term);
		free(term);
		return -1;
	}
	while (*c.p == ' ' || *c.p == '\t')
		c.p++;
	if (!strncmp(c.p, "NULL", 4) || !strncmp(c.p, "false", 5)) {
		v = 0;
		c.p += c.p[0] == 'N' ? 4 : 5;
	} else if (!strncmp(c.p, "true", 4)) {
		v = 1;
		c.p += 4;
	} else if (!read_number(&c, &v)) {
		error("%s:%u: %s: the value is a number, true, false or NULL", file, line, term);
		free(term);
		return -1;
	}
	while (*c.p == ' ' || *c.p == '\t')
		c.p++;
	if (*c.p) {
		error("%s:%u: \"%s\" after the value; one fact a line, comments after #", file, line,
		      c.p);
		free(term);
		return -1;
	}
	name = resolve(terms, term);
	if (!name) {
		error("%s:%u: %s: no condition, write or loop in the analysed code reads or sets "
		      "it; name a field as the code does (kvm->arch.enable_pmu, vcpu->arch.apic)",
		      file, line, term);
		free(term);
		return -1;
	}
	free(term);
	for (i = 0; i < s->nfact; i++) {
		if (!strcmp(s->fact[i].term, name)) {
			error("%s:%u: %s: a second fact about it (\"%s\" is already one); give one",
			      file, line, name, s->fact[i].text);
			free(name);
			return -1;
		}
	}
	text = xasprintf("%s:%u", file, line);
	add_fact(s, name, ne, v, text);
	free(text);
	free(name);
	return 0;
}

int scn_load(struct scenario *s, const char *file, const struct scn_terms *terms)
{
	char *l = NULL;
	size_t n = 0, total = 0;
	unsigned int line = 0;
	ssize_t len;
	int ret = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen(file, "r");
	if (!f) {
		error("SCENARIO=%s: cannot read it: %s; give a file of facts, as "
		      "kvm->arch.enable_pmu = 0", file, strerror(errno));
		return -1;
	}
	s->name = xstrdup(file);
	while (!ret && (len = getline(&l, &n, f)) > 0) {
		char *hash;

		line++;
		total += (size_t)len;
		if (total > SCN_MAX_BYTES || len > SCN_MAX_LINE) {
			error("%s:%u: longer than a scenario's %s; a scenario is a few facts", file, line,
			      total > SCN_MAX_BYTES ? "1 MB" : "4096-byte lines");
			ret = -1;
			break;
		}
		if (line_has_nul(l, len)) {
			error("%s:%u: a NUL byte; a scenario is text", file, line);
			ret = -1;
			break;
		}
		l[strcspn(l, "\r\n")] = '\0';
		if ((hash = strchr(l, '#')))
			*hash = '\0';
		len = (ssize_t)strlen(l);
		while (len > 0 && isspace((unsigned char)l[len - 1]))
			l[--len] = '\0';
		if (strspn(l, " \t") == (size_t)len)
			continue;
		ret = fact_line(s, file, line, l, terms);
	}
	free(l);
	fclose(f);
	if (!ret && !s->nfact) {
		error("%s: no facts in it; write one a line, as kvm->arch.enable_pmu = 0", file);
		ret = -1;
	}
	if (ret)
		scn_free(s);
	return ret;
}

void scn_free(struct scenario *s)
{
	size_t i;

	for (i = 0; i < s->nfact; i++) {
		free(s->fact[i].term);
		free(s->fact[i].text);
		free(s->fact[i].from);
	}
	free(s->fact);
	free(s->name);
	memset(s, 0, sizeof(*s));
}
