// SPDX-License-Identifier: BSD-2-Clause
/*
 * The command table: every form p2mkit knows, in the order of the help and
 * README lists.  A new form is one line here (docs/cli.md).
 */
#include "cli.h"

const struct cli_form *const cli_forms[] = {
    &cli_form_combine_intel,
    &cli_form_combine_amd,
    &cli_form_combine_ept,
    &cli_form_combine_npt,
    &cli_form_combine_arm64,
    &cli_form_mtrr_plan,
    NULL,
};
