// SPDX-License-Identifier: BSD-2-Clause
/*
 * host layer: the captured trees under tests/data/host/ with their expected
 * sources and findings, the parsers line by line (including malformed
 * lines reported with file and line), the MSR device path, capture round
 * trips and the "could not read" reasons.
 */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/host.h"

#include <p2mkit/policy.h>

/* ---- helpers ------------------------------------------------------------ */

static struct p2mk_host *audit(const char *root)
{
	struct p2mk_host *h = malloc(sizeof(*h));
	assert_non_null(h);
	p2mk_host_init(h, root);
	p2mk_host_collect(h);
	p2mk_host_analyze(h);
	return h;
}

static struct p2mk_host *audit_tree(const char *name)
{
	const char *src = getenv("P2MK_SOURCE_DIR");
	char root[4096];
	snprintf(root, sizeof(root), "%s/tests/data/host/%s", src ? src : ".",
	         name);
	return audit(root);
}

static void done(struct p2mk_host *h)
{
	p2mk_host_free(h);
	free(h);
}

/* Number of findings @id (about range @range_name, or any if NULL). */
static unsigned count(const struct p2mk_host *h, const char *id,
                      const char *range_name, int sev)
{
	unsigned n = 0;
	for (size_t i = 0; i < h->nfindings; i++) {
		const struct p2mk_host_finding *f = &h->findings[i];
		if (strcmp(f->id, id) != 0 || (sev >= 0 && (int)f->sev != sev))
			continue;
		if (range_name != NULL &&
		    (f->range < 0 ||
		     strcmp(h->ranges[f->range].name, range_name) != 0))
			continue;
		n++;
	}
	return n;
}

static const struct p2mk_host_range *range(const struct p2mk_host *h,
                                           const char *name, uint64_t start)
{
	for (size_t i = 0; i < h->nranges; i++) {
		if (strcmp(h->ranges[i].name, name) == 0 &&
		    h->ranges[i].start == start)
			return &h->ranges[i];
	}
	fail_msg("no range %s at 0x%llx", name, (unsigned long long)start);
	return NULL;
}

static bool has_diag(const struct p2mk_host *h, const char *file, unsigned line,
                     const char *needle)
{
	for (size_t i = 0; i < h->ndiags; i++) {
		const struct p2mk_host_diag *d = &h->diags[i];
		if (strcmp(d->file, file) == 0 && d->line == line &&
		    strstr(d->msg, needle) != NULL)
			return true;
	}
	return false;
}

