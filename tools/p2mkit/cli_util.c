// SPDX-License-Identifier: BSD-2-Clause
/* Pieces several subcommands share: the MTRR-state option group. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

#include "cli.h"

/* ---- shared MTRR-state options on the option layer -------------------- */

#define MS(field) offsetof(struct cli_mtrr_state, field)

const struct cli_opt cli_mtrr_state_opts[CLI_MTRR_STATE_NOPTS] = {
    {.name = "maxphyaddr",
     .type = CLI_DEC,
     .off = MS(maxphyaddr),
     .min = 32,
     .max = 52,
     .metavar = "N",
     .help = "physical-address width, 32-52 (default 36)"},
    {.name = "vcnt",
     .type = CLI_DEC,
     .off = MS(vcnt),
     .max = P2MK_MTRR_VCNT_MAX,
     .metavar = "N",
     .help = "variable MTRR pairs, 0-40 (default 8)"},
    {.name = "no-fixed",
     .type = CLI_FLAG,
     .off = MS(no_fixed),
     .help = "MTRRcap.FIX = 0: no fixed-range MTRRs"},
    {.name = "no-wc",
     .type = CLI_FLAG,
     .off = MS(no_wc),
     .help = "MTRRcap.WC = 0: WC not supported"},
    {.name = "msr",
     .type = CLI_MSR,
     .off = MS(msrs),
     .flags = CLI_REPEAT,
     .metavar = "0xIDX=0xVAL",
     .help = "a WRMSR, applied in order (repeatable)"},
};

void cli_mtrr_state_init(struct cli_mtrr_state *o)
{
	memset(o, 0, sizeof(*o));
	/* MAXPHYADDR 36: the SDM's value when CPUID leaf 80000008H is
	 * absent; 8 variable pairs, fixed ranges and WC as KVM and Xen expose
	 * to guests. */
	o->maxphyaddr = 36;
	o->vcnt = 8;
}

unsigned cli_mtrr_state_maxphyaddr(const struct cli_mtrr_state *o)
{
	return o->maxphyaddr;
}

int cli_mtrr_state_build(const struct cli_mtrr_state *o,
                         struct p2mk_mtrr_state *s, struct p2mk_gp *gp)
{
	const struct p2mk_mtrr_config cfg = {
	    .vcnt = (uint8_t)o->vcnt,
	    .maxphyaddr = (uint8_t)o->maxphyaddr,
	    .fixed = !o->no_fixed,
	    .wc = !o->no_wc,
	};
	if (p2mk_mtrr_init(s, &cfg) != P2MK_OK)
		return -2;
	for (unsigned i = 0; i < o->msrs.n; i++) {
		if (p2mk_mtrr_wrmsr(s, o->msrs.msr[i], o->msrs.value[i], gp) !=
		    P2MK_OK)
			return (int)i;
	}
	return -1;
}

int cli_mtrr_gp_fail(struct cli_ctx *c, const struct cli_mtrr_state *o, int bad,
                     const struct p2mk_gp *gp)
{
	char e[CLI_ECHO_MAX];
	return cli_fail(c, CLI_EXIT_USAGE, "--msr %s: #GP: %s",
	                cli_echo(o->msrs.text[bad], e), gp->reason);
}

json_t *cli_mtrr_json(const struct p2mk_mtrr_state *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "mtrrcap", rep_hex(s->cap));
	json_object_set_new(o, "def_type", rep_hex(s->def_type));
	json_object_set_new(o, "pat", rep_hex(s->pat));
	json_object_set_new(o, "maxphyaddr", json_integer(s->maxphyaddr));
	json_t *vars = json_array();
	for (unsigned n = 0; n < p2mk_mtrr_vcnt(s); n++) {
		if (!(s->var[n].mask & P2MK_MTRR_MASK_V))
			continue;
		json_t *v = json_object();
		json_object_set_new(v, "index", json_integer(n));
		json_object_set_new(v, "base", rep_hex(s->var[n].base));
		json_object_set_new(v, "mask", rep_hex(s->var[n].mask));
		json_object_set_new(v, "type",
		                    json_string(p2mk_mt_name(
		                        (unsigned)(s->var[n].base & 0xff))));
		json_array_append_new(vars, v);
	}
	json_object_set_new(o, "variable", vars);
	return o;
}
