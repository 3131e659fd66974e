// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a CPU profile.  The format is line based: '#' starts a comment,
 * which after a number or a defaults line is kept as its source; every
 * cost key must be given exactly once, so a profile never leaves the model
 * to guess.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "util.h"

static const char *const key_name[P_NKEYS] = {
	"call", "indirect", "retpoline", "retpoline_lfence", "its", "return_thunk",
	"srso_safe_ret", "srso_alias", "call_depth", "kcfi", "fineibt", "ipc", "guard",
	"cpuid_exit",
};
static const char *const indirect_name[] = { "plain", "retpoline", "retpoline_lfence", "its" };
static const char *const return_name[] = { "plain", "thunk", "srso_safe_ret", "srso_alias",
					   "call_depth" };
static const char *const cfi_name[] = { "kcfi", "fineibt" };

#define COUNT(a) (sizeof(a) / sizeof(*(a)))

const char *prof_key_name(enum prof_key key)
{
	return key < P_NKEYS ? key_name[key] : "?";
}

const char *mit_indirect_name(enum mit_indirect m)
{
	return m < COUNT(indirect_name) ? indirect_name[m] : "?";
}

const char *mit_return_name(enum mit_return m)
{
	return m < COUNT(return_name) ? return_name[m] : "?";
}

const char *mit_cfi_name(enum mit_cfi m)
{
	return m < COUNT(cfi_name) ? cfi_name[m] : "?";
}

static int lookup(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(names[i], s))
			return (int)i;
	}
	return -1;
}

static char *trim(char *s)
{
	char *e;

	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && strchr(" \t\r\n", e[-1]))
		e--;
	*e = '\0';
	return s;
}

struct reader {
	const char *path;
	unsigned int line;
	struct profile *p;
	unsigned int seen[P_NKEYS];
};

static int bad(struct reader *r, const char *what)
{
	if (r->line)
		error("%s:%u: %s", r->path, r->line, what);
	else
		error("%s: %s", r->path, what);
	return -1;
}

/* "indirect=retpoline": one setting of a defaults line. */
static int setting(struct reader *r, struct prof_defaults *d, char *kv, unsigned int *have)
{
	char *v = strchr(kv, '=');
	int i;

	if (!v)
		return bad(r, "write defaults settings as indirect=... return=... cfi=...");
	*v++ = '\0';
	if (!strcmp(kv, "indirect") && (i = lookup(indirect_name, COUNT(indirect_name), v)) >= 0)
		d->indirect = (enum mit_indirect)i, *have |= 1;
	else if (!strcmp(kv, "return") && (i = lookup(return_name, COUNT(return_name), v)) >= 0)
		d->ret = (enum mit_return)i, *have |= 2;
	else if (!strcmp(kv, "cfi") && (i = lookup(cfi_name, COUNT(cfi_name), v)) >= 0)
		d->cfi = (enum mit_cfi)i, *have |= 4;
	else
		return bad(r, "unknown defaults setting; indirect=plain|retpoline|retpoline_lfence|its, "
			      "return=plain|thunk|srso_safe_ret|srso_alias|call_depth, cfi=kcfi|fineibt");
	return 0;
}

static int defaults_line(struct reader *r, char *rest, const char *comment)
{
	struct prof_defaults d = { 0 };
	unsigned int have = 0;
	char *tok, *save;
	struct profile *p = r->p;

	tok = strtok_r(rest, " \t", &save);
	if (!tok || sscanf(tok, "%u.%u", &d.major, &d.minor) != 2)
		return bad(r, "defaults needs a kernel version first: defaults 6.12 indirect=...");
	if (p->ndef && (p->def[p->ndef - 1].major > d.major ||
			(p->def[p->ndef - 1].major == d.major && p->def[p->ndef - 1].minor >= d.minor)))
		return bad(r, "defaults lines must come in ascending kernel versions");
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (setting(r, &d, tok, &have))
			return -1;
	}
	if (have != 7)
		return bad(r, "a defaults line needs indirect=, return= and cfi=");
	d.source = xstrdup(comment ? comment : "");
	GROW(p->def, p->adef, p->ndef + 1);
	p->def[p->ndef++] = d;
	return 0;
}