static void put(const char *root, const char *rel, const void *data, size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void puts_file(const char *root, const char *rel, const char *text)
{
	put(root, rel, text, strlen(text));
}

static void tmpdir(char *out, size_t outsz)
{
	snprintf(out, outsz, "/tmp/p2mk-host-test-XXXXXX");
	assert_non_null(mkdtemp(out));
}

static void rm_rf(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static const char intel_cpuinfo[] =
    "processor\t: 0\nvendor_id\t: GenuineIntel\n"
    "flags\t\t: fpu msr mtrr pat\n"
    "address sizes\t: 39 bits physical, 48 bits virtual\n\n";

/* ---- the captured trees ------------------------------------------------- */

static void test_workstation(void **state)
{
	(void)state;
	struct p2mk_host *h = audit_tree("workstation-gpu");
	assert_int_equal(h->cpu.vendor, P2MK_HOST_VENDOR_INTEL);
	assert_int_equal(h->src[P2MK_HOST_SRC_PROC_MTRR].status,
	                 P2MK_HOST_READ);
	assert_int_equal(h->src[P2MK_HOST_SRC_MSR].status, P2MK_HOST_MISSING);
	assert_int_equal(h->src[P2MK_HOST_SRC_PAT_LIST].status, P2MK_HOST_READ);
	assert_int_equal(h->mtrr_origin, P2MK_HOST_MTRR_PROC);
	assert_int_equal(h->nmtrr_vars, 4);
	assert_int_equal(h->npat_maps, 5);
	assert_int_equal(h->nbars, 4);
	assert_int_equal(h->ndiags, 0);

	/* GPU BAR1: prefetchable 256 MiB under the UC MTRR, mapped WC. */
	const struct p2mk_host_range *r =
	    range(h, "0000:01:00.0 BAR1", 0xe0000000);
	assert_int_equal(r->seg_count, 1);
	assert_int_equal(h->segs[r->seg_first].kind, P2MK_HOST_MK_TYPE);
	assert_int_equal(h->segs[r->seg_first].type, P2MK_MT_UC);
	assert_int_equal(r->eff_count, 1);
	assert_true(h->effs[r->eff_first].known);
	assert_int_equal(h->effs[r->eff_first].result.type, P2MK_MT_WC);
	assert_int_equal(count(h, "bar-prefetch-uc-mtrr", "0000:01:00.0 BAR1",
	                       P2MK_HOST_INFO),
	                 1);
	/* BAR3: the same MTRR but no WC mapping recorded: a warning. */
	assert_int_equal(count(h, "bar-prefetch-uc-mtrr", "0000:01:00.0 BAR3",
	                       P2MK_HOST_WARNING),
	                 1);
	/* BAR0 (registers) mapped UC-: UC, nothing to report. */
	r = range(h, "0000:01:00.0 BAR0", 0xf6000000);
	assert_int_equal(h->effs[r->eff_first].result.type, P2MK_MT_UC);
	assert_int_equal(
	    count(h, "bar-nonprefetch-wc", "0000:01:00.0 BAR0", -1), 0);
	/* The NIC's non-prefetchable BAR mapped WC. */
	assert_int_equal(count(h, "bar-nonprefetch-wc", "0000:03:00.0 BAR0",
	                       P2MK_HOST_WARNING),
	                 1);
	assert_string_equal(h->bars[3].owner, "igb");
	/* RAM: WB where covered, default (unknown) above 8 GiB, a WC page. */
	r = range(h, "System RAM", 0x100000000);
	assert_int_equal(r->seg_count, 2);
	assert_int_equal(h->segs[r->seg_first].type, P2MK_MT_WB);
	assert_int_equal(h->segs[r->seg_first + 1].kind, P2MK_HOST_MK_DEFAULT);
	assert_int_equal(h->segs[r->seg_first + 1].start, 0x200000000);
	r = range(h, "System RAM", 0x1000);
	assert_int_equal(h->segs[r->seg_first].kind, P2MK_HOST_MK_FIXED);
	assert_int_equal(count(h, "ram-default-unknown", NULL, P2MK_HOST_INFO),
	                 1);
	assert_int_equal(count(h, "ram-pat-mapping", NULL, P2MK_HOST_INFO), 1);
	assert_int_equal(count(h, "ram-not-wb", NULL, -1), 0);
	assert_int_equal(p2mk_host_count_findings(h, P2MK_HOST_ERROR), 0);
	assert_int_equal(p2mk_host_count_findings(h, P2MK_HOST_WARNING), 2);
	done(h);
}

static void test_server(void **state)
{
	(void)state;
	struct p2mk_host *h = audit_tree("server-many-bars");
	assert_int_equal(h->cpu.vendor, P2MK_HOST_VENDOR_AMD);
	assert_int_equal(h->src[P2MK_HOST_SRC_MSR].status, P2MK_HOST_READ);
	assert_string_equal(h->src[P2MK_HOST_SRC_MSR].path,
	                    "dev/cpu/0/msr.txt");
	assert_int_equal(h->src[P2MK_HOST_SRC_PROC_MTRR].status,
	                 P2MK_HOST_NOT_TRIED);
	assert_int_equal(h->mtrr_origin, P2MK_HOST_MTRR_MSR);
	assert_true(h->pat_msr_known);
	assert_int_equal(h->state.def_type, 0xc06);
	assert_int_equal(p2mk_mtrr_vcnt(&h->state), 8);
	assert_int_equal(h->state.maxphyaddr, 48);
	assert_int_equal(h->nbars, 17);
	assert_int_equal(h->ndiags, 0);
	/* AMD RdMem/WrMem bits were stripped, leaving WB (x86 §10.1). */
	assert_int_equal(h->state.fixed[0], P2MK_MT_WB);
	assert_int_equal(
	    count(h, "amd-fixed-rdmem-wrmem", NULL, P2MK_HOST_INFO), 1);
	/* RAM is WB everywhere: fixed ranges below 640 KiB, default above. */
	for (size_t i = 0; i < h->nranges; i++) {
		const struct p2mk_host_range *r = &h->ranges[i];
		if (r->kind != P2MK_HOST_RAM)
			continue;
		assert_int_equal(r->seg_count, 1);
		assert_int_equal(h->segs[r->seg_first].type, P2MK_MT_WB);
	}
	const struct p2mk_host_range *r = range(h, "System RAM", 0x1000);
	assert_int_equal(h->segs[r->seg_first].source, P2MK_SRC_FIXED);
	/* Pairs 2 (WC) and 3 (WT) overlap: undefined (x86 §5.2). */
	assert_int_equal(
	    count(h, "mtrr-undefined-overlap", NULL, P2MK_HOST_ERROR), 2);
	r = range(h, "0000:c1:00.0 BAR0", 0x30000000000);
	assert_int_equal(r->seg_count, 2);
	assert_int_equal(h->segs[r->seg_first].kind, P2MK_HOST_MK_UNDEFINED);
	assert_int_equal(h->segs[r->seg_first].end, 0x300ffffffff);
	assert_int_equal(h->segs[r->seg_first + 1].type, P2MK_MT_WC);
	/* NIC BARs under the WB default type. */
	assert_int_equal(count(h, "bar-mmio-cacheable-mtrr",
	                       "0000:c2:00.0 BAR2", P2MK_HOST_ERROR),
	                 1);
	assert_int_equal(count(h, "bar-prefetch-wb-mtrr", "0000:c2:00.0 BAR0",
	                       P2MK_HOST_WARNING),
	                 1);
	/* GPU 0's 64 GiB BAR is mapped WC (in use); GPU 1's is not. */
	assert_int_equal(count(h, "bar-prefetch-uc-mtrr", "0000:81:00.0 BAR1",
	                       P2MK_HOST_INFO),
	                 1);
	assert_int_equal(count(h, "bar-prefetch-uc-mtrr", "0000:82:00.0 BAR1",
	                       P2MK_HOST_WARNING),
	                 1);
	/* UC- over UC on AMD comes from an UNVERIFIED cell. */
	assert_int_equal(count(h, "amd-unverified", NULL, P2MK_HOST_INFO), 1);
	/* No NVMe BAR is reported: UC MTRR, UC- mapping is right. */
	assert_int_equal(
	    count(h, "bar-prefetch-uc-mtrr", "0000:41:00.0 BAR0", -1) +
	        count(h, "bar-nonprefetch-wc", "0000:41:00.0 BAR0", -1),
	    0);
	assert_int_equal(p2mk_host_count_findings(h, P2MK_HOST_ERROR), 3);
	assert_int_equal(p2mk_host_count_findings(h, P2MK_HOST_WARNING), 2);
	done(h);
}

static void test_vm_no_mtrr(void **state)
{
	(void)state;
	struct p2mk_host *h = audit_tree("vm-no-mtrr");
	assert_int_equal(h->src[P2MK_HOST_SRC_PROC_MTRR].status,
	                 P2MK_HOST_MISSING);
	assert_non_null(
	    strstr(h->src[P2MK_HOST_SRC_PROC_MTRR].reason, "no mtrr flag"));
	assert_int_equal(h->src[P2MK_HOST_SRC_MSR].status, P2MK_HOST_MISSING);
	assert_int_equal(h->mtrr_origin, P2MK_HOST_MTRR_NONE);
	assert_true(h->cpu.hypervisor);
	assert_int_equal(count(h, "no-mtrr", NULL, P2MK_HOST_INFO), 1);
	assert_int_equal(count(h, "guest-view", NULL, P2MK_HOST_INFO), 1);
	/* PAT WC decides without any MTRR; UC- does not. */
	const struct p2mk_host_range *r =
	    range(h, "0000:00:02.0 BAR0", 0xfd000000);
	assert_int_equal(h->segs[r->seg_first].kind, P2MK_HOST_MK_UNKNOWN);
	assert_true(h->effs[r->eff_first].known);
	assert_int_equal(h->effs[r->eff_first].result.type, P2MK_MT_WC);
	r = range(h, "0000:00:03.0 BAR4", 0xfe000000);
	assert_false(h->effs[r->eff_first].known);
	/* Not being able to read is never a finding about the machine. */
	assert_int_equal(p2mk_host_count_findings(h, P2MK_HOST_ERROR), 0);
	assert_int_equal(p2mk_host_count_findings(h, P2MK_HOST_WARNING), 0);
	done(h);
}

static void test_laptop_nonroot(void **state)
{
	(void)state;
	struct p2mk_host *h = audit_tree("laptop-nonroot");
	assert_int_equal(h->src[P2MK_HOST_SRC_PAT_LIST].status,
	                 P2MK_HOST_DENIED);
	assert_int_equal(h->src[P2MK_HOST_SRC_MSR].status, P2MK_HOST_DENIED);
	assert_int_equal(h->src[P2MK_HOST_SRC_IOMEM].status,
	                 P2MK_HOST_UNUSABLE);
	assert_non_null(strstr(h->src[P2MK_HOST_SRC_IOMEM].reason, "root"));
	assert_int_equal(h->niomem, 0);
	assert_int_equal(h->nbars, 3);
	for (size_t i = 0; i < h->nranges; i++)
		assert_int_equal(h->ranges[i].kind, P2MK_HOST_BAR);
	/* Overlapping WB (reg00) and UC (reg02): UC, a defined overlap. */
	const struct p2mk_host_range *r =
	    range(h, "0000:00:02.0 BAR2", 0xb0000000);
	assert_int_equal(h->segs[r->seg_first].type, P2MK_MT_UC);
	assert_int_equal(count(h, "mtrr-undefined-overlap", NULL, -1), 0);
	/* Without the PAT list the UC MTRR is only a note. */
	assert_int_equal(count(h, "bar-prefetch-uc-mtrr", "0000:00:02.0 BAR2",
	                       P2MK_HOST_INFO),
	                 1);
	assert_int_equal(p2mk_host_count_findings(h, P2MK_HOST_WARNING), 0);
	assert_int_equal(p2mk_host_count_findings(h, P2MK_HOST_ERROR), 0);
	done(h);
}

static void test_malformed_tree(void **state)
{
	(void)state;
	struct p2mk_host *h = audit_tree("malformed");
	assert_true(has_diag(h, "proc/cpuinfo", 3, "key : value"));
	assert_true(has_diag(h, "proc/cpuinfo", 4, "address sizes"));
	assert_true(has_diag(h, "proc/mtrr", 2, "power of two"));
	assert_true(has_diag(h, "proc/mtrr", 3, "regNN"));
	assert_true(has_diag(h, "proc/mtrr", 4, "unknown MTRR type"));
	assert_true(has_diag(h, "proc/mtrr", 5, "listed twice"));
	const char *pat = "sys/kernel/debug/x86/pat_memtype_list";
	assert_true(has_diag(h, pat, 3, "PAT: [mem"));
	assert_true(has_diag(h, pat, 4, "reversed"));
	assert_true(has_diag(h, pat, 5, "unknown cache-mode"));
	assert_true(has_diag(h, "proc/iomem", 2, "multiple of two"));
	assert_true(has_diag(h, "proc/iomem", 4, "deeper"));
	assert_true(has_diag(h, "proc/iomem", 5, "not inside"));
	assert_true(has_diag(h, "proc/iomem", 6, "START-END"));
	const char *res = "sys/bus/pci/devices/0000:00:02.0/resource";
	assert_true(has_diag(h, res, 2, "end below start"));
	assert_true(has_diag(h, res, 3, "three hex numbers"));
	assert_true(has_diag(h, "sys/bus/pci/devices/0000:00:02.0/config", 0,
	                     "too short"));
	assert_true(has_diag(h, "dev/cpu/0/msr.txt", 3, "0xMSR 0xVALUE"));
	assert_true(has_diag(h, "dev/cpu/0/msr.txt", 4, "listed twice"));
	/* The incomplete MSR capture is unusable; /proc/mtrr is used. */
	assert_int_equal(h->src[P2MK_HOST_SRC_MSR].status, P2MK_HOST_UNUSABLE);
	assert_int_equal(h->mtrr_origin, P2MK_HOST_MTRR_PROC);
	/* Good lines around the bad ones still count. */
	assert_int_equal(h->nmtrr_vars, 2);
	assert_int_equal(h->npat_maps, 2);
	assert_int_equal(h->niomem, 4);
	assert_int_equal(h->nbars, 1);
	assert_int_equal(count(h, "malformed-input", NULL, P2MK_HOST_WARNING),
	                 6);
	done(h);
}

static void test_arm64(void **state)
{
	(void)state;
	struct p2mk_host *h = audit_tree("arm64-server");
	assert_int_equal(h->cpu.vendor, P2MK_HOST_VENDOR_NOT_X86);
	assert_int_equal(h->src[P2MK_HOST_SRC_MSR].status, P2MK_HOST_NOT_X86);
	assert_int_equal(h->src[P2MK_HOST_SRC_PROC_MTRR].status,
	                 P2MK_HOST_NOT_X86);
	assert_int_equal(h->src[P2MK_HOST_SRC_PAT_LIST].status,
	                 P2MK_HOST_NOT_X86);
	assert_int_equal(h->nbars, 1);
	assert_int_equal(count(h, "not-x86", NULL, P2MK_HOST_INFO), 1);
	assert_int_equal(count(h, "no-mtrr", NULL, -1), 0);
	assert_int_equal(h->nfindings, 1);
	done(h);
}

/* ---- parsers ------------------------------------------------------------ */

static void test_parse_proc_mtrr_forms(void **state)
{
	(void)state;
	struct p2mk_host h;
	p2mk_host_init(&h, "/");
	static const char text[] =
	    "reg00: base=0x0c0000000 ( 3072MB), size= 1024MB, count=1: "
	    "uncachable\n"
	    "reg01: base=0x0000f0000 (    0MB), size=   64KB, count=1: "
	    "write-protect\n"
	    "reg02: base=0x100000000 ( 4096MB), size=    4GB, count=1: "
	    "write-back\n"
	    "reg03: base=0xd0000000 (3328MB), size=256MB: write-combining, "
	    "count=1\n"
	    "reg04: base=0x0e0000000 ( 3584MB), size=  128MB, count=2: "
	    "write-through\n";
	assert_int_equal(
	    p2mk_host_parse_proc_mtrr(&h, text, sizeof(text) - 1, "proc/mtrr"),
	    0);
	assert_int_equal(h.nmtrr_vars, 5);
	assert_int_equal(h.mtrr_vars[0].base, 0xc0000000);
	assert_int_equal(h.mtrr_vars[0].size, 1u << 30);
	assert_int_equal(h.mtrr_vars[0].type, P2MK_MT_UC);
	assert_int_equal(h.mtrr_vars[1].size, 64 << 10);
	assert_int_equal(h.mtrr_vars[1].type, P2MK_MT_WP);
	assert_int_equal(h.mtrr_vars[2].size, UINT64_C(4) << 30);
	assert_int_equal(h.mtrr_vars[2].type, P2MK_MT_WB);
	assert_int_equal(h.mtrr_vars[3].type, P2MK_MT_WC);
	assert_int_equal(h.mtrr_vars[4].type, P2MK_MT_WT);
	assert_int_equal(h.mtrr_vars[4].line, 5);
	/* Misaligned base: not one MTRR pair. */
	static const char bad[] = "\nreg05: base=0x0c0100000 ( 3073MB), "
	                          "size=  2MB, count=1: write-back";
	assert_int_equal(
	    p2mk_host_parse_proc_mtrr(&h, bad, sizeof(bad) - 1, "x/mtrr"), 1);
	assert_true(has_diag(&h, "x/mtrr", 2, "aligned"));
	p2mk_host_free(&h);
}

static void test_parse_pat_list_forms(void **state)
{
	(void)state;
	struct p2mk_host h;
	p2mk_host_init(&h, "/");
	static const char text[] =
	    "PAT memtype list:\n"
	    "PAT: [mem 0x00000000f8000000-0x00000000fc000000] "
	    "write-combining\n"
	    "PAT: [mem 0x00000000fed00000-0x00000000fed01000] "
	    "uncached-minus\n"
	    "PAT: [mem 0x0000000080000000-0x0000000080001000] uncached\n"
	    "PAT: [mem 0x0000000090000000-0x0000000090001000] write-back\n"
	    "write-through @ 0xa0000000-0xa0001000\n"
	    "write-protect @ 0xb0000000-0xb0001000\n";
	assert_int_equal(
	    p2mk_host_parse_pat_list(&h, text, sizeof(text) - 1, "pat"), 0);
	assert_int_equal(h.npat_maps, 6);
	assert_int_equal(h.pat_maps[0].start, 0xf8000000);
	assert_int_equal(h.pat_maps[0].end, 0xfc000000);
	assert_int_equal(h.pat_maps[0].type, P2MK_MT_WC);
	assert_int_equal(h.pat_maps[1].type, P2MK_MT_UCM);
	assert_int_equal(h.pat_maps[2].type, P2MK_MT_UC);
	assert_int_equal(h.pat_maps[3].type, P2MK_MT_WB);
	assert_int_equal(h.pat_maps[4].type, P2MK_MT_WT);
	assert_int_equal(h.pat_maps[4].start, 0xa0000000);
	assert_int_equal(h.pat_maps[5].type, P2MK_MT_WP);
	assert_int_equal(h.pat_maps[5].line, 7);
	p2mk_host_free(&h);
}

static void test_parse_iomem_tree(void **state)
{
	(void)state;
	struct p2mk_host h;
	p2mk_host_init(&h, "/");
	static const char text[] = "00001000-0009ffff : System RAM\n"
	                           "c0000000-febfffff : PCI Bus 0000:00\n"
	                           "  e0000000-efffffff : 0000:01:00.0\n"
	                           "    e0000000-e0ffffff : nvidia\n"
	                           "  f0000000-f0ffffff : 0000:02:00.0\n"
	                           "100000000-21fffffff : System RAM\n";
	assert_int_equal(
	    p2mk_host_parse_iomem(&h, text, sizeof(text) - 1, "proc/iomem"), 0);
	assert_int_equal(h.niomem, 6);
	assert_int_equal(h.iomem[0].parent, -1);
	assert_int_equal(h.iomem[2].parent, 1);
	assert_int_equal(h.iomem[3].parent, 2);
	assert_int_equal(h.iomem[3].depth, 2);
	assert_int_equal(h.iomem[4].parent, 1);
	assert_int_equal(h.iomem[5].start, 0x100000000);
	assert_string_equal(h.iomem[3].name, "nvidia");
	p2mk_host_free(&h);
}

static void test_parse_resource_and_config(void **state)
{
	(void)state;
	struct p2mk_host h;
	p2mk_host_init(&h, "/");
	static const char text[] =
	    "0x00000000f6000000 0x00000000f6ffffff 0x0000000000040200\n"
	    "0x00000000e0000000 0x00000000efffffff 0x000000000014220c\n"
	    "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	    "0x000000000000e000 0x000000000000e07f 0x0000000000040101\n"
	    "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	    "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	    "0x00000000f7080000 0x00000000f70fffff 0x0000000000046200\n";
	assert_int_equal(p2mk_host_parse_resource(&h, text, sizeof(text) - 1,
	                                          "res", "0000:01:00.0"),
	                 0);
	/* BAR0 and BAR1 only: BAR3 is I/O, line 7 the ROM. */
	assert_int_equal(h.nbars, 2);
	assert_false(h.bars[0].prefetch);
	assert_true(h.bars[1].prefetch);
	assert_true(h.bars[1].is64);
	assert_int_equal(h.bars[1].index, 1);

	uint8_t cfg[64] = {0x86, 0x80, 0x34, 0x12};
	cfg[0x10] = 0x00; /* BAR0: 32-bit, non-prefetchable */
	cfg[0x13] = 0xf6;
	cfg[0x14] = 0x0c; /* BAR1: 64-bit prefetchable (BAR2 its top half) */
	cfg[0x17] = 0xe0;
	cfg[0x1c] = 0x01; /* BAR3: I/O */
	cfg[0x20] = 0x02; /* BAR4: reserved memory type 1 */
	struct p2mk_host_cfg c;
	assert_int_equal(
	    p2mk_host_parse_config(&h, cfg, sizeof(cfg), "cfg", &c), 1);
	assert_true(has_diag(&h, "cfg", 0, "reserved memory type"));
	assert_int_equal(c.header_type, 0);
	assert_int_equal(c.nbars, 6);
	assert_true(c.bar[0].present && !c.bar[0].is64 && !c.bar[0].prefetch);
	assert_true(c.bar[1].present && c.bar[1].is64 && c.bar[1].prefetch);
	assert_false(c.bar[2].present);
	assert_true(c.bar[3].io);
	assert_false(c.bar[4].present);
	/* A bridge has two BAR registers (here: one 32-bit BAR0, BAR1 0). */
	cfg[0x0e] = 0x81;
	cfg[0x14] = 0x00;
	assert_int_equal(
	    p2mk_host_parse_config(&h, cfg, sizeof(cfg), "cfg", &c), 0);
	assert_int_equal(c.nbars, 2);
	p2mk_host_free(&h);
}

static void test_parse_msr_text(void **state)
{
	(void)state;
	struct p2mk_host h;
	p2mk_host_init(&h, "/");
	static const char text[] = "# comment\n0xfe 0x508\n"
	                           "0x277 0x0007040600070406  # PAT\n"
	                           "0x2ff 0xc00 trailing\n"
	                           "0x123456789 0x0\n";
	assert_int_equal(
	    p2mk_host_parse_msr_text(&h, text, sizeof(text) - 1, "m"), 2);
	assert_int_equal(h.msrs.n, 2);
	assert_int_equal(h.msrs.msr[1], 0x277);
	assert_int_equal(h.msrs.value[1], P2MK_PAT_RESET);
	assert_true(has_diag(&h, "m", 4, "trailing"));
	assert_true(has_diag(&h, "m", 5, "0xMSR"));
	p2mk_host_free(&h);
}

static void test_parsers_survive_odd_bytes(void **state)
{
	(void)state;
	struct p2mk_host h;
	p2mk_host_init(&h, "/");
	/* No trailing newline, an embedded NUL, a CR, a very long line. */
	static const char head[] = "reg00: base=0x0\0 junk\r\n";
	char text[2048];
	memset(text, 'x', sizeof(text));
	memcpy(text, head, sizeof(head) - 1); /* no NUL: bytes, not a string */
	p2mk_host_parse_proc_mtrr(&h, text, sizeof(text), "a");
	p2mk_host_parse_pat_list(&h, text, sizeof(text), "b");
	p2mk_host_parse_iomem(&h, text, sizeof(text), "c");
	p2mk_host_parse_resource(&h, text, sizeof(text), "d", "0000:00:00.0");
	p2mk_host_parse_msr_text(&h, text, sizeof(text), "e");
	p2mk_host_parse_cpuinfo(&h, text, sizeof(text), "f");
	p2mk_host_parse_manifest(&h, text, sizeof(text), "g");
	assert_true(has_diag(&h, "a", 1, "NUL"));
	assert_true(has_diag(&h, "a", 2, "too long"));
	assert_int_equal(h.nmtrr_vars + h.npat_maps + h.niomem + h.nbars, 0);
	p2mk_host_free(&h);
}

/* ---- live-style trees made in /tmp ------------------------------------- */

/*
 * A fake msr device: a regular file cannot stand in for /dev/cpu/0/msr
 * (MSR n lives at byte offset n, so neighbouring MSRs would overlap), so
 * the reads go through the layer's rdmsr hook to this table instead.
 */
static struct {
	unsigned n;
	uint32_t msr[64];
	uint64_t v[64];
} fake_msrs;

static void put_msr(const char *root, uint32_t msr, uint64_t v)
{
	(void)root;
	for (unsigned i = 0; i < fake_msrs.n; i++) {
		if (fake_msrs.msr[i] == msr) {
			fake_msrs.v[i] = v;
			return;
		}
	}
	assert_true(fake_msrs.n < 64);
	fake_msrs.msr[fake_msrs.n] = msr;
	fake_msrs.v[fake_msrs.n++] = v;
}

static int fake_rdmsr(void *ctx, int fd, uint32_t msr, uint64_t *value)
{
	(void)ctx;
	(void)fd;
	for (unsigned i = 0; i < fake_msrs.n; i++) {
		if (fake_msrs.msr[i] == msr) {
			*value = fake_msrs.v[i];
			return 0;
		}
	}
	return 5; /* EIO: what the msr driver gives for a #GP */
}

static struct p2mk_host *audit_fake_msr(const char *root, const char *cap)
{
	struct p2mk_host *h = malloc(sizeof(*h));
	assert_non_null(h);
	p2mk_host_init(h, root);
	if (cap != NULL)
		assert_int_equal(p2mk_host_capture_open(h, cap), 0);
	h->rdmsr = fake_rdmsr;
	p2mk_host_collect(h);
	p2mk_host_analyze(h);
	return h;
}

static void make_msr_machine(const char *root, uint64_t def_type)
{
	puts_file(root, "proc/cpuinfo", intel_cpuinfo);
	puts_file(root, "proc/iomem",
	          "00001000-0009ffff : System RAM\n"
	          "00100000-3fffffff : System RAM\n"
	          "c0000000-febfffff : PCI Bus 0000:00\n"
	          "  d0000000-dfffffff : 0000:01:00.0\n");
	puts_file(root, "sys/bus/pci/devices/0000:01:00.0/resource",
	          "0x00000000d0000000 0x00000000dfffffff 0x0000000000042208\n");
	put(root, "dev/cpu/0/msr", "", 0);
	fake_msrs.n = 0;
	put_msr(root, P2MK_MSR_MTRRCAP, 0x502); /* FIX, WC, 2 pairs */
	put_msr(root, P2MK_MSR_MTRR_DEF_TYPE, def_type);
	put_msr(root, P2MK_MSR_PAT, P2MK_PAT_RESET); /* no WC entry */
	/* Fixed ranges all WB. */
	static const uint32_t fixed[] = {0x250, 0x258, 0x259, 0x268,
	                                 0x269, 0x26a, 0x26b, 0x26c,
	                                 0x26d, 0x26e, 0x26f};
	for (unsigned i = 0; i < 11; i++)
		put_msr(root, fixed[i], 0x0606060606060606);
	/* Pair 0: 0-1 GiB WB; pair 1: 3-4 GiB UC. */
	put_msr(root, 0x200, 0x0 | P2MK_MT_WB);
	put_msr(root, 0x201, 0x7fc0000800);
	put_msr(root, 0x202, 0xc0000000 | P2MK_MT_UC);
	put_msr(root, 0x203, 0x7fc0000800);
}

static void test_msr_device_and_capture(void **state)
{
	(void)state;
	char root[64], cap[64];
	tmpdir(root, sizeof(root));
	tmpdir(cap, sizeof(cap));
	/* E | FE, default UC. */
	make_msr_machine(root, 0xc00);
	struct p2mk_host *h = audit_fake_msr(root, cap);
	assert_int_equal(h->src[P2MK_HOST_SRC_MSR].status, P2MK_HOST_READ);
	assert_int_equal(h->mtrr_origin, P2MK_HOST_MTRR_MSR);
	assert_int_equal(h->msrs.n, 3 + 11 + 4);
	assert_int_equal(h->state.var[1].base, 0xc0000000);
	assert_int_equal(count(h, "pat-no-wc", NULL, P2MK_HOST_WARNING), 1);
	assert_int_equal(count(h, "bar-prefetch-uc-mtrr", "0000:01:00.0 BAR0",
	                       P2MK_HOST_INFO),
	                 1);
	assert_int_equal(count(h, "ram-not-wb", NULL, -1), 0);
	unsigned findings = (unsigned)h->nfindings;
	done(h);

	/* The capture holds the files read, the MSRs as text, the manifest. */
	char path[4096];
	static const char *const expect[] = {
	    "proc/cpuinfo", "proc/iomem", "dev/cpu/0/msr.txt",
	    "sys/bus/pci/devices/0000:01:00.0/resource", "p2mkit-capture.txt"};
	for (unsigned i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "%s/%s", cap, expect[i]);
		assert_int_equal(access(path, R_OK), 0);
	}
	snprintf(path, sizeof(path), "%s/proc/mtrr", cap);
	assert_int_not_equal(access(path, F_OK), 0);
	h = audit(cap);
	assert_int_equal(h->src[P2MK_HOST_SRC_MSR].status, P2MK_HOST_READ);
	assert_string_equal(h->src[P2MK_HOST_SRC_MSR].path,
	                    "dev/cpu/0/msr.txt");
	assert_int_equal(h->nfindings, findings);
	/* debugfs was absent at capture time and the manifest says so. */
	assert_int_equal(h->src[P2MK_HOST_SRC_PAT_LIST].status,
	                 P2MK_HOST_NO_DEBUGFS);
	assert_non_null(
	    strstr(h->src[P2MK_HOST_SRC_PAT_LIST].reason, "at capture time"));
	done(h);
	rm_rf(root);
	rm_rf(cap);
}

static void test_msr_ram_not_wb_and_disabled(void **state)
{
	(void)state;
	char root[64];
	tmpdir(root, sizeof(root));
	/* Enabled, default UC: RAM above 1 GiB is UC. */
	make_msr_machine(root, 0xc00);
	puts_file(root, "proc/iomem", "00100000-7fffffff : System RAM\n");
	struct p2mk_host *h = audit_fake_msr(root, NULL);
	assert_int_equal(count(h, "ram-not-wb", "System RAM", P2MK_HOST_ERROR),
	                 1);
	const struct p2mk_host_range *r = range(h, "System RAM", 0x100000);
	assert_int_equal(r->seg_count, 2);
	assert_int_equal(h->segs[r->seg_first + 1].start, 0x40000000);
	assert_int_equal(h->segs[r->seg_first + 1].type, P2MK_MT_UC);
	done(h);
	/* Disabled: everything UC (x86 §5.2 rule 1). */
	put_msr(root, P2MK_MSR_MTRR_DEF_TYPE, 0x006);
	h = audit_fake_msr(root, NULL);
	assert_int_equal(count(h, "mtrr-disabled", NULL, P2MK_HOST_ERROR), 1);
	assert_int_equal(count(h, "ram-not-wb", NULL, P2MK_HOST_ERROR), 1);
	done(h);
	/* A value no CPU accepts (default type 2): rejected, not used. */
	put_msr(root, P2MK_MSR_MTRR_DEF_TYPE, 0xc02);
	h = audit_fake_msr(root, NULL);
	assert_int_equal(h->src[P2MK_HOST_SRC_MSR].status, P2MK_HOST_UNUSABLE);
	assert_int_equal(count(h, "msr-rejected", NULL, P2MK_HOST_ERROR), 1);
	assert_int_equal(h->mtrr_origin, P2MK_HOST_MTRR_NONE);
	done(h);
	rm_rf(root);
}

static void test_amd_tom2(void **state)
{
	(void)state;
	char root[64];
	tmpdir(root, sizeof(root));
	make_msr_machine(root, 0xc00); /* enabled, default UC */
	puts_file(root, "proc/cpuinfo",
	          "processor\t: 0\nvendor_id\t: AuthenticAMD\n"
	          "address sizes\t: 39 bits physical, 48 bits virtual\n\n");
	puts_file(root, "proc/iomem", "100000000-1ffffffff : System RAM\n");
	/* MtrrTom2En | Tom2ForceMemTypeWB, TOP_MEM2 = 6 GiB (x86 §10.1). */
	put_msr(root, 0xc0010010, (UINT64_C(1) << 21) | (UINT64_C(1) << 22));
	put_msr(root, 0xc001001d, 0x180000000);
	struct p2mk_host *h = audit_fake_msr(root, NULL);
	assert_true(h->tom2_wb);
	assert_int_equal(h->tom2, 0x180000000);
	assert_true(p2mk_host_has_finding(h, "amd-tom2-wb"));
	const struct p2mk_host_range *r = range(h, "System RAM", 0x100000000);
	assert_int_equal(r->seg_count, 2);
	assert_int_equal(h->segs[r->seg_first].type, P2MK_MT_WB);
	assert_int_equal(h->segs[r->seg_first].end, 0x17fffffff);
	assert_int_equal(h->segs[r->seg_first + 1].type, P2MK_MT_UC);
	/* Only the part above TOP_MEM2 is reported. */
	assert_int_equal(count(h, "ram-not-wb", NULL, P2MK_HOST_ERROR), 1);
	done(h);
	/* Without the SYSCFG bits the whole range has the default type. */
	put_msr(root, 0xc0010010, 0);
	h = audit_fake_msr(root, NULL);
	assert_false(h->tom2_wb);
	r = range(h, "System RAM", 0x100000000);
	assert_int_equal(r->seg_count, 1);
	assert_int_equal(h->segs[r->seg_first].type, P2MK_MT_UC);
	done(h);
	rm_rf(root);
}

/* One device with one 32-bit memory BAR0 and a matching config image. */
static void put_bar(const char *root, const char *bdf, uint64_t start,
                    uint64_t size, bool sysfs_prefetch, bool cfg_prefetch)
{
	char rel[256], text[128];
	snprintf(text, sizeof(text), "0x%016llx 0x%016llx 0x%016llx\n",
	         (unsigned long long)start,
	         (unsigned long long)(start + size - 1),
	         (unsigned long long)(0x40200 | (sysfs_prefetch ? 0x2008 : 0)));
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/resource", bdf);
	puts_file(root, rel, text);
	uint8_t cfg[64] = {0x86, 0x80, 0x01, 0x00};
	uint32_t bar = (uint32_t)start | (cfg_prefetch ? 8u : 0u);
	memcpy(cfg + 0x10, &bar, 4); /* little-endian host, as PCI */
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/config", bdf);
	put(root, rel, cfg, sizeof(cfg));
}

static void test_findings_catalogue(void **state)
{
	(void)state;
	char root[64];
	tmpdir(root, sizeof(root));
	puts_file(root, "proc/cpuinfo",
	          "processor\t: 0\nvendor_id\t: GenuineIntel\n"
	          "address sizes\t: 36 bits physical, 48 bits virtual\n\n");
	puts_file(root, "proc/mtrr",
	          "reg00: base=0x000000000 (    0MB), size= 2048MB, count=1: "
	          "write-back\n"
	          "reg03: base=0x080000000 ( 2048MB), size= 1024MB, count=1: "
	          "write-back\n"
	          "reg01: base=0x0c0000000 ( 3072MB), size=  256MB, count=1: "
	          "write-combining\n"
	          "reg02: base=0x0d0000000 ( 3328MB), size=  256MB, count=1: "
	          "uncachable\n");
	puts_file(
	    root, "sys/kernel/debug/x86/pat_memtype_list",
	    "PAT memtype list:\n"
	    "PAT: [mem 0x00000000a0000000-0x00000000a0200000] write-back\n"
	    "PAT: [mem 0x00000000a1000000-0x00000000a1001000] write-back\n"
	    "PAT: [mem 0x00000000d8000000-0x00000000d9000000] "
	    "uncached-minus\n"
	    "PAT: [mem 0x00000000d8000000-0x00000000d8001000] uncached\n");
	put_bar(root, "0000:00:01.0", 0xc0000000, 0x1000000, false, false);
	put_bar(root, "0000:00:02.0", 0xc8000000, 0x10000000, true, true);
	put_bar(root, "0000:00:03.0", 0xa0000000, 0x200000, true, true);
	put_bar(root, "0000:00:04.0", 0xa1000000, 0x1000, false, false);
	put_bar(root, "0000:00:05.0", 0xd8000000, 0x1000000, true, true);
	put_bar(root, "0000:00:06.0", 0xe0000000, 0x100000, true, false);
	/* 64 GiB: above a 36-bit physical address width. */
	puts_file(root, "sys/bus/pci/devices/0000:00:07.0/resource",
	          "0x0000001000000000 0x0000001000003fff 0x0000000000140204\n");
	struct p2mk_host *h = audit(root);
	assert_int_equal(count(h, "bar-nonprefetch-wc-mtrr",
	                       "0000:00:01.0 BAR0", P2MK_HOST_WARNING),
	                 1);
	assert_int_equal(
	    count(h, "bar-mtrr-mixed", "0000:00:02.0 BAR0", P2MK_HOST_WARNING),
	    1);
	assert_int_equal(
	    count(h, "bar-wc-mtrr", "0000:00:02.0 BAR0", P2MK_HOST_INFO), 1);
	assert_int_equal(count(h, "bar-prefetch-wb-mtrr", "0000:00:03.0 BAR0",
	                       P2MK_HOST_WARNING),
	                 1);
	assert_int_equal(count(h, "bar-prefetch-cached", "0000:00:03.0 BAR0",
	                       P2MK_HOST_WARNING),
	                 1);
	assert_int_equal(count(h, "bar-mmio-cacheable-mtrr",
	                       "0000:00:04.0 BAR0", P2MK_HOST_ERROR),
	                 1);
	assert_int_equal(
	    count(h, "bar-mmio-cached", "0000:00:04.0 BAR0", P2MK_HOST_ERROR),
	    1);
	assert_int_equal(count(h, "bar-prefetch-uc-only", "0000:00:05.0 BAR0",
	                       P2MK_HOST_INFO),
	                 1);
	assert_int_equal(count(h, "bar-prefetch-uc-mtrr", "0000:00:05.0 BAR0",
	                       P2MK_HOST_WARNING),
	                 1);
	assert_int_equal(count(h, "pat-alias", NULL, P2MK_HOST_WARNING), 1);
	/* sysfs says prefetchable, the register says not: the register wins. */
	assert_int_equal(
	    count(h, "bar-flags-mismatch", "0000:00:06.0 BAR0", P2MK_HOST_INFO),
	    1);
	assert_int_equal(
	    count(h, "bar-prefetch-uc-mtrr", "0000:00:06.0 BAR0", -1), 0);
	assert_int_equal(count(h, "bar-above-maxphyaddr", "0000:00:07.0 BAR0",
	                       P2MK_HOST_ERROR),
	                 1);
	const struct p2mk_host_range *r =
	    range(h, "0000:00:07.0 BAR0", 0x1000000000);
	assert_int_equal(h->segs[r->seg_first].kind, P2MK_HOST_MK_UNKNOWN);
	done(h);
	rm_rf(root);

	/* No cpuinfo, no sysfs: vendor unknown, BARs only from iomem. */
	tmpdir(root, sizeof(root));
	puts_file(root, "proc/iomem",
	          "c0000000-febfffff : PCI Bus 0000:00\n"
	          "  e0000000-efffffff : 0000:01:00.0\n"
	          "    e0000000-efffffff : amdgpu\n");
	h = audit(root);
	assert_true(p2mk_host_has_finding(h, "vendor-unknown"));
	assert_int_equal(h->nbars, 1);
	assert_true(h->bars[0].from_iomem);
	assert_string_equal(h->bars[0].owner, "amdgpu");
	/* A claimant name that is not UTF-8 still makes valid JSON. */
	snprintf(h->bars[0].owner, sizeof(h->bars[0].owner), "gpu\xff");
	json_t *j = p2mk_host_to_json(h);
	json_t *r0 = json_array_get(json_object_get(j, "ranges"), 0);
	assert_string_equal(json_string_value(json_object_get(r0, "owner")),
	                    "gpu?");
	json_decref(j);
	assert_int_equal(count(h, "bar-flags-unknown", "0000:01:00.0 (iomem)",
	                       P2MK_HOST_INFO),
	                 1);
	done(h);
	rm_rf(root);
}

static void test_debugfs_reasons(void **state)
{
	(void)state;
	char root[64], path[4096];
	tmpdir(root, sizeof(root));
	puts_file(root, "proc/cpuinfo", intel_cpuinfo);
	/* An empty /sys/kernel/debug: not mounted. */
	snprintf(path, sizeof(path), "%s/sys/kernel/debug", root);
	put(root, "sys/kernel/.keep", "", 0);
	assert_int_equal(mkdir(path, 0755), 0);
	struct p2mk_host *h = audit(root);
	assert_int_equal(h->src[P2MK_HOST_SRC_PAT_LIST].status,
	                 P2MK_HOST_NO_DEBUGFS);
	done(h);
	/* Mounted, x86 directory present, no list: PAT is off. */
	put(root, "sys/kernel/debug/x86/.keep", "", 0);
	h = audit(root);
	assert_int_equal(h->src[P2MK_HOST_SRC_PAT_LIST].status,
	                 P2MK_HOST_MISSING);
	assert_non_null(strstr(h->src[P2MK_HOST_SRC_PAT_LIST].reason, "PAT"));
	done(h);
	rm_rf(root);
}

static void test_empty_root(void **state)
{
	(void)state;
	char root[64];
	tmpdir(root, sizeof(root));
	struct p2mk_host *h = audit(root);
	for (int i = 0; i < P2MK_HOST_NSOURCES; i++)
		assert_int_not_equal(h->src[i].status, P2MK_HOST_READ);
	assert_int_equal(h->src[P2MK_HOST_SRC_CPUINFO].status,
	                 P2MK_HOST_MISSING);
	assert_int_equal(h->nranges, 0);
	assert_int_equal(p2mk_host_count_findings(h, P2MK_HOST_ERROR), 0);
	assert_int_equal(p2mk_host_count_findings(h, P2MK_HOST_WARNING), 0);
	assert_true(p2mk_host_has_finding(h, "no-mtrr"));
	json_t *j = p2mk_host_to_json(h);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "sources")),
	                 P2MK_HOST_NSOURCES);
	json_decref(j);
	done(h);
	rm_rf(root);
}

