// SPDX-License-Identifier: BSD-2-Clause
/*
 * The command table: every form p2mkit knows, in the order of the help and
 * README lists.  A new form is one line here (docs/cli.md).
 */
#include "cli.h"

const struct cli_form *const cli_forms[] = {
    &cli_form_run,
    &cli_form_run_sweep,
    &cli_form_run_capture,
    &cli_form_explain,
    &cli_form_explain_amd,
    &cli_form_explain_arm64,
    &cli_form_explain_policy,
    &cli_form_explain_example,
    &cli_form_combine_intel,
    &cli_form_combine_amd,
    &cli_form_combine_ept,
    &cli_form_combine_npt,
    &cli_form_combine_arm64,
    &cli_form_mtrr_lookup,
    &cli_form_mtrr_plan,
    &cli_form_msr_check,
    &cli_form_host,
    &cli_form_bench_pt,
    &cli_form_bench_physmap,
    &cli_form_bench_run,
    &cli_form_layout,
    NULL,
};
