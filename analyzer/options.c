// SPDX-License-Identifier: GPL-2.0
/*
 * The generic option parser.  An unknown option or a missing argument is an
 * error naming the option; nothing is silently ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "util.h"

static const struct option *find(const struct option *opts, const char *name, size_t len)
{
	for (; opts->name; opts++) {
		if (strlen(opts->name) == len && !strncmp(opts->name, name, len))
			return opts;
	}
	return NULL;
}

static int set(const struct option *o, const char *val)
{
	char *end;
	unsigned long v;
	struct opt_list *l;

	switch (o->type) {
	case OPT_FLAG:
		*(int *)o->dest = 1;
		return 0;
	case OPT_STRING:
		*(const char **)o->dest = val;
		return 0;
	case OPT_LIST:
		l = o->dest;
		GROW(l->item, l->alloc, l->n + 1);
		l->item[l->n++] = val;
		return 0;
	case OPT_UINT:
		v = strtoul(val, &end, 10);
		if (!*val || *end || v > 4096) {
			error("--%s %s: give a whole number from 0 to 4096", o->name, val);
			return -1;
		}
		*(unsigned int *)o->dest = (unsigned int)v;
		return 0;
	}
	return -1;
}

int parse_options(int argc, char **argv, int first, const struct option *opts)
{
	int i;

	for (i = first; i < argc; i++) {
		const char *a = argv[i], *eq, *val = NULL;
		const struct option *o;

		if (!strcmp(a, "--"))
			return i + 1;
		if (strncmp(a, "--", 2))
			return i;
		a += 2;
		eq = strchr(a, '=');
		o = find(opts, a, eq ? (size_t)(eq - a) : strlen(a));
		if (!o) {
			error("unknown option --%.*s; see --help",
			      eq ? (int)(eq - a) : (int)strlen(a), a);
			return -1;
		}
		if (o->type != OPT_FLAG) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				error("--%s needs %s", o->name, o->arg);
				return -1;
			}
		} else if (eq) {
			error("--%s takes no value", o->name);
			return -1;
		}
		if (set(o, val) < 0)
			return -1;
	}
	return i;
}

void print_options(const struct option *opts)
{
	for (; opts->name; opts++) {
		char lhs[64];

		snprintf(lhs, sizeof(lhs), "--%s%s%s", opts->name, opts->arg ? " " : "",
			 opts->arg ? opts->arg : "");
		printf("  %-24s %s\n", lhs, opts->help);
	}
}