static void test_json_shape(void **state)
{
	(void)state;
	struct p2mk_host *h = audit_tree("workstation-gpu");
	json_t *j = p2mk_host_to_json(h);
	assert_non_null(j);
	json_t *ranges = json_object_get(j, "ranges");
	assert_int_equal(json_array_size(ranges), h->nranges);
	json_t *findings = json_object_get(j, "findings");
	assert_int_equal(json_array_size(findings), h->nfindings);
	json_t *sum = json_object_get(j, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "warnings")),
	                 2);
	/* Rules keep their UTF-8 section signs. */
	json_t *pat = json_object_get(json_array_get(ranges, 4), "pat");
	const char *rule =
	    json_string_value(json_object_get(json_array_get(pat, 0), "rule"));
	assert_non_null(rule);
	assert_non_null(strstr(rule, "x86 \u00a77"));
	/* Addresses are hex strings: JSON numbers lose bits above 2^53. */
	json_t *r0 = json_array_get(ranges, 0);
	assert_true(json_is_string(json_object_get(r0, "start")));
	json_decref(j);
	done(h);
}

/* ---- guests ---------------------------------------------------------------
 */

static const struct p2mk_host_finding *finding(const struct p2mk_host *h,
                                               const char *id)
{
	for (size_t i = 0; i < h->nfindings; i++) {
		if (strcmp(h->findings[i].id, id) == 0)
			return &h->findings[i];
	}
	static const struct p2mk_host_finding none = {.id = ""};
	fail_msg("no finding %s", id);
	return &none;
}

