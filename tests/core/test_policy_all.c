// SPDX-License-Identifier: BSD-2-Clause
/*
 * Every policy's outcome for RAM, MMIO, prefetchable MMIO, grant, special
 * and cacheable device pages, in two domain variants, checked against
 * values transcribed from the spec (landscape §2, x86 §11, arm64 §8,
 * xen §6/§10); and docs/policies.md checked against a table generated
 * from the code.  Set P2MK_PRINT_DOC=1 to print the generated table.
 */
#include "test_policy_env.h"

#include <stdio.h>
#include <stdlib.h>

enum { NCOLS = 6 };

static const char *const col_names[NCOLS] = {
    "RAM",   "MMIO (vfio BAR)", "prefetchable MMIO",
    "grant", "special page",    "cacheable device memory"};

struct col {
	unsigned type;
	uint64_t gfn, mfn;
};

/* The pages of the reference domain (see doc_domain). */
static const struct col cols[NCOLS] = {
    {P2MK_P2M_RAM_RW, 0x100, 0x100},
    {P2MK_P2M_MMIO_DIRECT, 0xd0000, 0xd0000},
    {P2MK_P2M_MMIO_DIRECT, 0xe0000, 0xe0000},
    {P2MK_P2M_GRANT_RW, 0xf0000, 0x200}, /* inside the UC MMIO hole */
    {P2MK_P2M_RAM_RW, 0xf1000, 0x5000},  /* a special MFN */
    {P2MK_P2M_MMIO_DIRECT, 0x100000, 0x200000},
};

/*
 * The reference domain: IOMMU on, one assigned device with a BAR, a
 * prefetchable BAR and a cacheable coherent-memory region; hvmloader's
 * guest MTRRs (default WB, UC hole 3-4 GiB); host MTRRs WB.  Variant 1
 * is non-coherent DMA on x86 and no FWB/DIC on arm64.
 */
static void doc_domain(struct tenv *e, unsigned arch, int variant)
{
	tenv_init(e, arch);
	e->cfg.iommu = true;
	e->cfg.iommu_snoop = true;
	e->cfg.self_snoop = true;
	e->cfg.full_cacheability = true;
	e->cfg.noncoherent_dma = variant == 1;
	e->cfg.fwb = variant == 0;
	e->cfg.dic = variant == 0;
	e->pdevs = 1;
	e->io[e->nio++] =
	    (struct p2mk_io_range){{p2mk_mfn(0xd0000), 0x1000}, P2MK_IO_VFIO};
	e->io[e->nio++] = (struct p2mk_io_range){
	    {p2mk_mfn(0xe0000), 0x1000}, P2MK_IO_VFIO | P2MK_IO_PREFETCHABLE};
	e->io[e->nio++] =
	    (struct p2mk_io_range){{p2mk_mfn(0x200000), 0x100000},
	                           P2MK_IO_VFIO | P2MK_IO_HOST_CACHEABLE};
	e->special[e->nspecial++] =
	    (struct p2mk_mfn_range){p2mk_mfn(0x5000), 1};
	tenv_var(&e->vcpu[0], 0, 0xc0000000, 0x40000000, P2MK_MT_UC);
	tenv_enable(&e->vcpu[0], P2MK_MT_WB, true);
}

static void cells(const struct p2mk_policy *p, int variant, char out[NCOLS][40])
{
	struct tenv e;
	doc_domain(&e, p->arch, variant);
	for (int c = 0; c < NCOLS; c++) {
		struct p2mk_policy_out o = tenv_decide(
		    p, &e, cols[c].type, 0, cols[c].gfn, cols[c].mfn);
		p2mk_policy_out_str(p->arch, &o, out[c], 40);
	}
}

/* Transcribed expectations: variant 0 row, then variant 1 row. */
struct expect {
	const char *policy;
	const char *v[2][NCOLS];
};

#define SAME(...)                                                              \
	{                                                                      \
		{__VA_ARGS__},                                                 \
		{                                                              \
			__VA_ARGS__                                            \
		}                                                              \
	}

