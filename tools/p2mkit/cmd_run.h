/* SPDX-License-Identifier: BSD-2-Clause */
/* p2mkit run: the pieces cmd_run*.c share (not a public interface). */
#ifndef P2MKIT_CMD_RUN_H
#define P2MKIT_CMD_RUN_H

#include <jansson.h>
#include <stdio.h>

#include "cli.h"
#include "scenario/scenario.h"
#include "sim/sim.h"

#define RUN_SCHEMA "p2mkit-run/1"

/** run_result_json() - one policy's result object of the record. */
json_t *run_result_json(const struct p2mk_sim_result *r);

/** run_record() - the whole "p2mkit-run/1" record for @n results. */
json_t *run_record(const struct p2mk_scenario *s, const char *file,
                   const struct p2mk_sim_result *res, size_t n);

/** run_text() - the human summary of @rec (reads only the record). */
void run_text(FILE *out, const json_t *rec);

/**
 * run_set_policies() - replace @s's policy list with the comma list @list
 * (names checked; @list is split in place and must outlive @s's use).
 * Returns 0 or 2 after a usage message.
 */
int run_set_policies(struct p2mk_scenario *s, char *list);

/** run_sweep() - the cross product of @sets, JSON Lines on stdout. */
int run_sweep(const char *file, char **sets, size_t nsets, const char *compare);

/** run_print_line() - one result as a compact one-line record with "set". */
void run_print_line(const struct p2mk_scenario *s, const char *file,
                    const struct p2mk_sc_set *set, size_t n,
                    const struct p2mk_sim_result *r);

/** run_from_capture() - write a scenario skeleton from a capture tree. */
int run_from_capture(const char *dir, const char *out);

/** run_hint() - how to run the other case studies. */
void run_hint(FILE *out, const char *const *names, size_t n);

#endif /* P2MKIT_CMD_RUN_H */
