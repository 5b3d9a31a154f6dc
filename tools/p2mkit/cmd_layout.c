// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit layout FILE [--mode hvmloader|improved|ovmf] [--json] [--svg OUT]:
 * the firmware's memory map before boot (docs/layout.md).  FILE is a
 * scenario or a file with only its `vm:` section (docs/scenario-format.md),
 * read by the one scenario reader.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <p2mkit/layout.h>
#include <p2mkit/memtype.h>

#include "cli.h"
#include "report/svg_map.h"
#include "scenario/scenario_vm.h"

struct layout_args {
	const char *file;
	const char *svg;
	unsigned mode;
};
#define ARG(f) offsetof(struct layout_args, f)

static const struct cli_choice mode_names[] = {
    {"hvmloader", P2MK_LAYOUT_HVMLOADER},
    {"improved", P2MK_LAYOUT_IMPROVED},
    {"ovmf", P2MK_LAYOUT_OVMF},
    {NULL, 0}};

static const struct cli_opt layout_opts[] = {
    {.name = NULL,
     .type = CLI_STRING,
     .off = ARG(file),
     .flags = CLI_POS | CLI_REQUIRED,
     .metavar = "FILE",
     .help = "a scenario, or a file with only its vm: section"},
    {.name = "mode",
     .type = CLI_CHOICE,
     .off = ARG(mode),
     .choices = mode_names,
     .metavar = "MODE",
     .help = "hvmloader, improved or ovmf (default: vm.firmware.planner)"},
    {.name = "svg",
     .type = CLI_STRING,
     .off = ARG(svg),
     .metavar = "OUT.svg",
     .help = "also write the memory map as SVG to OUT.svg"},
};

static const struct cli_group layout_groups[] = {CLI_GROUP(layout_opts, 0),
                                                 {NULL, 0, 0}};

/* Both planners' outputs are large: kept out of the stack. */
static struct p2mk_layout_input g_in;
static struct p2mk_layout_output g_out, g_ref;

static json_t *bdf_json(const struct p2mk_layout_input *in, int dev)
{
	char b[16];
	if (dev < 0)
		return json_null();
	p2mk_format_bdf(in->devs[dev].devfn, b, sizeof(b));
	return json_string(b);
}

static json_t *window_json(const struct p2mk_layout_window *w)
{
	if (!w->present)
		return json_null();
	uint64_t s = p2mk_gfn_to_gpa(w->first).v;
	return json_pack("{s:o,s:o}", "start", rep_hex(s), "end",
	                 rep_hex(s + p2mk_gfn_to_gpa(p2mk_gfn(w->pages)).v));
}

static json_t *bar_json(const struct p2mk_layout_input *in,
                        const struct p2mk_layout_bar_result *r)
{
	json_t *addr = !r->placed               ? json_null()
	               : r->kind == P2MK_BAR_IO ? rep_hex(r->port)
	                                        : rep_hex(r->addr.v);
	return json_pack("{s:o,s:i,s:s,s:o,s:o,s:s,s:o}", "bdf",
	                 bdf_json(in, r->dev), "index", r->index, "kind",
	                 p2mk_bar_kind_name(r->kind), "size", rep_hex(r->size),
	                 "addr", addr, "reason",
	                 p2mk_bar_reason_name(r->reason), "type",
	                 r->placed && r->kind != P2MK_BAR_IO
	                     ? json_string(p2mk_mt_name(r->type))
	                     : json_null());
}

static json_t *bars_json(const struct p2mk_layout_input *in,
                         const struct p2mk_layout_output *out)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < out->nbars; i++)
		json_array_append_new(a, bar_json(in, &out->bars[i]));
	return a;
}