/* Xen HVM on AMD, default hvmloader: the grant table is mapped UC- by the
 * guest (UC MTRR over the platform BAR) and NPT makes that CD (x86 §9.2);
 * guest MTRRs are not what decides it. */
static void test_xen_hvm_amd_grant_table_is_cd(void **state)
{
	(void)state;
	struct p2mk_host *h = audit_tree("xen-hvm-amd");
	assert_int_equal(h->guest.hv, P2MK_HOST_HV_XEN);
	assert_non_null(h->guest.policy);
	assert_string_equal(h->guest.policy->name, "xen-npt");
	assert_true(h->guest.xen_platform_bar >= 0);
	assert_int_equal(h->bars[h->guest.xen_platform_bar].vendor, 0x5853);
	const struct p2mk_host_range *r =
	    range(h, "0000:00:03.0 BAR1", 0xf2000000);
	assert_true(r->hv.known && r->hv.present && !r->hv.ept);
	assert_int_equal(r->hv.hpat_type, P2MK_MT_WB);
	assert_int_equal(r->eff_count, 1);
	const struct p2mk_host_eff *f = &h->effs[r->eff_first];
	assert_int_equal(f->pat, P2MK_MT_UCM);
	/* The bare-metal view would say UC; through NPT it is CD. */
	assert_int_equal(f->result.type, P2MK_MT_UC);
	assert_true(f->hv_known);
	assert_int_equal(f->hv_result.type, P2MK_MT_CD);
	const struct p2mk_host_finding *g = finding(h, "xen-grant-table");
	assert_int_equal(g->sev, P2MK_HOST_WARNING);
	assert_non_null(strstr(g->msg, "grant table"));
	assert_non_null(strstr(g->msg, "effective CD"));
	assert_non_null(strstr(g->msg, "xen_platform_pci_bar_uc=0"));
	assert_non_null(strstr(g->msg, "explain --policy xen-npt"));
	/* No write-combining advice for the grant-table BAR. */
	assert_int_equal(
	    count(h, "bar-prefetch-uc-mtrr", "0000:00:03.0 BAR1", -1), 0);
	assert_int_equal(count(h, "bar-prefetch-uc-only", NULL, -1), 0);
	assert_int_equal(count(h, "guest-view", NULL, P2MK_HOST_INFO), 1);
	/* RAM: hPAT WB, guest WB passes through. */
	r = range(h, "System RAM", 0x100000);
	assert_int_equal(r->hv.p2mt, P2MK_P2M_RAM_RW);
	assert_int_equal(r->hv.hpat_type, P2MK_MT_WB);
	done(h);
}

