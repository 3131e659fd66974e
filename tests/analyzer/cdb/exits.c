// SPDX-License-Identifier: GPL-2.0
#include "shared.h"

int handle_exit(int reason)
{
	return note_exit(reason);
}
