// SPDX-License-Identifier: GPL-2.0
/*
 * Diagnostics, checked allocation, growable arrays and a string pool.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

const char *progname = "hotpath";
bool diag_silent;

static void vmessage(const char *prefix, const char *fmt, va_list ap)
{
	if (diag_silent)
		return;
	fprintf(stderr, "%s: %s", progname, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
	exit(1);
}

void error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

void warning_at(const char *file, unsigned int line, unsigned int col,
		const char *fmt, ...)
{
	va_list ap;

	if (diag_silent)
		return;
	fprintf(stderr, "%s:%u:%u: warning: ", file, line, col);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		die("out of memory (%zu bytes)", size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		die("out of memory (%zu bytes)", size);
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("bad format '%s'", fmt);
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

void grow(void **array, size_t *alloc, size_t n, size_t elem)
{
	size_t want = *alloc ? *alloc : 16;

	if (n <= *alloc)
		return;
	while (want < n)
		want *= 2;
	*array = xrealloc(*array, want * elem);
	*alloc = want;
}

/* FNV-1a: short strings, no adversary. */
static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h;
}

static void rehash(struct strpool *pool)
{
	size_t n = pool->nslots ? pool->nslots * 2 : 1024, i;
	const char **slot = xcalloc(n, sizeof(*slot));

	for (i = 0; i < pool->nslots; i++) {
		const char *s = pool->slot[i];
		size_t j;

		if (!s)
			continue;
		for (j = hash(s) & (n - 1); slot[j]; j = (j + 1) & (n - 1))
			;
		slot[j] = s;
	}
	free(pool->slot);
	pool->slot = slot;
	pool->nslots = n;
}

const char *intern(struct strpool *pool, const char *s)
{
	size_t i;

	if (!s)
		return NULL;
	if (2 * (pool->used + 1) > pool->nslots)
		rehash(pool);
	for (i = hash(s) & (pool->nslots - 1); pool->slot[i];
	     i = (i + 1) & (pool->nslots - 1)) {
		if (!strcmp(pool->slot[i], s))
			return pool->slot[i];
	}
	pool->slot[i] = xstrdup(s);
	pool->used++;
	return pool->slot[i];
}

void strpool_free(struct strpool *pool)
{
	size_t i;

	for (i = 0; i < pool->nslots; i++)
		free((void *)pool->slot[i]);
	free(pool->slot);
	pool->slot = NULL;
	pool->nslots = pool->used = 0;
}

/*
 * PATH's contents in TMP, beside it: 0, or -1 after one line naming PATH
 * and why (TMP removed).
 */
static int write_tmp(const char *path, const char *tmp, void (*fill)(const void *arg, FILE *out),
		     const void *arg)
{
	FILE *out = fopen(tmp, "w");
	int ok, err;

	if (!out) {
		error("%s: cannot write it (%s); give a folder that exists and is writable",
		      path, strerror(errno));
		return -1;
	}
	fill(arg, out);
	ok = !ferror(out);
	err = 0;
	if (!ok) {
		/* A write failed inside fill(); one more, to learn why. */
		clearerr(out);
		errno = 0;
		fputc('\n', out);
		fflush(out);
		err = errno;
	}
	if (fclose(out) && ok) {
		ok = 0;
		err = errno;
	}
	if (!ok) {
		/* The folder keeps what it had: no half-written file, no temporary. */
		error("%s: writing it failed (%s); it was left as it was", path,
		      err ? strerror(err) : "an I/O error");
		unlink(tmp);
		return -1;
	}
	return 0;
}

int write_atomic_set(const struct atomic_file *f, size_t n)
{
	char **tmp = xcalloc(n + 1, sizeof(*tmp));
	sigset_t stop, old;
	size_t i, done = 0;
	int ret = -1;

	/*
	 * The signals that end a run are held back from the first temporary
	 * file to the last rename (a second or so), so an interrupt leaves the
	 * old set or the new one, neither a mix nor temporaries.
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	sigprocmask(SIG_BLOCK, &stop, &old);
	for (i = 0; i < n; i++) {
		if (!strcmp(f[i].path, "-")) {
			f[i].fill(f[i].arg, stdout);
			if (fflush(stdout))
				goto out;
			continue;
		}
		tmp[i] = xasprintf("%s.tmp.%ld", f[i].path, (long)getpid());
		if (write_tmp(f[i].path, tmp[i], f[i].fill, f[i].arg)) {
			free(tmp[i]);
			tmp[i] = NULL;
			goto out;
		}
	}
	for (done = 0; done < n; done++) {
		if (tmp[done] && rename(tmp[done], f[done].path)) {
			error("%s: writing it failed (%s); it was left as it was", f[done].path,
			      strerror(errno));
			break;
		}
	}
	ret = done == n ? 0 : -1;
out:
	for (i = done; i < n; i++) {
		if (tmp[i])
			unlink(tmp[i]);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	for (i = 0; i < n; i++)
		free(tmp[i]);
	free(tmp);
	return ret;
}

int write_atomic(const char *path, void (*fill)(const void *arg, FILE *out), const void *arg)
{
	struct atomic_file f = { path, fill, arg };

	return write_atomic_set(&f, 1);
}

bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	if (!n)
		return false;
	for (p = list; (p = strstr(p, word)); p += n) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	}
	return false;
}

int read_first_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return -1;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int cpuinfo_read(const char *path, struct cpuinfo *ci)
{
	char *line = NULL, *v;
	size_t alloc = 0;
	FILE *f;

	memset(ci, 0, sizeof(*ci));
	ci->family = ci->model = ci->stepping = -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	/* getline: a flags line runs past 2000 bytes. */
	while (getline(&line, &alloc, f) > 0 && line[0] != '\n') {
		line[strcspn(line, "\n")] = '\0';
		v = strchr(line, ':');
		if (!v)
			continue;
		for (v++; *v == ' '; v++)
			;
		if (!strncmp(line, "vendor_id", 9))
			snprintf(ci->vendor_id, sizeof(ci->vendor_id), "%s", v);
		else if (!strncmp(line, "model name", 10))
			snprintf(ci->model_name, sizeof(ci->model_name), "%s", v);
		else if (!strncmp(line, "microcode", 9))
			snprintf(ci->microcode, sizeof(ci->microcode), "%s", v);
		else if (!strncmp(line, "cpu family", 10))
			ci->family = (int)strtol(v, NULL, 10);
		else if (!strncmp(line, "model\t", 6))
			ci->model = (int)strtol(v, NULL, 10);
		else if (!strncmp(line, "stepping", 8))
			ci->stepping = (int)strtol(v, NULL, 10);
		else if (!strncmp(line, "flags", 5)) {
			ci->has_flags = true;
			ci->vmx = has_word(v, "vmx");
			ci->svm = has_word(v, "svm");
			ci->hypervisor = has_word(v, "hypervisor");
			ci->ibt = has_word(v, "ibt");
		}
	}
	free(line);
	fclose(f);
	return 0;
}
