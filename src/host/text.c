// SPDX-License-Identifier: BSD-2-Clause
/*
 * The human report of `p2mkit host`, rendered from the result record
 * (output.c) and nothing else, so text and JSON cannot disagree.  Strings
 * that came from the machine or the tree (names, owners, reasons, messages)
 * go through rep_clean(): a captured tree cannot drive the terminal.
 */
#include "host/host_internal.h"
#include "report/report.h"

#include <string.h>

/* @s cleaned, then spaces up to @width columns. */
static void put_pad(struct rep_out *o, const char *s, size_t width)
{
	rep_clean(o, s);
	for (size_t n = strlen(s); n < width; n++)
		rep_printf(o, " ");
}

static void put_hex16(struct rep_out *o, const json_t *rec, const char *key)
{
	rep_printf(o, "0x%016llx", (unsigned long long)rep_u64(rec, key));
}

static void put_span(struct rep_out *o, const json_t *rec)
{
	put_hex16(o, rec, "start");
	rep_printf(o, "-");
	put_hex16(o, rec, "end");
}

static const char *vendor_text(const char *v)
{
	if (strcmp(v, "intel") == 0)
		return "Intel (SDM PAT x MTRR table, x86 §7)";
	if (strcmp(v, "amd") == 0)
		return "AMD (APM PAT x MTRR table, x86 §10.2)";
	if (strcmp(v, "not-x86") == 0)
		return "not x86";
	return "unknown (Intel tables used)";
}

/* "missing" -> "missing", "denied" -> "permission denied", ... */
static const char *status_text(const char *token)
{
	for (int i = P2MK_HOST_NOT_TRIED; i <= P2MK_HOST_REFUSED; i++) {
		enum p2mk_host_status st = (enum p2mk_host_status)i;
		if (strcmp(token, p2mk_host_status_token(st)) == 0)
			return p2mk_host_status_name(st);
	}
	return token;
}

static void text_sources(struct rep_out *o, const json_t *rec)
{
	size_t i;
	const json_t *s;
	rep_printf(o, "Sources\n");
	json_array_foreach(rep_get(rec, "sources"), i, s)
	{
		const char *st = rep_str(s, "status");
		bool read = strcmp(st, "read") == 0;
		bool nn = strcmp(st, "not-needed") == 0;
		rep_printf(o, "  ");
		put_pad(o, rep_str(s, "name"), 10);
		rep_printf(o, " %-10s ",
		           read ? "read"
		           : nn ? "not needed"
		                : "NOT READ");
		rep_clean(o, rep_str(s, "path"));
		const char *why = rep_str(s, "reason");
		if (!read && !nn) {
			rep_printf(o, ": %s: ", status_text(st));
			rep_clean(o, why);
		} else if (why[0] != '\0') {
			rep_printf(o, ": ");
			rep_clean(o, why);
		}
		if (rep_int(s, "malformed") > 0)
			rep_printf(o, " (%lld malformed lines skipped)",
			           rep_int(s, "malformed"));
		rep_printf(o, "\n");
	}
}

static void text_mtrr_vars(struct rep_out *o, const json_t *m, bool msr)
{
	size_t i;
	const json_t *v;
	char sz[32];
	json_array_foreach(rep_get(m, "variable"), i, v)
	{
		if (msr) {
			rep_printf(o, "  pair %-2lld PHYSBASE ",
			           rep_int(v, "reg"));
			put_hex16(o, v, "physbase");
			rep_printf(o, " PHYSMASK ");
			put_hex16(o, v, "physmask");
			rep_printf(o, "  %s\n", rep_str(v, "type"));
			continue;
		}
		uint64_t base = rep_u64(v, "base"), size = rep_u64(v, "size");
		host_fmt_size(size, sz, sizeof(sz));
		rep_printf(o, "  reg%02lld  0x%016llx-0x%016llx  %-9s %s\n",
		           rep_int(v, "reg"), (unsigned long long)base,
		           (unsigned long long)(base + size - 1), sz,
		           rep_str(v, "type"));
	}
}

