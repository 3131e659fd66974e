/* SPDX-License-Identifier: GPL-2.0 */
extern bool enable_pmu;
