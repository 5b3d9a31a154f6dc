// SPDX-License-Identifier: BSD-2-Clause
/* Shared parsing and output helpers for the p2mkit CLI. */
#include "cli.h"

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p2mkit/memtype.h>

bool cli_parse_u64(const char *s, uint64_t *out)
{
	if (s == NULL || *s == '\0' || isspace((unsigned char)*s) ||
	    *s == '-' || *s == '+')
		return false;
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)*s))
			return false;
	}
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (errno != 0 || end == s || *end != '\0')
		return false;
	*out = (uint64_t)v;
	return true;
}

bool cli_parse_msr_assign(const char *s, uint32_t *msr, uint64_t *value)
{
	const char *eq = strchr(s, '=');
	if (eq == NULL || eq == s)
		return false;
	char idx[32];
	size_t n = (size_t)(eq - s);
	if (n >= sizeof(idx))
		return false;
	memcpy(idx, s, n);
	idx[n] = '\0';
	uint64_t i = 0, v = 0;
	if (!cli_parse_u64(idx, &i) || i > UINT32_MAX ||
	    !cli_parse_u64(eq + 1, &v))
		return false;
	*msr = (uint32_t)i;
	*value = v;
	return true;
}

bool cli_parse_type(const char *s, unsigned *mt)
{
	return p2mk_mt_parse(s, mt);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "p2mkit %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_USAGE;
}

void cli_print_json(json_t *root)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text != NULL) {
		puts(text);
		free(text);
	}
	json_decref(root);
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

/* ---- shared MTRR options --------------------------------------------- */

#include <p2mkit/mtrr.h>

void cli_mtrr_opts_init(struct cli_mtrr_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->maxphyaddr = 36;
	o->vcnt = 8;
}

int cli_mtrr_opt(const char *cmd, struct cli_mtrr_opts *o, int code,
                 const char *arg)
{
	uint64_t v = 0;
	switch (code) {
	case CLI_OPT_MAXPHYADDR:
		if (!cli_parse_u64(arg, &v) || v < 32 || v > 52)
			return -cli_usage_error(
			    cmd,
			    "--maxphyaddr wants a number from 32 to 52, "
			    "got '%s'",
			    arg);
		o->maxphyaddr = (unsigned)v;
		return 1;
	case CLI_OPT_VCNT:
		if (!cli_parse_u64(arg, &v) || v > P2MK_MTRR_VCNT_MAX)
			return -cli_usage_error(
			    cmd, "--vcnt wants a number from 0 to 40, got '%s'",
			    arg);
		o->vcnt = (unsigned)v;
		return 1;
	case CLI_OPT_NO_FIXED:
		o->no_fixed = true;
		return 1;
	case CLI_OPT_NO_WC:
		o->no_wc = true;
		return 1;
	case CLI_OPT_MSR:
		if (o->nmsr == CLI_MSR_MAX)
			return -cli_usage_error(cmd, "at most %d --msr options",
			                        CLI_MSR_MAX);
		if (!cli_parse_msr_assign(arg, &o->msr[o->nmsr],
		                          &o->value[o->nmsr]))
			return -cli_usage_error(
			    cmd,
			    "--msr wants INDEX=VALUE (e.g. 0x2ff=0xc06), "
			    "got '%s'",
			    arg);
		o->text[o->nmsr++] = arg;
		return 1;
	default:
		return 0;
	}
}

int cli_mtrr_build(const struct cli_mtrr_opts *o, struct p2mk_mtrr_state *s,
                   struct p2mk_gp *gp)
{
	const struct p2mk_mtrr_config cfg = {
	    .vcnt = (uint8_t)o->vcnt,
	    .maxphyaddr = (uint8_t)o->maxphyaddr,
	    .fixed = !o->no_fixed,
	    .wc = !o->no_wc,
	};
	if (p2mk_mtrr_init(s, &cfg) != P2MK_OK)
		return -2;
	for (unsigned i = 0; i < o->nmsr; i++) {
		if (p2mk_mtrr_wrmsr(s, o->msr[i], o->value[i], gp) != P2MK_OK)
			return (int)i;
	}
	return -1;
}

json_t *cli_json_hex(uint64_t v)
{
	return json_sprintf("0x%llx", (unsigned long long)v);
}

json_t *cli_mtrr_json(const struct p2mk_mtrr_state *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "mtrrcap", cli_json_hex(s->cap));
	json_object_set_new(o, "def_type", cli_json_hex(s->def_type));
	json_object_set_new(o, "pat", cli_json_hex(s->pat));
	json_object_set_new(o, "maxphyaddr", json_integer(s->maxphyaddr));
	json_t *vars = json_array();
	for (unsigned n = 0; n < p2mk_mtrr_vcnt(s); n++) {
		if (!(s->var[n].mask & P2MK_MTRR_MASK_V))
			continue;
		json_t *v = json_object();
		json_object_set_new(v, "index", json_integer(n));
		json_object_set_new(v, "base", cli_json_hex(s->var[n].base));
		json_object_set_new(v, "mask", cli_json_hex(s->var[n].mask));
		json_object_set_new(v, "type",
		                    json_string(p2mk_mt_name(
		                        (unsigned)(s->var[n].base & 0xff))));
		json_array_append_new(vars, v);
	}
	json_object_set_new(o, "variable", vars);
	return o;
}

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
