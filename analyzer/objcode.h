/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KVM objects of a kernel build, as the compiler emitted them: which
 * they are (Kbuild's arch/x86/kvm/NAME.mod lists) and objdump's view of
 * each, read through a pipe.
 */
#ifndef HOTPATH_OBJCODE_H
#define HOTPATH_OBJCODE_H

#include <stdio.h>
#include <sys/types.h>

struct oc_module {
	char *module;		/* "arch/x86/kvm/kvm-amd.o" */
	char **obj;		/* its objects, relative to the build */
	size_t nobj;
};

/* The KVM modules, sorted; -1 after one line naming the folder. */
int oc_modules(const char *build, struct oc_module **mods, size_t *nmods);
void oc_modules_free(struct oc_module *mods, size_t nmods);

struct oc_pipe {
	FILE *f;
	pid_t pid;
	char *path;
};

/* objdump OPTION --no-show-raw-insn BUILD/OBJ; -1 if OBJ is missing. */
int oc_objdump(const char *build, const char *option, const char *obj, struct oc_pipe *p);
/* 0 when objdump exited 0; else one line naming the object. */
int oc_close(struct oc_pipe *p);

/*
 * The length of the prefixes objdump prints before a mnemonic, with their
 * blanks: "cs call __x86_indirect_thunk_r11" (the thunk call's padding),
 * "lock", "rep"...
 */
size_t oc_prefix_len(const char *insn);

#endif
