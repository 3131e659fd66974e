// SPDX-License-Identifier: GPL-2.0
#include "shared.h"

int handle_cpuid(int leaf)
{
	return note_exit(leaf) + note_exit(leaf + 1);
}
