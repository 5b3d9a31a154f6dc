// SPDX-License-Identifier: BSD-2-Clause
/*
 * The audit's result record (JSON, jansson): sources, MTRR state, ranges
 * with their MTRR segments and PAT mappings, the guest view, findings,
 * diagnostics.  The text report is rendered from this record (text.c).
 * 64-bit addresses are hex strings because JSON numbers lose precision
 * above 2^53.
 */
#include "host/host_internal.h"

#include <stdio.h>
#include <string.h>

static const char *mkind_token(unsigned kind)
{
	switch (kind) {
	case P2MK_HOST_MK_TYPE:
		return "type";
	case P2MK_HOST_MK_UNDEFINED:
		return "undefined";
	case P2MK_HOST_MK_DEFAULT:
		return "default-unknown";
	case P2MK_HOST_MK_FIXED:
		return "fixed-unknown";
	case P2MK_HOST_MK_UNKNOWN:
		return "unknown";
	case P2MK_HOST_MK_TOO_FRAGMENTED:
		return "too-fragmented";
	}
	return "?";
}

static const char *source_token(unsigned src)
{
	switch (src) {
	case P2MK_SRC_DISABLED:
		return "disabled";
	case P2MK_SRC_FIXED:
		return "fixed";
	case P2MK_SRC_VARIABLE:
		return "variable";
	case P2MK_SRC_OVERLAP:
		return "overlap";
	case P2MK_SRC_DEFAULT:
		return "default";
	}
	return "?";
}

static const char *vendor_token(const struct p2mk_host *h)
{
	switch (h->cpu.vendor) {
	case P2MK_HOST_VENDOR_INTEL:
		return "intel";
	case P2MK_HOST_VENDOR_AMD:
		return "amd";
	case P2MK_HOST_VENDOR_NOT_X86:
		return "not-x86";
	case P2MK_HOST_VENDOR_OTHER_X86:
		return "other-x86";
	default:
		return "unknown";
	}
}

static const char *origin_token(enum p2mk_host_mtrr_origin o)
{
	switch (o) {
	case P2MK_HOST_MTRR_MSR:
		return "msr";
	case P2MK_HOST_MTRR_PROC:
		return "proc-mtrr";
	default:
		return "none";
	}
}

/* ---- JSON -----------------------------------------------------------------
 */

/*
 * json_string() refuses invalid UTF-8, and names and messages can carry
 * bytes copied from malformed input.  Valid text (with its "§") is kept;
 * otherwise printable ASCII is kept and every other byte becomes '?'.
 * jansson escapes bytes below 0x20 but not DEL (0x7f, valid JSON), which
 * a terminal acts on: it becomes '?' in the record.
 */
