/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line options as a table, handled by one parser: --name VALUE or
 * --name=VALUE, repeatable lists, and a help text built from the table.
 */
#ifndef HOTPATH_OPTIONS_H
#define HOTPATH_OPTIONS_H

#include <stddef.h>

enum opt_type { OPT_FLAG, OPT_STRING, OPT_LIST, OPT_UINT };

struct opt_list {
	const char **item;
	size_t n, alloc;
};

struct option {
	const char *name;
	enum opt_type type;
	void *dest;		/* int *, const char **, struct opt_list *, unsigned int * */
	const char *arg;	/* the argument's name in the help */
	const char *help;
};

/* Parses argv[first..]; returns the index of the first operand, or -1. */
int parse_options(int argc, char **argv, int first, const struct option *opts);
void print_options(const struct option *opts);

#endif
