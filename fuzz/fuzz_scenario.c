// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the scenario reader: the input is parsed as a whole
 * scenario (with one --set override) and as a vm-only file.  Invariants:
 * no crash or leak; a rejected input always gets a message of the form
 * "in.yaml:LINE:COLUMN: ..." with LINE and COLUMN >= 1; an accepted one
 * has at least one event and a known policy.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "scenario/scenario_vm.h"

static void check_message(const char *err)
{
	unsigned line = 0, col = 0;
	int used = 0;
	if (strncmp(err, "in.yaml:", 8) != 0 ||
	    sscanf(err + 8, "%u:%u: %n", &line, &col, &used) != 2 ||
	    used == 0 || line == 0 || col == 0 || err[8 + used] == '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct p2mk_sc_set set = {"hypervisor.recalc", "exact"};
	/* Reused, filled as ASan fills a fresh block: per-input heap blocks
	 * of 9 KiB only cycled the quarantine; globals keep their redzones. */
	static struct p2mk_scenario scenario;
	static struct p2mk_layout_input input;
	struct p2mk_scenario *s = &scenario;
	struct p2mk_layout_input *in = &input;
	char err[1024];
	memset(s, 0xbe, sizeof(*s));
	memset(in, 0xbe, sizeof(*in));
	if (p2mk_scenario_load_buf(s, "in.yaml", data, size, &set, 1)) {
		if (s->nevents == 0 || s->hyp.npolicies == 0)
			abort();
	} else {
		check_message(s->y.err);
	}
	p2mk_scenario_free(s);
	if (!p2mk_scenario_parse_vm_buf("in.yaml", data, size, in, err,
	                                sizeof(err)))
		check_message(err);
	return 0;
}
