// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit run: the result record (JSON schema "p2mkit-run/1",
 * docs/run.md) built from the simulator's results, and its text
 * rendering, which reads only the record.
 */
#include <stdio.h>
#include <string.h>

#include "cmd_run.h"

static json_t *costs_json(const struct p2mk_sim_costs *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "leaf_entries",
	                    json_integer((json_int_t)c->leaf_entries));
	json_object_set_new(o, "table_pages",
	                    json_integer((json_int_t)c->table_pages));
	json_object_set_new(o, "misconfig_exits",
	                    json_integer((json_int_t)c->misconfig_exits));
	json_object_set_new(o, "iotlb_flushes",
	                    json_integer((json_int_t)c->iotlb_flushes));
	json_object_set_new(
	    o, "invalidation_descriptors",
	    json_integer((json_int_t)c->invalidation_descriptors));
	json_object_set_new(o, "hypercalls",
	                    json_integer((json_int_t)c->hypercalls));
	json_object_set_new(o, "continuations",
	                    json_integer((json_int_t)c->continuations));
	json_object_set_new(o, "flush_points",
	                    json_integer((json_int_t)c->flush_points));
	json_object_set_new(o, "special_checks",
	                    json_integer((json_int_t)c->special_checks));
	json_object_set_new(o, "wbinvd", json_integer((json_int_t)c->wbinvd));
	json_object_set_new(o, "seconds", json_real(c->seconds));
	return o;
}

