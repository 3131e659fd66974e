/* SPDX-License-Identifier: GPL-2.0 */
/* An inline helper both TUs include: one function, one call, in the graph. */
int count_exit(int reason);

static inline int note_exit(int reason)
{
	return count_exit(reason);
}