static json_t *lists_json(const struct p2mk_layout_output *out, json_t *rec)
{
	json_t *rel = json_array(), *wr = json_array(), *e820 = json_array();
	for (unsigned i = 0; i < out->nrelocs; i++)
		json_array_append_new(
		    rel, json_pack("{s:o,s:o,s:I}", "src_gfn",
		                   rep_hex(out->relocs[i].src.v), "dst_gfn",
		                   rep_hex(out->relocs[i].dst.v), "pages",
		                   (json_int_t)out->relocs[i].pages));
	for (unsigned i = 0; i < out->nwrites; i++)
		json_array_append_new(
		    wr,
		    json_pack("{s:o,s:o}", "msr", rep_hex(out->writes[i].msr),
		              "value", rep_hex(out->writes[i].value)));
	for (unsigned i = 0; i < out->ne820; i++) {
		const struct p2mk_layout_e820 *e = &out->e820[i];
		json_array_append_new(
		    e820,
		    json_pack("{s:o,s:o,s:s}", "start", rep_hex(e->start.v),
		              "end", rep_hex(e->start.v + e->size), "type",
		              p2mk_e820_type_name(e->type)));
	}
	json_object_set_new(rec, "relocations", rel);
	json_object_set_new(rec, "mtrr_writes", wr);
	json_object_set_new(rec, "vcnt_used", json_integer(out->vcnt_used));
	if (out->mode == P2MK_LAYOUT_IMPROVED)
		json_object_set_new(
		    rec, "mtrr_budget",
		    json_pack("{s:i,s:i}", "pairs", out->mtrr_budget,
		              "wb_bars_left_uc", out->wb_left_uc));
	json_object_set_new(rec, "e820", e820);
	return rec;
}

static json_t *findings_json(const struct p2mk_layout_input *in,
                             const struct p2mk_layout_output *out)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < out->nfindings; i++) {
		const struct p2mk_layout_finding *f = &out->findings[i];
		json_array_append_new(
		    a, json_pack(
		           "{s:s,s:o,s:o,s:o,s:o,s:s}", "id",
		           p2mk_layout_finding_id(f->kind), "bdf",
		           bdf_json(in, f->dev), "bar",
		           f->bar < 0 ? json_null() : json_integer(f->bar),
		           "addr", rep_hex(f->addr.v), "size", rep_hex(f->size),
		           "text", p2mk_layout_finding_text(f->kind)));
	}
	return a;
}

static json_t *devices_json(const struct p2mk_layout_input *in,
                            const struct p2mk_layout_output *out)
{
	json_t *a = json_array();
	for (unsigned d = 0; d < in->ndevs; d++)
		json_array_append_new(
		    a, json_pack(
		           "{s:o,s:i,s:o,s:o}", "bdf", bdf_json(in, (int)d),
		           "int_pin", in->devs[d].int_pin, "irq",
		           in->devs[d].int_pin ? json_integer(out->devs[d].irq)
		                               : json_null(),
		           "command", rep_hex(out->devs[d].command)));
	return a;
}

/* The record of one planner's output. */
static json_t *layout_json(const struct p2mk_layout_input *in,
                           const struct p2mk_layout_output *out)
{
	json_t *rec = json_object();
	json_object_set_new(rec, "mode",
	                    json_string(p2mk_layout_mode_name(out->mode)));
	json_object_set_new(rec, "bars", bars_json(in, out));
	json_object_set_new(rec, "low_mmio", window_json(&out->low_mmio));
	json_object_set_new(rec, "high_mmio", window_json(&out->high_mmio));
	json_object_set_new(rec, "low_ram_end",
	                    rep_hex(p2mk_gfn_to_gpa(out->low_ram_end).v));
	json_object_set_new(rec, "high_ram_end",
	                    out->high_ram_end.v
	                        ? rep_hex(p2mk_gfn_to_gpa(out->high_ram_end).v)
	                        : json_null());
	lists_json(out, rec);
	json_object_set_new(rec, "devices", devices_json(in, out));
	json_object_set_new(rec, "findings", findings_json(in, out));
	json_object_set_new(rec, "error",
	                    out->error ? json_string(out->error) : json_null());
	return rec;
}

static unsigned count_placed(const struct p2mk_layout_output *out)
{
	unsigned n = 0;
	for (unsigned i = 0; i < out->nbars; i++)
		n += out->bars[i].placed;
	return n;
}

static json_t *summary_json(const struct p2mk_layout_output *out)
{
	uint64_t pages = 0;
	for (unsigned i = 0; i < out->nrelocs; i++)
		pages += out->relocs[i].pages;
	return json_pack("{s:i,s:i,s:i,s:I,s:o}", "vcnt_used", out->vcnt_used,
	                 "bars_placed", count_placed(out), "relocation_calls",
	                 out->nrelocs, "relocated_pages", (json_int_t)pages,
	                 "error",
	                 out->error ? json_string(out->error) : json_null());
}