static json_t *ranges_json(const struct p2mk_sim_result *r)
{
	json_t *a = json_array();
	for (size_t i = 0; i < r->nranges; i++) {
		const struct p2mk_sim_range *g = &r->ranges[i];
		json_t *o = json_object();
		json_object_set_new(o, "start", rep_hex(g->start));
		json_object_set_new(o, "end", rep_hex(g->end));
		json_object_set_new(o, "what", json_string(g->what));
		json_object_set_new(o, "effective", json_string(g->effective));
		json_object_set_new(o, "decided_by",
		                    json_string(g->decided_by));
		json_object_set_new(o, "detail", json_string(g->detail));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *events_json(const struct p2mk_sim_result *r)
{
	json_t *a = json_array();
	for (size_t i = 0; i < r->nevents; i++) {
		const struct p2mk_sim_event_result *e = &r->events[i];
		json_t *o = json_object();
		json_object_set_new(o, "event",
		                    json_string(p2mk_sc_event_name(e->kind)));
		json_object_set_new(o, "line", json_integer(e->line));
		json_object_set_new(o, "note", json_string(e->note));
		json_object_set_new(o, "costs", costs_json(&e->costs));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *layout_json(const struct p2mk_sim_result *r)
{
	if (!r->have_layout)
		return json_null();
	const struct p2mk_layout_output *lo = &r->layout;
	json_t *o = json_object();
	json_t *f = json_array();
	json_object_set_new(o, "mode",
	                    json_string(p2mk_layout_mode_name(lo->mode)));
	json_object_set_new(o, "mtrr_writes", json_integer(lo->nwrites));
	json_object_set_new(o, "vcnt_used", json_integer(lo->vcnt_used));
	for (unsigned i = 0; i < lo->nfindings; i++)
		json_array_append_new(f, json_string(p2mk_layout_finding_id(
		                             lo->findings[i].kind)));
	json_object_set_new(o, "findings", f);
	json_object_set_new(o, "error",
	                    lo->error ? json_string(lo->error) : json_null());
	return o;
}

json_t *run_result_json(const struct p2mk_sim_result *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "policy", json_string(r->policy));
	json_object_set_new(o, "error",
	                    r->error[0] ? json_string(r->error) : json_null());
	json_object_set_new(o, "ranges", ranges_json(r));
	json_object_set_new(o, "costs", costs_json(&r->total));
	json_object_set_new(o, "events", events_json(r));
	json_object_set_new(o, "layout", layout_json(r));
	return o;
}

json_t *run_record(const struct p2mk_scenario *s, const char *file,
                   const struct p2mk_sim_result *res, size_t n)
{
	json_t *o = json_object();
	json_t *a = json_array();
	json_object_set_new(o, "schema", json_string(RUN_SCHEMA));
	json_object_set_new(o, "scenario", json_string(s->name ? s->name : ""));
	json_object_set_new(o, "file", json_string(file));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, run_result_json(&res[i]));
	json_object_set_new(o, "results", a);
	return o;
}

/* ---- text ------------------------------------------------------------- */

/* "0xf0000000-0xfc000000" with a 4 GiB-aware width. */
static void range_text(struct rep_out *out, const json_t *g)
{
	rep_printf(out, "%-12s %-12s ",
	           json_string_value(json_object_get(g, "start")),
	           json_string_value(json_object_get(g, "end")));
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* The memory map: one column per policy, '*' where policies differ. */
static void map_text(struct rep_out *out, const json_t *results)
{
	size_t np = json_array_size(results);
	const json_t *first =
	    json_object_get(json_array_get(results, 0), "ranges");
	rep_printf(out,
	           "Memory map (effective type of a typical guest access / "
	           "deciding layer)\n");
	rep_printf(out, "  %-12s %-12s %-34s", "start", "end", "what");
	for (size_t p = 0; p < np; p++)
		rep_printf(out, " %-24s",
		           str(json_array_get(results, p), "policy"));
	rep_printf(out, "\n");
	for (size_t i = 0; i < json_array_size(first); i++) {
		const json_t *g = json_array_get(first, i);
		bool differ = false;
		char cell[64];
		rep_printf(out, "  ");
		range_text(out, g);
		rep_printf(out, "%-34.34s", str(g, "what"));
		for (size_t p = 0; p < np; p++) {
			const json_t *gp = json_array_get(
			    json_object_get(json_array_get(results, p),
			                    "ranges"),
			    i);
			snprintf(cell, sizeof(cell), "%s (%s)",
			         str(gp, "effective"), str(gp, "decided_by"));
			differ |= strcmp(str(gp, "effective"),
			                 str(g, "effective")) != 0;
			rep_printf(out, " %-24s", cell);
		}
		rep_printf(out, "%s", differ ? " *\n" : "\n");
	}
}

static const char *const cost_rows[] = {"leaf_entries",
                                        "table_pages",
                                        "misconfig_exits",
                                        "iotlb_flushes",
                                        "invalidation_descriptors",
                                        "hypercalls",
                                        "continuations",
                                        "flush_points",
                                        "special_checks",
                                        "wbinvd"};

static void costs_text(struct rep_out *out, const json_t *results)
{
	size_t np = json_array_size(results);
	rep_printf(out, "\nCosts (whole run)\n  %-26s", "");
	for (size_t p = 0; p < np; p++)
		rep_printf(out, " %16s",
		           str(json_array_get(results, p), "policy"));
	rep_printf(out, "\n");
	for (size_t k = 0; k < sizeof(cost_rows) / sizeof(cost_rows[0]); k++) {
		rep_printf(out, "  %-26s", cost_rows[k]);
		for (size_t p = 0; p < np; p++) {
			const json_t *c = json_object_get(
			    json_array_get(results, p), "costs");
			rep_printf(out, " %16lld",
			           (long long)json_integer_value(
			               json_object_get(c, cost_rows[k])));
		}
		rep_printf(out, "\n");
	}
	rep_printf(out, "  %-26s", "simulated time");
	for (size_t p = 0; p < np; p++) {
		const json_t *c =
		    json_object_get(json_array_get(results, p), "costs");
		rep_printf(out, " %15.6gs",
		           json_real_value(json_object_get(c, "seconds")));
	}
	rep_printf(out, "\n");
}

/* Per event: exits, entries, flushes, hypercalls, time. */
static void events_text(struct rep_out *out, const json_t *result)
{
	const json_t *ev = json_object_get(result, "events");
	rep_printf(out,
	           "\nEvents under %s\n  %-5s %-18s %10s %10s %10s %10s %12s\n",
	           str(result, "policy"), "line", "event", "exits", "entries",
	           "flushes", "hypercalls", "time");
	for (size_t i = 0; i < json_array_size(ev); i++) {
		const json_t *e = json_array_get(ev, i);
		const json_t *c = json_object_get(e, "costs");
		rep_printf(
		    out,
		    "  %-5lld %-18s %10lld %10lld %10lld %10lld %11.6gs%s%s\n",
		    (long long)json_integer_value(json_object_get(e, "line")),
		    str(e, "event"),
		    (long long)json_integer_value(
		        json_object_get(c, "misconfig_exits")),
		    (long long)json_integer_value(
		        json_object_get(c, "leaf_entries")),
		    (long long)json_integer_value(
		        json_object_get(c, "iotlb_flushes")),
		    (long long)json_integer_value(
		        json_object_get(c, "hypercalls")),
		    json_real_value(json_object_get(c, "seconds")),
		    str(e, "note")[0] ? "  " : "", str(e, "note"));
	}
}

/* After case study 1 (run without FILE): how to run the others. */
static void others_text(struct rep_out *out, const json_t *others)
{
	if (json_array_size(others) == 0)
		return;
	rep_printf(out, "\nThis was case study 1.  The others:\n");
	for (size_t i = 0; i < json_array_size(others); i++)
		rep_printf(out, "  p2mkit run %s\n",
		           json_string_value(json_array_get(others, i)));
	rep_printf(out, "Each examples/NAME/README.md tells the incident and "
	                "its numbers.\n");
}

void run_text(struct rep_out *out, const json_t *rec)
{
	const json_t *results = json_object_get(rec, "results");
	rep_printf(out, "Scenario %s (%s)\n\n", str(rec, "scenario"),
	           str(rec, "file"));
	for (size_t p = 0; p < json_array_size(results); p++) {
		const json_t *r = json_array_get(results, p);
		if (!json_is_null(json_object_get(r, "error")))
			rep_printf(out, "%s: stopped: %s\n", str(r, "policy"),
			           str(r, "error"));
	}
	map_text(out, results);
	costs_text(out, results);
	for (size_t p = 0; p < json_array_size(results); p++)
		events_text(out, json_array_get(results, p));
	others_text(out, json_object_get(rec, "others"));
}
