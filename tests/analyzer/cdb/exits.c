// SPDX-License-Identifier: GPL-2.0
#include "shared.h"

int handle_exit(int reason)
{
	return note_exit(reason);
}

/* clang warns here by default: a TU parsed with Kbuild's -Werror would fail. */
unsigned char exit_mask(void)
{
	return 0x1ff;
}
