// SPDX-License-Identifier: GPL-2.0
int start_kernel(void)
{
	return 0;
}