static json_t *jstr(const char *s)
{
	char b[1024];
	size_t n = 0;
	bool del = false;
	for (const char *p = s; *p && n + 1 < sizeof(b); p++) {
		del = del || *p == 0x7f;
		b[n++] = *p == 0x7f ? '?' : *p;
	}
	b[n] = '\0';
	json_t *j = json_string(del ? b : s);
	if (j != NULL)
		return j;
	n = 0;
	for (; *s && n + 1 < sizeof(b); s++) {
		unsigned char c = (unsigned char)*s;
		b[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	b[n] = '\0';
	return json_string(b);
}

static json_t *hex(uint64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "0x%llx", (unsigned long long)v);
	return jstr(b);
}

static json_t *sources_json(const struct p2mk_host *h)
{
	json_t *a = json_array();
	for (int i = 0; i < P2MK_HOST_NSOURCES; i++) {
		const struct p2mk_host_source *s = &h->src[i];
		json_t *e = json_object();
		json_object_set_new(e, "name", jstr(s->name));
		json_object_set_new(e, "path", jstr(s->path));
		json_object_set_new(e, "status",
		                    jstr(p2mk_host_status_token(s->status)));
		json_object_set_new(e, "read",
		                    json_boolean(s->status == P2MK_HOST_READ));
		json_object_set_new(e, "reason", jstr(s->reason));
		json_object_set_new(e, "items", json_integer(s->items));
		json_object_set_new(e, "malformed", json_integer(s->malformed));
		json_array_append_new(a, e);
	}
	return a;
}

static json_t *mtrr_json(const struct p2mk_host *h)
{
	const struct p2mk_mtrr_state *s = &h->state;
	json_t *o = json_object();
	json_object_set_new(o, "origin", jstr(origin_token(h->mtrr_origin)));
	json_t *vars = json_array();
	if (h->mtrr_origin == P2MK_HOST_MTRR_MSR) {
		json_object_set_new(
		    o, "enabled", json_boolean(s->def_type & P2MK_MTRR_DEF_E));
		json_object_set_new(
		    o, "fixed_enabled",
		    json_boolean(s->def_type & P2MK_MTRR_DEF_FE));
		json_object_set_new(
		    o, "default_type",
		    jstr(p2mk_mt_name((unsigned)(s->def_type & 0xff))));
		json_object_set_new(o, "maxphyaddr",
		                    json_integer(s->maxphyaddr));
		for (unsigned i = 0; i < p2mk_mtrr_vcnt(s); i++) {
			const struct p2mk_mtrr_var *v = &s->var[i];
			if (!(v->mask & P2MK_MTRR_MASK_V))
				continue;
			json_t *e = json_object();
			json_object_set_new(e, "reg", json_integer(i));
			json_object_set_new(e, "physbase", hex(v->base));
			json_object_set_new(e, "physmask", hex(v->mask));
			json_object_set_new(
			    e, "type",
			    jstr(p2mk_mt_name((unsigned)(v->base & 0xff))));
			json_array_append_new(vars, e);
		}
	} else if (h->mtrr_origin == P2MK_HOST_MTRR_PROC) {
		json_object_set_new(o, "default_type", json_null());
		for (size_t i = 0; i < h->nmtrr_vars; i++) {
			const struct p2mk_host_mtrr_var *v = &h->mtrr_vars[i];
			json_t *e = json_object();
			json_object_set_new(e, "reg", json_integer(v->reg));
			json_object_set_new(e, "base", hex(v->base));
			json_object_set_new(e, "size", hex(v->size));
			json_object_set_new(e, "type",
			                    jstr(p2mk_mt_name(v->type)));
			json_array_append_new(vars, e);
		}
	}
	json_object_set_new(o, "variable", vars);
	json_object_set_new(o, "pat_msr",
	                    h->pat_msr_known ? hex(s->pat) : json_null());
	return o;
}

static json_t *range_json(const struct p2mk_host *h,
                          const struct p2mk_host_range *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "kind",
	                    jstr(r->kind == P2MK_HOST_RAM ? "ram" : "bar"));
	json_object_set_new(o, "name", jstr(r->name));
	json_object_set_new(o, "start", hex(r->start));
	json_object_set_new(o, "end", hex(r->end));
	json_object_set_new(o, "size", hex(r->end - r->start + 1));
	if (r->bar >= 0) {
		const struct p2mk_host_bar *b = &h->bars[r->bar];
		json_object_set_new(o, "bdf", jstr(b->bdf));
		json_object_set_new(o, "bar",
		                    b->from_iomem ? json_null()
		                                  : json_integer(b->index));
		json_object_set_new(o, "prefetchable",
		                    b->from_iomem ? json_null()
		                                  : json_boolean(b->prefetch));
		json_object_set_new(o, "is64",
		                    b->from_iomem ? json_null()
		                                  : json_boolean(b->is64));
		json_object_set_new(o, "owner",
		                    b->owner[0] ? jstr(b->owner) : json_null());
	}
	json_t *segs = json_array();
	for (size_t k = 0; k < r->seg_count; k++) {
		const struct p2mk_host_seg *s = &h->segs[r->seg_first + k];
		json_t *e = json_object();
		json_object_set_new(e, "start", hex(s->start));
		json_object_set_new(e, "end", hex(s->end));
		json_object_set_new(e, "kind", jstr(mkind_token(s->kind)));
		json_object_set_new(e, "type",
		                    s->kind == P2MK_HOST_MK_TYPE
		                        ? jstr(p2mk_mt_name(s->type))
		                        : json_null());
		if (s->kind == P2MK_HOST_MK_TYPE)
			json_object_set_new(e, "source",
			                    jstr(source_token(s->source)));
		json_array_append_new(segs, e);
	}
	json_object_set_new(o, "mtrr", segs);
	json_t *pats = json_array();
	for (size_t k = 0; k < r->eff_count; k++) {
		const struct p2mk_host_eff *f = &h->effs[r->eff_first + k];
		json_t *e = json_object();
		json_object_set_new(e, "start", hex(f->start));
		json_object_set_new(e, "end", hex(f->end));
		json_object_set_new(e, "pat", jstr(p2mk_mt_name(f->pat)));
		json_object_set_new(e, "line",
		                    json_integer(h->pat_maps[f->map].line));
		json_object_set_new(e, "mtrr",
		                    f->mkind == P2MK_HOST_MK_TYPE
		                        ? jstr(p2mk_mt_name(f->mtrr))
		                        : jstr(mkind_token(f->mkind)));
		json_object_set_new(e, "effective",
		                    f->known
		                        ? jstr(p2mk_mt_name(f->result.type))
		                        : json_null());
		if (f->known) {
			json_object_set_new(e, "rule", jstr(f->result.rule));
			json_object_set_new(e, "verified",
			                    json_boolean(f->result.verified));
		}
		if (f->hv_known) {
			json_object_set_new(
			    e, "hypervisor_effective",
			    jstr(p2mk_mt_name(f->hv_result.type)));
			json_object_set_new(
			    e, "hypervisor_verified",
			    json_boolean(f->hv_result.verified));
		}
		json_array_append_new(pats, e);
	}
	json_object_set_new(o, "pat", pats);
	json_t *hv = host_hv_json(h, r);
	if (hv != NULL)
		json_object_set_new(o, "hypervisor", hv);
	return o;
}