static void text_mtrr(struct rep_out *o, const json_t *rec)
{
	const json_t *m = rep_get(rec, "mtrr");
	const char *origin = rep_str(m, "origin");
	if (strcmp(origin, "proc-mtrr") == 0) {
		rep_printf(o, "MTRRs: from /proc/mtrr (variable ranges only; "
		              "the default type and fixed ranges are not "
		              "shown there)\n");
		if (json_array_size(rep_get(m, "variable")) == 0)
			rep_printf(o, "  no variable range is enabled\n");
		text_mtrr_vars(o, m, false);
	} else if (strcmp(origin, "msr") == 0) {
		rep_printf(
		    o,
		    "MTRRs: from the MSRs: %s, fixed ranges %s, default "
		    "type %s, MAXPHYADDR %lld\n",
		    rep_bool(m, "enabled") ? "enabled" : "disabled",
		    rep_bool(m, "fixed_enabled") ? "enabled" : "disabled",
		    rep_str(m, "default_type"), rep_int(m, "maxphyaddr"));
		text_mtrr_vars(o, m, true);
	} else {
		rep_printf(o, "MTRRs: not available; MTRR types below are "
		              "\"unknown\"\n");
	}
	if (json_is_string(rep_get(m, "pat_msr"))) {
		uint64_t pat = rep_u64(m, "pat_msr");
		rep_printf(o, "PAT MSR: 0x%016llx (PA0..PA7 =",
		           (unsigned long long)pat);
		for (unsigned i = 0; i < 8; i++)
			rep_printf(o, " %s",
			           p2mk_mt_name(p2mk_pat_entry(pat, i)));
		rep_printf(o, ")\n");
	} else {
		rep_printf(o, "PAT MSR: not read (the kernel's PAT mappings "
		              "below carry the type each mapping requested)\n");
	}
}

static void text_seg(struct rep_out *o, const json_t *s)
{
	const char *k = rep_str(s, "kind");
	if (strcmp(k, "type") == 0)
		rep_printf(o, "%s (%s)", rep_str(s, "type"),
		           rep_str(s, "source"));
	else if (strcmp(k, "undefined") == 0)
		rep_printf(o, "UNDEFINED (overlapping MTRRs)");
	else if (strcmp(k, "default-unknown") == 0)
		rep_printf(o, "default type (not shown by /proc/mtrr)");
	else if (strcmp(k, "fixed-unknown") == 0)
		rep_printf(o, "fixed ranges (not shown by /proc/mtrr)");
	else if (strcmp(k, "unknown") == 0)
		rep_printf(o, "unknown (no MTRR information)");
	else
		rep_printf(o, "too fragmented to list");
}

static void text_range_head(struct rep_out *o, const json_t *r)
{
	char sz[32];
	host_fmt_size(rep_u64(r, "size"), sz, sizeof(sz));
	rep_printf(o, "  ");
	put_pad(o, rep_str(r, "name"), 20);
	rep_printf(o, " ");
	put_span(o, r);
	rep_printf(o, "  %s", sz);
	if (strcmp(rep_str(r, "kind"), "bar") == 0) {
		if (!json_is_boolean(rep_get(r, "prefetchable")))
			rep_printf(o, ", flags unknown");
		else
			rep_printf(
			    o, ", %s%s",
			    rep_bool(r, "prefetchable") ? "prefetchable"
			                                : "non-prefetchable",
			    rep_bool(r, "is64") ? ", 64-bit" : ", 32-bit");
		if (rep_str(r, "owner")[0] != '\0') {
			rep_printf(o, ", claimed by ");
			rep_clean(o, rep_str(r, "owner"));
		}
	}
	rep_printf(o, "\n");
}

/* "effective X", or in a guest "guest view X; hypervisor Y". */
static void text_pat_result(struct rep_out *o, const json_t *s)
{
	bool known = json_is_string(rep_get(s, "effective"));
	const char *cell = rep_bool(s, "verified") ? "" : " (UNVERIFIED cell)";
	if (json_is_string(rep_get(s, "hypervisor_effective"))) {
		rep_printf(
		    o, "guest view %s%s; through the hypervisor %s%s\n",
		    known ? rep_str(s, "effective") : "unknown",
		    known ? cell : "", rep_str(s, "hypervisor_effective"),
		    rep_bool(s, "hypervisor_verified") ? ""
		                                       : " (UNVERIFIED cell)");
	} else if (known) {
		rep_printf(o, "effective %s%s\n", rep_str(s, "effective"),
		           cell);
	} else {
		rep_printf(o, "effective unknown (MTRR type unknown)\n");
	}
}

