// SPDX-License-Identifier: GPL-2.0
/* Does not compile: the analyzer reports it and goes on with the rest. */
int handle_broken(int x)
{
	return x +;
}