static const struct expect expected[] = {
    /* xen §6 rows 7, 4, 4, 4', 3, 4. */
    {"xen-ept", SAME("WB", "UC", "UC", "WB+IPAT", "WB+IPAT", "UC")},
    {"xen-ept-cdf", SAME("WB", "UC", "UC", "WB+IPAT", "WB+IPAT", "UC")},
    /* Single pages: exactly xen-ept (xen §6 at order 0). */
    {"xen-ept-exact", SAME("WB", "UC", "UC", "WB+IPAT", "WB+IPAT", "UC")},
    /* xen §10 NPT column; special pages get nothing on AMD (§15). */
    {"xen-npt", SAME("hPAT0 WB", "hPAT2 UC-", "hPAT2 UC-", "hPAT0 WB",
                     "hPAT0 WB", "hPAT2 UC-")},
    /* x86 §11. */
    {"kvm-x86-6.10",
     {{"WB+IPAT", "UC", "UC", "WB+IPAT", "WB+IPAT", "UC"},
      {"WB", "UC", "UC", "UC", "UC", "UC"}}},
    {"kvm-x86-6.11",
     {{"WB+IPAT", "UC", "UC", "WB+IPAT", "WB+IPAT", "UC"},
      {"WB", "UC", "UC", "WB", "WB", "UC"}}},
    {"kvm-x86-noquirk", SAME("WB", "UC", "UC", "WB", "WB", "UC")},
    {"kvm-svm", SAME("hPAT0 WB", "hPAT0 WB", "hPAT0 WB", "hPAT0 WB", "hPAT0 WB",
                     "hPAT0 WB")},
    /* landscape §3.8, §3.4. */
    {"bhyve",
     SAME("WB+IPAT", "UC+IPAT", "UC+IPAT", "WB+IPAT", "WB+IPAT", "UC+IPAT")},
    {"acrn", SAME("WB", "UC", "UC", "WB", "WB+IPAT", "UC")},
    /* arm64 §8. */
    {"kvm-arm64-6.8",
     {{"Normal-WB forced (FWB)", "Device-nGnRE", "Device-nGnRE",
       "Normal-WB forced (FWB)", "Normal-WB forced (FWB)", "Device-nGnRE"},
      {"Normal-WB", "Device-nGnRE", "Device-nGnRE", "Normal-WB", "Normal-WB",
       "Device-nGnRE"}}},
    {"kvm-arm64-6.9",
     {{"Normal-WB forced (FWB)", "Normal-NC (FWB)", "Normal-NC (FWB)",
       "Normal-WB forced (FWB)", "Normal-WB forced (FWB)", "Normal-NC (FWB)"},
      {"Normal-WB", "Normal-NC", "Normal-NC", "Normal-WB", "Normal-WB",
       "Normal-NC"}}},
    {"kvm-arm64-pfnmap",
     {{"Normal-WB forced (FWB)", "Normal-NC (FWB)", "Normal-NC (FWB)",
       "Normal-WB forced (FWB)", "Normal-WB forced (FWB)",
       "Normal-WB forced (FWB)"},
      {"Normal-WB", "Normal-NC", "Normal-NC", "Normal-WB", "Normal-WB",
       "refused"}}},
    /* landscape §3.2, §3.3. */
    {"hafnium", SAME("Normal-WB", "Device-nGnRnE", "Device-nGnRnE", "Normal-WB",
                     "Normal-WB", "Device-nGnRnE")},
    {"bao", SAME("Normal-WB", "Device-GRE", "Device-GRE", "Normal-WB",
                 "Normal-WB", "Device-GRE")},
};

static void every_policy_outcome_cell_by_cell(void **state)
{
	(void)state;
	size_t n = sizeof(expected) / sizeof(expected[0]);
	assert_int_equal(n, p2mk_policy_count());
	for (size_t i = 0; i < n; i++) {
		const struct p2mk_policy *p =
		    p2mk_policy_find(expected[i].policy);
		if (p == NULL) {
			fail_msg("no policy %s", expected[i].policy);
			return;
		}
		assert_non_null(p->summary);
		assert_non_null(p->source);
		for (int v = 0; v < 2; v++) {
			char got[NCOLS][40];
			cells(p, v, got);
			for (int c = 0; c < NCOLS; c++) {
				if (strcmp(got[c], expected[i].v[v][c]) != 0)
					fail_msg("%s variant %d %s: got '%s' "
					         "want '%s'",
					         p->name, v, col_names[c],
					         got[c], expected[i].v[v][c]);
			}
		}
	}
}

