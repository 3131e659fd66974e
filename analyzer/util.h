/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diagnostics, checked allocation and growable arrays shared by the
 * analyzer.  Messages follow gcc's "file:line:col: warning: msg" form.
 */
#ifndef HOTPATH_UTIL_H
#define HOTPATH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define __printf(a, b)	__attribute__((format(printf, a, b)))

extern const char *progname;
/* Set by the fuzz harnesses (tests/fuzz/): error() and warning_at() print nothing. */
extern bool diag_silent;

void die(const char *fmt, ...) __printf(1, 2) __attribute__((noreturn));
void error(const char *fmt, ...) __printf(1, 2);
void warning_at(const char *file, unsigned int line, unsigned int col,
		const char *fmt, ...) __printf(4, 5);

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __printf(1, 2);

/* A line getline() read holds a NUL byte: text it is not, whatever strlen() says. */
static inline bool line_has_nul(const char *line, long len)
{
	return len > 0 && memchr(line, '\0', (size_t)len) != NULL;
}

/* qsort() of n elements; fewer than two (base may then be NULL) are sorted. */
static inline void xqsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

/* Grow *array (of *alloc elements of size elem) to hold at least n. */
void grow(void **array, size_t *alloc, size_t n, size_t elem);
#define GROW(array, alloc, n) \
	grow((void **)&(array), &(alloc), (n), sizeof(*(array)))

/*
 * PATH written by fill(arg, out) into a temporary file beside it and renamed
 * into place, so no half-written PATH is ever left; "-" writes to stdout.
 * 0, or -1 after one line naming PATH.
 */
int write_atomic(const char *path, void (*fill)(const void *arg, FILE *out), const void *arg);

/*
 * N files written as a set: each into a temporary file beside it, then all
 * renamed into place, with SIGINT, SIGTERM, SIGHUP and SIGQUIT held back
 * meanwhile, so an interrupted run leaves the old set or the new one, never
 * a mix or a temporary file.  0, or -1 after one line naming the file (the
 * set left as it was, unless a rename itself failed).  write_atomic() is a
 * set of one.
 */
struct atomic_file {
	const char *path;
	void (*fill)(const void *arg, FILE *out);
	const void *arg;
};

int write_atomic_set(const struct atomic_file *f, size_t n);

/* Whether the space-separated LIST has WORD (a /proc/cpuinfo flags line). */
bool has_word(const char *list, const char *word);

/*
 * The first line of PATH (a sysfs or procfs file), without its newline,
 * in BUF: 0, or -1 when it cannot be opened (BUF then empty).
 */
int read_first_line(const char *path, char *buf, size_t size);

/* The first processor of a /proc/cpuinfo, or of a copy of one. */
struct cpuinfo {
	char vendor_id[64], model_name[256], microcode[64];
	int family, model, stepping;	/* -1: no such line */
	bool has_flags, vmx, svm, hypervisor, ibt;
};

/* 0, or -1 when PATH cannot be read (errno says why; *CI still filled in). */
int cpuinfo_read(const char *path, struct cpuinfo *ci);

/* Interned strings: equal strings share one pointer, owned by the pool. */
struct strpool {
	const char **slot;
	size_t nslots, used;
};

const char *intern(struct strpool *pool, const char *s);
void strpool_free(struct strpool *pool);

#endif