/* The same guest on Intel: Xen's EPT policy gives WB with IPAT, so the
 * guest's UC- (predicted here: no debugfs) does not matter. */
static void test_xen_hvm_intel_grant_table_is_wb(void **state)
{
	(void)state;
	struct p2mk_host *h = audit_tree("xen-hvm-intel");
	assert_int_equal(h->guest.hv, P2MK_HOST_HV_XEN);
	assert_string_equal(h->guest.policy->name, "xen-ept");
	assert_int_equal(h->src[P2MK_HOST_SRC_PAT_LIST].status,
	                 P2MK_HOST_NO_DEBUGFS);
	const struct p2mk_host_range *r =
	    range(h, "0000:00:03.0 BAR1", 0xf2000000);
	assert_true(r->hv.ept && r->hv.present);
	assert_int_equal(r->hv.emt, P2MK_MT_WB);
	assert_true(r->hv.ipat);
	const struct p2mk_host_finding *g = finding(h, "xen-grant-table");
	assert_int_equal(g->sev, P2MK_HOST_INFO);
	assert_non_null(strstr(g->msg, "predicted"));
	assert_non_null(strstr(g->msg, "UC-"));
	assert_non_null(strstr(g->msg, "effective WB"));
	g = finding(h, "next-step");
	assert_non_null(strstr(g->msg, "debugfs"));
	done(h);
}