static void text_range(struct rep_out *o, const json_t *r, bool pat_read)
{
	size_t i;
	const json_t *s;
	text_range_head(o, r);
	const json_t *segs = rep_get(r, "mtrr");
	json_array_foreach(segs, i, s)
	{
		rep_printf(o, "      MTRR  ");
		if (json_array_size(segs) > 1) {
			put_span(o, s);
			rep_printf(o, "  ");
		}
		text_seg(o, s);
		rep_printf(o, "\n");
	}
	host_hv_text(o, r);
	const json_t *pats = rep_get(r, "pat");
	if (!pat_read)
		rep_printf(o, "      PAT   mappings unknown (pat_memtype_list "
		              "not read)\n");
	else if (json_array_size(pats) == 0)
		rep_printf(o, "      PAT   no mapping recorded\n");
	json_array_foreach(pats, i, s)
	{
		rep_printf(o, "      PAT   ");
		put_span(o, s);
		rep_printf(o, "  %-3s -> ", rep_str(s, "pat"));
		text_pat_result(o, s);
	}
}

static bool pat_list_read(const json_t *rec)
{
	size_t i;
	const json_t *s;
	json_array_foreach(rep_get(rec, "sources"), i, s)
	{
		if (strcmp(rep_str(s, "name"), "pat-list") == 0)
			return rep_bool(s, "read");
	}
	return false;
}

static void text_findings(struct rep_out *o, const json_t *rec)
{
	static const char *const order[] = {"error", "warning", "info"};
	const json_t *sum = rep_get(rec, "summary");
	rep_printf(o, "\nFindings: %lld error(s), %lld warning(s), %lld info\n",
	           rep_int(sum, "errors"), rep_int(sum, "warnings"),
	           rep_int(sum, "info"));
	for (unsigned k = 0; k < 3; k++) {
		size_t i;
		const json_t *f;
		json_array_foreach(rep_get(rec, "findings"), i, f)
		{
			if (strcmp(rep_str(f, "severity"), order[k]) != 0)
				continue;
			rep_printf(o, "  %-7s ", order[k]);
			put_pad(o, rep_str(f, "id"), 24);
			rep_printf(o, " ");
			rep_clean(o, rep_str(f, "message"));
			rep_printf(o, "\n");
		}
	}
}

static void text_diags(struct rep_out *o, const json_t *rec)
{
	size_t i;
	const json_t *d;
	if (json_array_size(rep_get(rec, "diagnostics")) == 0)
		return;
	rep_printf(o, "\nDiagnostics (input that was skipped)\n");
	json_array_foreach(rep_get(rec, "diagnostics"), i, d)
	{
		rep_printf(o, "  ");
		rep_clean(o, rep_str(d, "file"));
		if (rep_int(d, "line") > 0)
			rep_printf(o, ":%lld", rep_int(d, "line"));
		rep_printf(o, ": ");
		rep_clean(o, rep_str(d, "message"));
		rep_printf(o, "\n");
	}
}

void p2mk_host_text(struct rep_out *o, const json_t *rec)
{
	size_t i;
	const json_t *r;
	rep_printf(o, "p2mkit host: audit of ");
	rep_clean(o, rep_str(rec, "root"));
	rep_printf(o, "\nCPU vendor: %s\n",
	           vendor_text(rep_str(rec, "cpu_vendor")));
	host_guest_text(o, rec);
	rep_printf(o, "\n");
	text_sources(o, rec);
	rep_printf(o, "\n");
	text_mtrr(o, rec);
	const json_t *ranges = rep_get(rec, "ranges");
	rep_printf(o, "\nSystem RAM and memory BARs (%zu)\n",
	           json_array_size(ranges));
	if (json_array_size(ranges) == 0)
		rep_printf(o, "  none known (needs /proc/iomem or sysfs PCI "
		              "devices)\n");
	bool pat_read = pat_list_read(rec);
	json_array_foreach(ranges, i, r)
	{
		text_range(o, r, pat_read);
	}
	text_findings(o, rec);
	text_diags(o, rec);
	if (rep_bool(rep_get(rec, "summary"), "incomplete"))
		rep_printf(
		    o, "\nwarning: out of memory; the report is incomplete\n");
	if (rep_str(rec, "capture")[0] != '\0') {
		rep_printf(o, "\ncaptured the files read into ");
		rep_clean(o, rep_str(rec, "capture"));
		rep_printf(o, " (audit it with p2mkit host --root ");
		rep_clean(o, rep_str(rec, "capture"));
		rep_printf(o, ")\n");
	}
}
