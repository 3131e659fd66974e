// SPDX-License-Identifier: GPL-2.0
/*
 * The objdump -dr text the cost model reads (analyzer/objpath.c): each
 * function's instructions, relocations and shortest path to a return.
 */
#include "fuzz.h"
#include "objpath.h"

FUZZ_QUIET_INIT()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct objpaths op;
	FILE *f = fmemopen((void *)data, size ? size : 1, "r");
	size_t i;

	if (!f)
		return 0;
	if (!size)
		fgetc(f);	/* fmemopen wants a size: an empty input is at EOF */
	op_read_text(f, "arch/x86/kvm/x86.o", &op);
	fclose(f);
	for (i = 0; i < op.nfunc; i++)
		op_find(&op, op.func[i].name);
	op_free(&op);
	return 0;
}
