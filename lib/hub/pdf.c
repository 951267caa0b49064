/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pdf.c - the PDF writer of the hub's reports (pdf.h).
 */
#include "pdf.h"
