/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotpath calibrate: the cycle cost of the mitigations' call and return
 * sequences on this machine, printed as a CPU profile for the cost model.
 */
#ifndef HOTPATH_CALIBRATE_H
#define HOTPATH_CALIBRATE_H

/* Copies of the sequence in each iteration of a timed loop. */
#define CAL_UNROLL	16

#ifndef __ASSEMBLER__
/*
 * The command, argv[0] being "calibrate": 0 when the profile is printed,
 * 1 when it cannot be measured, 2 on a bad option (after one line each).
 */
int cal_main(int argc, char **argv);
#endif

#endif