/* A KVM guest on Intel: RAM and VRAM WB+IPAT, virtio registers emulated
 * (not present), other BARs UC if assigned; the version is an assumption. */
static void test_kvm_guest(void **state)
{
	(void)state;
	struct p2mk_host *h = audit_tree("kvm-guest");
	assert_int_equal(h->guest.hv, P2MK_HOST_HV_KVM);
	assert_string_equal(h->guest.policy->name, "kvm-x86-6.11");
	assert_int_equal(h->guest.xen_platform_bar, -1);
	const struct p2mk_host_range *r = range(h, "System RAM", 0x100000);
	assert_true(r->hv.present && r->hv.ipat);
	assert_int_equal(r->hv.emt, P2MK_MT_WB);
	r = range(h, "0000:00:01.0 BAR0", 0x80000000);
	assert_int_equal(r->hv.p2mt, P2MK_P2M_RAM_RW);
	assert_true(r->hv.ipat);
	r = range(h, "0000:00:02.0 BAR4", 0x800000000);
	assert_int_equal(r->hv.p2mt, P2MK_P2M_MMIO_DM);
	assert_false(r->hv.present);
	r = range(h, "0000:00:1f.2 BAR5", 0x81002000);
	assert_int_equal(r->hv.p2mt, P2MK_P2M_MMIO_DIRECT);
	assert_int_equal(r->hv.emt, P2MK_MT_UC);
	assert_false(r->hv.ipat);
	assert_int_equal(count(h, "kvm-version-assumed", NULL, P2MK_HOST_INFO),
	                 1);
	assert_int_equal(count(h, "xen-grant-table", NULL, -1), 0);
	done(h);
}

