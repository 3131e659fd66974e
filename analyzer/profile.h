/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A CPU profile (analyzer/profiles/NAME.profile, or hotpath calibrate's
 * output): the cycles each call and return sequence costs on that CPU, and
 * the mitigations Linux picks there by default, per kernel version.
 */
#ifndef HOTPATH_PROFILE_H
#define HOTPATH_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

enum prof_key {
	P_CALL,			/* direct call + ret */
	P_INDIRECT,		/* predicted call *%reg + ret */
	P_RETPOLINE,		/* through the generic retpoline + ret */
	P_RETPOLINE_LFENCE,	/* lfence; call *%reg + ret */
	P_ITS,			/* through an ITS aligned thunk + ret */
	P_RETURN_THUNK,		/* extra per return: jmp to a plain return thunk */
	P_SRSO_SAFE_RET,	/* extra per return: srso_return_thunk */
	P_SRSO_ALIAS,		/* extra per return: srso_alias_return_thunk */
	P_CALL_DEPTH,		/* extra per call+return: call depth tracking */
	P_KCFI,			/* extra per indirect call: kCFI check */
	P_FINEIBT,		/* extra per indirect call: FineIBT */
	P_IPC,			/* instructions per cycle of straight-line kernel code */
	P_GUARD,		/* the unlikely(enable_pmu) check itself */
	P_CPUID_EXIT,		/* a CPUID exit round trip */
	P_NKEYS,
};

enum mit_indirect { IND_PLAIN, IND_RETPOLINE, IND_RETPOLINE_LFENCE, IND_ITS };
enum mit_return { RET_PLAIN, RET_THUNK, RET_SRSO_SAFE_RET, RET_SRSO_ALIAS, RET_CALL_DEPTH };
enum mit_cfi { CFI_KCFI, CFI_FINEIBT };

/* "defaults 6.12 indirect=retpoline return=srso_safe_ret cfi=kcfi  # why" */
struct prof_defaults {
	unsigned int major, minor;
	enum mit_indirect indirect;
	enum mit_return ret;
	enum mit_cfi cfi;
	char *source;
};

/* "models 0x19 0x10-0x1f,0x60-0x7f": the CPUs a profile describes. */
struct prof_models {
	unsigned int family, first, last;
};

struct profile {
	char *path, *name, *cpu, *vendor;
	char *features;		/* CPUID features it has, /proc/cpuinfo names, or NULL */
	struct prof_models *models;
	size_t nmodels, amodels;
	double cost[P_NKEYS];
	char *source[P_NKEYS];	/* the comment after each number */
	struct prof_defaults *def;	/* by version, ascending */
	size_t ndef, adef;
};

/* 0, or -1 after one line "FILE:LINE: what is wrong; how to fix it". */
int prof_read(const char *path, struct profile *p);
void prof_free(struct profile *p);
/* The defaults for a kernel version: the last line at or below it. */
const struct prof_defaults *prof_defaults(const struct profile *p, unsigned int major,
					  unsigned int minor);
const char *prof_key_name(enum prof_key key);
/* Whether the profile's models lines cover this CPU (vendor amd or intel). */
bool prof_covers(const struct profile *p, const char *vendor, unsigned int family,
		 unsigned int model);
const char *mit_indirect_name(enum mit_indirect m);
const char *mit_return_name(enum mit_return m);
const char *mit_cfi_name(enum mit_cfi m);

#endif
