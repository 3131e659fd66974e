/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-hotpath's one version: hotpath --version prints it and every report
 * names it, so a report says which tool (and so which model) wrote it.
 */
#ifndef HOTPATH_VERSION_H
#define HOTPATH_VERSION_H

#define HOTPATH_VERSION	"0.13.0"
#define HOTPATH_TOOL	"kvm-hotpath " HOTPATH_VERSION

#endif