/* Identification from each kind of evidence, and its order of trust. */
static void test_guest_identify(void **state)
{
	(void)state;
	struct p2mk_host *h = malloc(sizeof(*h));
	assert_non_null(h);
	p2mk_host_init(h, "/");
	p2mk_host_guest_identify(h);
	assert_int_equal(h->guest.hv, P2MK_HOST_HV_NONE);
	h->cpu.hypervisor = true;
	p2mk_host_guest_identify(h);
	assert_int_equal(h->guest.hv, P2MK_HOST_HV_UNKNOWN);
	assert_null(h->guest.policy);
	snprintf(h->guest.dmi_vendor, sizeof(h->guest.dmi_vendor), "QEMU");
	h->cpu.vendor = P2MK_HOST_VENDOR_AMD;
	p2mk_host_guest_identify(h);
	assert_int_equal(h->guest.hv, P2MK_HOST_HV_KVM);
	assert_string_equal(h->guest.policy->name, "kvm-svm");
	/* sys/hypervisor/type outranks DMI. */
	snprintf(h->guest.hv_type, sizeof(h->guest.hv_type), "xen");
	p2mk_host_guest_identify(h);
	assert_int_equal(h->guest.hv, P2MK_HOST_HV_XEN);
	assert_string_equal(h->guest.policy->name, "xen-npt");
	assert_non_null(strstr(h->guest.evidence, "sys/hypervisor/type"));
	h->guest.hv_type[0] = '\0';
	h->guest.dmi_vendor[0] = '\0';
	snprintf(h->guest.clocksource, sizeof(h->guest.clocksource),
	         "hyperv_clocksource_tsc_page");
	p2mk_host_guest_identify(h);
	assert_int_equal(h->guest.hv, P2MK_HOST_HV_HYPERV);
	assert_null(h->guest.policy);
	char w[8];
	assert_int_equal(p2mk_host_parse_word("  xen \n", 7, w, sizeof(w)), 0);
	assert_string_equal(w, "xen");
	assert_int_equal(p2mk_host_parse_word("a\x1b[1m", 5, w, sizeof(w)), 1);
	assert_string_equal(w, "a?[1m");
	done(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_workstation),
	    cmocka_unit_test(test_server),
	    cmocka_unit_test(test_vm_no_mtrr),
	    cmocka_unit_test(test_laptop_nonroot),
	    cmocka_unit_test(test_malformed_tree),
	    cmocka_unit_test(test_arm64),
	    cmocka_unit_test(test_parse_proc_mtrr_forms),
	    cmocka_unit_test(test_parse_pat_list_forms),
	    cmocka_unit_test(test_parse_iomem_tree),
	    cmocka_unit_test(test_parse_resource_and_config),
	    cmocka_unit_test(test_parse_msr_text),
	    cmocka_unit_test(test_parsers_survive_odd_bytes),
	    cmocka_unit_test(test_msr_device_and_capture),
	    cmocka_unit_test(test_msr_ram_not_wb_and_disabled),
	    cmocka_unit_test(test_amd_tom2),
	    cmocka_unit_test(test_findings_catalogue),
	    cmocka_unit_test(test_debugfs_reasons),
	    cmocka_unit_test(test_empty_root),
	    cmocka_unit_test(test_json_shape),
	    cmocka_unit_test(test_xen_hvm_amd_grant_table_is_cd),
	    cmocka_unit_test(test_xen_hvm_intel_grant_table_is_wb),
	    cmocka_unit_test(test_kvm_guest),
	    cmocka_unit_test(test_guest_identify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