static void not_present_everywhere(void **state)
{
	(void)state;
	for (unsigned i = 0; i < p2mk_policy_count(); i++) {
		const struct p2mk_policy *p = p2mk_policy_at(i);
		struct tenv e;
		doc_domain(&e, p->arch, 0);
		struct p2mk_policy_out o =
		    tenv_decide(p, &e, P2MK_P2M_MMIO_DM, 0, 0x100, 0x100);
		assert_int_equal(o.kind, P2MK_POL_NONE);
		assert_ptr_equal(p2mk_policy_find(p->name), p);
	}
	assert_null(p2mk_policy_find("no-such-policy"));
	assert_null(p2mk_policy_at(p2mk_policy_count()));
}

/* ---- docs/policies.md ------------------------------------------------ */

static const char *variant_name(unsigned arch, int v)
{
	if (arch == P2MK_ARCH_ARM64)
		return v == 0 ? "FWB+DIC" : "no FWB";
	return v == 0 ? "coherent DMA" : "non-coherent DMA";
}

/* Render the generated table into @buf (markdown). */
static void render(char *buf, size_t len)
{
	size_t pos = 0;
	pos += (size_t)snprintf(buf + pos, len - pos, "| policy | domain |");
	for (int c = 0; c < NCOLS; c++)
		pos += (size_t)snprintf(buf + pos, len - pos, " %s |",
		                        col_names[c]);
	pos += (size_t)snprintf(buf + pos, len - pos, "\n|---|---|");
	for (int c = 0; c < NCOLS; c++)
		pos += (size_t)snprintf(buf + pos, len - pos, "---|");
	pos += (size_t)snprintf(buf + pos, len - pos, "\n");
	for (unsigned i = 0; i < p2mk_policy_count(); i++) {
		const struct p2mk_policy *p = p2mk_policy_at(i);
		char row[2][NCOLS][40];
		memset(row, 0, sizeof(row));
		cells(p, 0, row[0]);
		cells(p, 1, row[1]);
		bool same = memcmp(row[0], row[1], sizeof(row[0])) == 0;
		for (int v = 0; v < (same ? 1 : 2); v++) {
			pos += (size_t)snprintf(
			    buf + pos, len - pos, "| `%s` | %s |", p->name,
			    same ? "any" : variant_name(p->arch, v));
			for (int c = 0; c < NCOLS; c++)
				pos += (size_t)snprintf(buf + pos, len - pos,
				                        " %s |", row[v][c]);
			pos += (size_t)snprintf(buf + pos, len - pos, "\n");
		}
	}
	assert_true(pos < len);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

static void policies_doc_table_matches_code(void **state)
{
	(void)state;
	static char table[1 << 14];
	render(table, sizeof(table));
	if (getenv("P2MK_PRINT_DOC") != NULL)
		fputs(table, stdout);
	const char *src = getenv("P2MK_SOURCE_DIR");
	if (src == NULL)
		skip();
	char path[4096];
	snprintf(path, sizeof(path), "%s/docs/policies.md", src);
	char *doc = read_file(path);
	if (doc == NULL) {
		fail_msg("cannot read %s", path);
		return;
	}
	const char *begin_mark = "<!-- BEGIN GENERATED: test_policy_all -->\n";
	char *b = strstr(doc, begin_mark);
	char *e = strstr(doc, "<!-- END GENERATED -->");
	if (b == NULL || e == NULL) {
		fail_msg("generated-table markers missing in %s", path);
		return;
	}
	b += strlen(begin_mark);
	*e = '\0';
	if (strcmp(b, table) != 0)
		fail_msg("docs/policies.md is out of date; regenerate with "
		         "P2MK_PRINT_DOC=1 %s",
		         "build/tests/test_policy_all");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_policy_outcome_cell_by_cell),
	    cmocka_unit_test(not_present_everywhere),
	    cmocka_unit_test(policies_doc_table_matches_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