json_t *p2mk_host_to_json(const struct p2mk_host *h)
{
	json_t *root = json_object();
	json_object_set_new(root, "root", jstr(h->root));
	json_object_set_new(root, "capture",
	                    h->capture_fd >= 0 ? jstr(h->capture)
	                                       : json_null());
	json_object_set_new(root, "vendor", jstr(h->cpu.vendor_id));
	json_object_set_new(root, "cpu_vendor", jstr(vendor_token(h)));
	json_object_set_new(
	    root, "tables",
	    jstr(h->cpu.vendor == P2MK_HOST_VENDOR_AMD ? "amd" : "intel"));
	json_object_set_new(root, "guest", host_guest_json(h));
	json_object_set_new(root, "sources", sources_json(h));
	json_object_set_new(root, "mtrr", mtrr_json(h));
	json_t *ranges = json_array();
	for (size_t i = 0; i < h->nranges; i++)
		json_array_append_new(ranges, range_json(h, &h->ranges[i]));
	json_object_set_new(root, "ranges", ranges);
	json_t *fs = json_array();
	for (size_t i = 0; i < h->nfindings; i++) {
		const struct p2mk_host_finding *f = &h->findings[i];
		json_t *e = json_object();
		json_object_set_new(e, "severity",
		                    jstr(p2mk_host_sev_name(f->sev)));
		json_object_set_new(e, "id", jstr(f->id));
		json_object_set_new(e, "range",
		                    f->range >= 0
		                        ? jstr(h->ranges[f->range].name)
		                        : json_null());
		json_object_set_new(e, "message", jstr(f->msg));
		json_array_append_new(fs, e);
	}
	json_object_set_new(root, "findings", fs);
	json_t *ds = json_array();
	for (size_t i = 0; i < h->ndiags; i++) {
		const struct p2mk_host_diag *d = &h->diags[i];
		json_t *e = json_object();
		json_object_set_new(e, "file", jstr(d->file));
		json_object_set_new(e, "line", json_integer(d->line));
		json_object_set_new(e, "message", jstr(d->msg));
		json_array_append_new(ds, e);
	}
	json_object_set_new(root, "diagnostics", ds);
	json_object_set_new(
	    root, "summary",
	    json_pack("{s:i, s:i, s:i, s:b}", "errors",
	              (int)p2mk_host_count_findings(h, P2MK_HOST_ERROR),
	              "warnings",
	              (int)p2mk_host_count_findings(h, P2MK_HOST_WARNING),
	              "info", (int)p2mk_host_count_findings(h, P2MK_HOST_INFO),
	              "incomplete", h->oom));
	return root;
}