static int models_line(struct reader *r, char *rest)
{
	struct profile *p = r->p;
	unsigned long family, first, last;
	char *tok, *save, *end;

	tok = strtok_r(rest, " \t", &save);
	errno = 0;
	family = tok ? strtoul(tok, &end, 0) : 0;
	if (!tok || *end || errno || !family || family > 0xff)
		return bad(r, "models needs the CPU family first: models 0x19 0x10-0x1f,0xa0");
	tok = strtok_r(NULL, " \t", &save);
	if (!tok || strtok_r(NULL, " \t", &save))
		return bad(r, "models takes a family and one list of models: models 0x19 0x10-0x1f,0xa0");
	for (tok = strtok_r(tok, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		first = strtoul(tok, &end, 0);
		last = *end == '-' ? strtoul(end + 1, &end, 0) : first;
		if (*end || first > last || last > 0xff)
			return bad(r, "a model is a number or a range, 0x10-0x1f, below 0x100");
		GROW(p->models, p->amodels, p->nmodels + 1);
		p->models[p->nmodels++] = (struct prof_models){ family, first, last };
	}
	return 0;
}

bool prof_covers(const struct profile *p, const char *vendor, unsigned int family,
		 unsigned int model)
{
	size_t i;

	if (strcmp(p->vendor, vendor))
		return false;
	for (i = 0; i < p->nmodels; i++)
		if (p->models[i].family == family && p->models[i].first <= model &&
		    model <= p->models[i].last)
			return true;
	return false;
}

static int cost_line(struct reader *r, int key, char *rest, const char *comment)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(rest, &end);
	if (end == rest || *trim(end) || errno || !isfinite(v) || v < 0)
		return bad(r, "a cost is a number of cycles, 0 or more");
	if (r->seen[key]++)
		return bad(r, "this key is given twice");
	if (key == P_IPC && v <= 0)
		return bad(r, "ipc must be above 0");
	r->p->cost[key] = v;
	r->p->source[key] = xstrdup(comment ? comment : "");
	return 0;
}

static int parse_line(struct reader *r, char *l)
{
	char *hash = strchr(l, '#'), *comment = NULL, *word, *rest;
	struct profile *p = r->p;
	int key;

	if (hash) {
		*hash = '\0';
		comment = trim(hash + 1);
	}
	l = trim(l);
	if (!*l)
		return 0;
	word = l;
	rest = l + strcspn(l, " \t");
	if (*rest)
		*rest++ = '\0';
	rest = trim(rest);
	if (!strcmp(word, "name") || !strcmp(word, "cpu") || !strcmp(word, "vendor")) {
		char **field = word[0] == 'n' ? &p->name : word[0] == 'c' ? &p->cpu : &p->vendor;

		if (!*rest)
			return bad(r, "this line needs a value");
		/* The model splits vmx/ and svm/ code by it: nothing else is priced. */
		if (field == &p->vendor && strcmp(rest, "amd") && strcmp(rest, "intel"))
			return bad(r, "vendor is amd (SVM: AMD, Hygon) or intel (VMX: Intel, Zhaoxin)");
		free(*field);
		*field = xstrdup(rest);
		return 0;
	}
	if (!strcmp(word, "features")) {
		/* CPUID features, by /proc/cpuinfo's names: what cpuid(X) tests. */
		if (!*rest || strspn(rest, "abcdefghijklmnopqrstuvwxyz0123456789_- \t") != strlen(rest))
			return bad(r, "features lists /proc/cpuinfo flag names, -name for one absent: features perfctr_core -perfmon_v2");
		free(p->features);
		p->features = xstrdup(rest);
		return 0;
	}
	if (!strcmp(word, "defaults"))
		return defaults_line(r, rest, comment);
	if (!strcmp(word, "models"))
		return models_line(r, rest);
	key = lookup(key_name, P_NKEYS, word);
	if (key < 0)
		return bad(r, "unknown line; see the format in README.md (make audit)");
	return cost_line(r, key, rest, comment);
}

int prof_read(const char *path, struct profile *p)
{
	struct reader r = { .path = path, .p = p };
	char *l = NULL;
	size_t n = 0;
	int ret = 0, k;
	ssize_t len;
	FILE *f;

	memset(p, 0, sizeof(*p));
	p->path = xstrdup(path);
	f = fopen(path, "r");
	if (!f) {
		error("%s: cannot read the CPU profile: %s; see analyzer/profiles/", path,
		      strerror(errno));
		return -1;
	}
	while (!ret && (len = getline(&l, &n, f)) > 0) {
		r.line++;
		ret = line_has_nul(l, len) ? bad(&r, "a NUL byte; a profile is text") : parse_line(&r, l);
	}
	free(l);
	fclose(f);
	if (ret)
		return -1;
	r.line = 0;
	if (!p->name)
		return bad(&r, "no name line; start the profile with name <id>");
	if (!p->vendor)
		return bad(&r, "no vendor line; say vendor amd or vendor intel");
	for (k = 0; k < P_NKEYS; k++) {
		if (!r.seen[k]) {
			error("%s: no %s line; every cost must be given (see analyzer/profiles/)",
			      path, key_name[k]);
			return -1;
		}
	}
	if (!p->ndef)
		return bad(&r, "no defaults line; give defaults <version> indirect=... return=... cfi=...");
	return 0;
}

void prof_free(struct profile *p)
{
	size_t i;

	for (i = 0; i < P_NKEYS; i++)
		free(p->source[i]);
	for (i = 0; i < p->ndef; i++)
		free(p->def[i].source);
	free(p->def);
	free(p->models);
	free(p->path);
	free(p->name);
	free(p->cpu);
	free(p->vendor);
	free(p->features);
	memset(p, 0, sizeof(*p));
}

const struct prof_defaults *prof_defaults(const struct profile *p, unsigned int major,
					  unsigned int minor)
{
	const struct prof_defaults *d = &p->def[0];
	size_t i;

	for (i = 0; i < p->ndef; i++) {
		if (p->def[i].major < major ||
		    (p->def[i].major == major && p->def[i].minor <= minor))
			d = &p->def[i];
	}
	return d;
}