/* improved vs hvmloader on the same input: totals and every BAR whose
 * address or intended type differs. */
static json_t *differences_json(const struct p2mk_layout_input *in,
                                const struct p2mk_layout_output *imp,
                                const struct p2mk_layout_output *hvm)
{
	json_t *bars = json_array();
	for (unsigned i = 0; i < imp->nbars; i++) {
		const struct p2mk_layout_bar_result *a = &hvm->bars[i],
		                                    *b = &imp->bars[i];
		if (a->placed == b->placed && a->addr.v == b->addr.v &&
		    a->port == b->port && a->type == b->type)
			continue;
		json_array_append_new(
		    bars,
		    json_pack("{s:o,s:i,s:o,s:o}", "bdf", bdf_json(in, b->dev),
		              "index", b->index, "hvmloader", bar_json(in, a),
		              "improved", bar_json(in, b)));
	}
	return json_pack("{s:o,s:o,s:o}", "hvmloader", summary_json(hvm),
	                 "improved", summary_json(imp), "bars", bars);
}

static int layout_run(struct cli_ctx *c, void *argp)
{
	const struct layout_args *a = argp;
	char err[1200];
	if (!p2mk_scenario_parse_vm_file(a->file, &g_in, err, sizeof(err)))
		return cli_fail(c, CLI_EXIT_USAGE, "%s", err);
	enum p2mk_layout_mode mode = cli_given(c, "mode")
	                                 ? (enum p2mk_layout_mode)a->mode
	                                 : g_in.fw.planner;
	if (p2mk_layout_run(&g_in, mode, &g_out) != P2MK_OK)
		return cli_fail(
		    c, CLI_EXIT_USAGE,
		    "%s: the vm section is not a layout a PCI bus can "
		    "have (BAR sizes are powers of two, mem64 BARs at "
		    "index 0-4, the ROM at index 6, one device per "
		    "bdf, reserved regions below 2^maxphyaddr)",
		    a->file);
	json_t *rec = layout_json(&g_in, &g_out);
	if (mode == P2MK_LAYOUT_IMPROVED &&
	    p2mk_layout_run(&g_in, P2MK_LAYOUT_HVMLOADER, &g_ref) == P2MK_OK)
		json_object_set_new(rec, "differences",
		                    differences_json(&g_in, &g_out, &g_ref));
	cli_record(c, rec);
	if (a->svg != NULL) {
		FILE *f = fopen(a->svg, "w");
		int e = f ? svg_map_write(f, &g_in, &g_out, a->file) : errno;
		if (f != NULL && fclose(f) != 0 && e == 0)
			e = errno;
		if (e != 0)
			return cli_fail(c, CLI_EXIT_FAIL, "cannot write %s: %s",
			                a->svg, strerror(e));
	}
	return g_out.error ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static void text_bars(struct rep_out *o, const json_t *rec)
{
	size_t i;
	const json_t *b;
	for (i = 0; i < json_array_size(rep_get(rec, "bars")) &&
	            (b = json_array_get(rep_get(rec, "bars"), i)) != NULL;
	     i++) {
		rep_printf(o, "  ");
		rep_clean(o, rep_str(b, "bdf"));
		rep_printf(o, " BAR%-2lld %-5s %-12s %-18s %-3s %s\n",
		           rep_int(b, "index"), rep_str(b, "kind"),
		           rep_str(b, "size"),
		           rep_has(b, "addr") && rep_str(b, "addr")[0]
		               ? rep_str(b, "addr")
		               : "-",
		           rep_str(b, "type")[0] ? rep_str(b, "type") : "",
		           rep_str(b, "reason"));
	}
}

static void text_window(struct rep_out *o, const char *name, const json_t *w)
{
	if (w == NULL || !json_is_object(w))
		rep_printf(o, "%s: none\n", name);
	else
		rep_printf(o, "%s: [%s, %s)\n", name, rep_str(w, "start"),
		           rep_str(w, "end"));
}

static void layout_text(struct rep_out *o, const json_t *rec)
{
	size_t i;
	const json_t *x;
	rep_printf(o, "mode %s\n", rep_str(rec, "mode"));
	if (rep_str(rec, "error")[0])
		rep_printf(o, "error: %s\n", rep_str(rec, "error"));
	text_window(o, "low MMIO", rep_get(rec, "low_mmio"));
	text_window(o, "64-bit MMIO", rep_get(rec, "high_mmio"));
	rep_printf(o, "BARs:\n");
	text_bars(o, rec);
	rep_printf(o, "relocations: %zu calls\n",
	           json_array_size(rep_get(rec, "relocations")));
	for (i = 0;
	     i < json_array_size(rep_get(rec, "relocations")) &&
	     (x = json_array_get(rep_get(rec, "relocations"), i)) != NULL;
	     i++)
		rep_printf(o, "  gfn %s -> %s, %lld pages\n",
		           rep_str(x, "src_gfn"), rep_str(x, "dst_gfn"),
		           rep_int(x, "pages"));
	rep_printf(o, "E820:\n");
	for (i = 0; i < json_array_size(rep_get(rec, "e820")) &&
	            (x = json_array_get(rep_get(rec, "e820"), i)) != NULL;
	     i++)
		rep_printf(o, "  [%s, %s) %s\n", rep_str(x, "start"),
		           rep_str(x, "end"), rep_str(x, "type"));
	rep_printf(o, "MTRR writes (%lld variable pairs",
	           rep_int(rec, "vcnt_used"));
	const json_t *bu = rep_get(rec, "mtrr_budget");
	if (bu != NULL)
		rep_printf(o, "; budget %lld, %lld WB-wanted BARs left UC",
		           rep_int(bu, "pairs"),
		           rep_int(bu, "wb_bars_left_uc"));
	rep_printf(o, "):\n");
	for (i = 0;
	     i < json_array_size(rep_get(rec, "mtrr_writes")) &&
	     (x = json_array_get(rep_get(rec, "mtrr_writes"), i)) != NULL;
	     i++)
		rep_printf(o, "  wrmsr %s %s\n", rep_str(x, "msr"),
		           rep_str(x, "value"));
	rep_printf(o, "findings:\n");
	for (i = 0; i < json_array_size(rep_get(rec, "findings")) &&
	            (x = json_array_get(rep_get(rec, "findings"), i)) != NULL;
	     i++) {
		rep_printf(o, "  %s", rep_str(x, "id"));
		if (rep_str(x, "bdf")[0]) {
			rep_printf(o, " ");
			rep_clean(o, rep_str(x, "bdf"));
		}
		rep_printf(o, ": %s\n", rep_str(x, "text"));
	}
	const json_t *d = rep_get(rec, "differences");
	if (d != NULL)
		rep_printf(
		    o,
		    "versus hvmloader: %lld -> %lld variable MTRRs, %lld -> "
		    "%lld BARs placed, %lld -> %lld relocation calls\n",
		    rep_int(rep_get(d, "hvmloader"), "vcnt_used"),
		    rep_int(rep_get(d, "improved"), "vcnt_used"),
		    rep_int(rep_get(d, "hvmloader"), "bars_placed"),
		    rep_int(rep_get(d, "improved"), "bars_placed"),
		    rep_int(rep_get(d, "hvmloader"), "relocation_calls"),
		    rep_int(rep_get(d, "improved"), "relocation_calls"));
}

const struct cli_form cli_form_layout = {
    .command = "layout",
    .summary = "the firmware's memory map before boot: BARs, holes, RAM "
               "relocation, E820, MTRR writes (hvmloader, improved, ovmf)",
    .about = "Plans the guest-physical layout of the vm: section of FILE as\n"
             "Xen's hvmloader does (findings flag its known pitfalls), as\n"
             "the improved planner does (per-BAR cache policy, fewest\n"
             "variable MTRRs; --json adds the differences from hvmloader),\n"
             "or as OVMF does.  See docs/layout.md.\n",
    .exits = "0 ok, 1 the firmware stops (the error hvmloader dies with) or "
             "no plan fits, 2 bad usage or input (file:line:column).",
    .groups = layout_groups,
    .args_size = sizeof(struct layout_args),
    .run = layout_run,
    .text = layout_text,
};
