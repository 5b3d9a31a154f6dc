// SPDX-License-Identifier: BSD-2-Clause
/*
 * The audit report: text for people, JSON (jansson) for programs.  Both
 * carry the same structure: sources, MTRR state, ranges with their MTRR
 * segments and PAT mappings, findings, diagnostics.  64-bit addresses are
 * hex strings in JSON because JSON numbers lose precision above 2^53.
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

static void seg_text(const struct p2mk_host_seg *s, char *out, size_t outsz)
{
	switch (s->kind) {
	case P2MK_HOST_MK_TYPE:
		snprintf(out, outsz, "%s (%s)", p2mk_mt_name(s->type),
		         source_token(s->source));
		break;
	case P2MK_HOST_MK_UNDEFINED:
		snprintf(out, outsz, "UNDEFINED (overlapping MTRRs)");
		break;
	case P2MK_HOST_MK_DEFAULT:
		snprintf(out, outsz, "default type (not shown by /proc/mtrr)");
		break;
	case P2MK_HOST_MK_FIXED:
		snprintf(out, outsz, "fixed ranges (not shown by /proc/mtrr)");
		break;
	case P2MK_HOST_MK_UNKNOWN:
		snprintf(out, outsz, "unknown (no MTRR information)");
		break;
	default:
		snprintf(out, outsz, "too fragmented to list");
		break;
	}
}

static const char *vendor_text(const struct p2mk_host *h)
{
	switch (h->cpu.vendor) {
	case P2MK_HOST_VENDOR_INTEL:
		return "Intel (SDM PAT x MTRR table, x86 §7)";
	case P2MK_HOST_VENDOR_AMD:
		return "AMD (APM PAT x MTRR table, x86 §10.2)";
	case P2MK_HOST_VENDOR_NOT_X86:
		return "not x86";
	default:
		return "unknown (Intel tables used)";
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

static void print_mtrr(const struct p2mk_host *h)
{
	const struct p2mk_mtrr_state *s = &h->state;
	char sz[32];
	switch (h->mtrr_origin) {
	case P2MK_HOST_MTRR_NONE:
		puts("MTRRs: not available; MTRR types below are \"unknown\"");
		break;
	case P2MK_HOST_MTRR_PROC:
		puts(
		    "MTRRs: from /proc/mtrr (variable ranges only; the default "
		    "type and fixed ranges are not shown there)");
		if (h->nmtrr_vars == 0)
			puts("  no variable range is enabled");
		for (size_t i = 0; i < h->nmtrr_vars; i++) {
			const struct p2mk_host_mtrr_var *v = &h->mtrr_vars[i];
			host_fmt_size(v->size, sz, sizeof(sz));
			printf("  reg%02u  0x%016llx-0x%016llx  %-9s %s\n",
			       v->reg, (unsigned long long)v->base,
			       (unsigned long long)(v->base + v->size - 1), sz,
			       p2mk_mt_name(v->type));
		}
		break;
	case P2MK_HOST_MTRR_MSR:
		printf("MTRRs: from the MSRs: %s, fixed ranges %s, default "
		       "type %s, MAXPHYADDR %u\n",
		       (s->def_type & P2MK_MTRR_DEF_E) ? "enabled" : "disabled",
		       (s->def_type & P2MK_MTRR_DEF_FE) ? "enabled"
		                                        : "disabled",
		       p2mk_mt_name((unsigned)(s->def_type & 0xff)),
		       s->maxphyaddr);
		for (unsigned i = 0; i < p2mk_mtrr_vcnt(s); i++) {
			const struct p2mk_mtrr_var *v = &s->var[i];
			if (!(v->mask & P2MK_MTRR_MASK_V))
				continue;
			printf("  pair %-2u PHYSBASE 0x%016llx PHYSMASK "
			       "0x%016llx  %s\n",
			       i, (unsigned long long)v->base,
			       (unsigned long long)v->mask,
			       p2mk_mt_name((unsigned)(v->base & 0xff)));
		}
		break;
	}
	if (h->pat_msr_known) {
		printf("PAT MSR: 0x%016llx (PA0..PA7 =",
		       (unsigned long long)s->pat);
		for (unsigned i = 0; i < 8; i++)
			printf(" %s", p2mk_mt_name(p2mk_pat_entry(s->pat, i)));
		puts(")");
	} else {
		puts("PAT MSR: not read (the kernel's PAT mappings below carry "
		     "the type each mapping requested)");
	}
}

static void print_range(const struct p2mk_host *h,
                        const struct p2mk_host_range *r)
{
	char sz[32], t[64];
	host_fmt_size(r->end - r->start + 1, sz, sizeof(sz));
	printf("  %-20s 0x%016llx-0x%016llx  %s", r->name,
	       (unsigned long long)r->start, (unsigned long long)r->end, sz);
	if (r->bar >= 0) {
		const struct p2mk_host_bar *b = &h->bars[r->bar];
		if (b->from_iomem)
			printf(", flags unknown");
		else
			printf(", %s%s",
			       b->prefetch ? "prefetchable"
			                   : "non-prefetchable",
			       b->is64 ? ", 64-bit" : ", 32-bit");
		if (b->owner[0])
			printf(", claimed by %s", b->owner);
	}
	putchar('\n');
	for (size_t k = 0; k < r->seg_count; k++) {
		const struct p2mk_host_seg *s = &h->segs[r->seg_first + k];
		seg_text(s, t, sizeof(t));
		if (r->seg_count == 1)
			printf("      MTRR  %s\n", t);
		else
			printf("      MTRR  0x%016llx-0x%016llx  %s\n",
			       (unsigned long long)s->start,
			       (unsigned long long)s->end, t);
	}
	if (h->src[P2MK_HOST_SRC_PAT_LIST].status != P2MK_HOST_READ)
		printf("      PAT   mappings unknown (pat_memtype_list not "
		       "read)\n");
	else if (r->eff_count == 0)
		printf("      PAT   no mapping recorded\n");
	for (size_t k = 0; k < r->eff_count; k++) {
		const struct p2mk_host_eff *f = &h->effs[r->eff_first + k];
		printf("      PAT   0x%016llx-0x%016llx  %-3s -> ",
		       (unsigned long long)f->start, (unsigned long long)f->end,
		       p2mk_mt_name(f->pat));
		if (f->known)
			printf("effective %s%s\n", p2mk_mt_name(f->result.type),
			       f->result.verified ? "" : " (UNVERIFIED cell)");
		else
			printf("effective unknown (MTRR type unknown)\n");
	}
}

void p2mk_host_print_text(const struct p2mk_host *h)
{
	printf("p2mkit host: audit of %s\n", h->root);
	printf("CPU vendor: %s\n\nSources\n", vendor_text(h));
	for (int i = 0; i < P2MK_HOST_NSOURCES; i++) {
		const struct p2mk_host_source *s = &h->src[i];
		const char *state = s->status == P2MK_HOST_READ ? "read"
		                    : s->status == P2MK_HOST_NOT_TRIED
		                        ? "not needed"
		                        : "NOT READ";
		printf("  %-10s %-10s %s", s->name, state, s->path);
		if (s->status != P2MK_HOST_READ &&
		    s->status != P2MK_HOST_NOT_TRIED)
			printf(": %s: %s", p2mk_host_status_name(s->status),
			       s->reason);
		else if (s->reason[0])
			printf(": %s", s->reason);
		if (s->malformed)
			printf(" (%u malformed lines skipped)", s->malformed);
		putchar('\n');
	}
	putchar('\n');
	print_mtrr(h);
	printf("\nSystem RAM and memory BARs (%zu)\n", h->nranges);
	if (h->nranges == 0)
		puts("  none known (needs /proc/iomem or sysfs PCI devices)");
	for (size_t i = 0; i < h->nranges; i++)
		print_range(h, &h->ranges[i]);
	printf("\nFindings: %zu error(s), %zu warning(s), %zu info\n",
	       p2mk_host_count_findings(h, P2MK_HOST_ERROR),
	       p2mk_host_count_findings(h, P2MK_HOST_WARNING),
	       p2mk_host_count_findings(h, P2MK_HOST_INFO));
	for (int sev = P2MK_HOST_ERROR; sev >= P2MK_HOST_INFO; sev--) {
		for (size_t i = 0; i < h->nfindings; i++) {
			const struct p2mk_host_finding *f = &h->findings[i];
			if ((int)f->sev != sev)
				continue;
			printf("  %-7s %-24s %s\n", p2mk_host_sev_name(f->sev),
			       f->id, f->msg);
		}
	}
	if (h->ndiags > 0) {
		printf("\nDiagnostics (input that was skipped)\n");
		for (size_t i = 0; i < h->ndiags; i++) {
			const struct p2mk_host_diag *d = &h->diags[i];
			if (d->line)
				printf("  %s:%u: %s\n", d->file, d->line,
				       d->msg);
			else
				printf("  %s: %s\n", d->file, d->msg);
		}
	}
	if (h->oom)
		puts("\nwarning: out of memory; the report is incomplete");
}

/* ---- JSON -----------------------------------------------------------------
 */

/*
 * json_string() refuses invalid UTF-8, and names and messages can carry
 * bytes copied from malformed input.  Valid text (with its "§") is kept;
 * otherwise printable ASCII is kept and every other byte becomes '?'.
 */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);
	if (j != NULL)
		return j;
	char b[512];
	size_t n = 0;
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
		json_array_append_new(pats, e);
	}
	json_object_set_new(o, "pat", pats);
	return o;
}

json_t *p2mk_host_to_json(const struct p2mk_host *h)
{
	json_t *root = json_object();
	json_object_set_new(root, "root", jstr(h->root));
	json_object_set_new(root, "vendor", jstr(h->cpu.vendor_id));
	json_object_set_new(
	    root, "tables",
	    jstr(h->cpu.vendor == P2MK_HOST_VENDOR_AMD ? "amd" : "intel"));
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
