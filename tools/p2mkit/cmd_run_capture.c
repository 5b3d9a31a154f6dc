// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit run --from-capture DIR: a scenario skeleton from a tree written
 * by `p2mkit host --capture` (on a host or inside a guest): the MTRRs and
 * PAT as found, every PCI function with memory BARs as a guest device, a
 * policy for the CPU vendor, and boot + touch events.  The user completes
 * it (docs/run.md "From a real machine"); as written it runs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_run.h"
#include "host/host.h"

/* @s with control and non-ASCII bytes as '?': text from the captured
 * tree cannot break the YAML it is written into or drive a terminal. */
static void put_clean(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f
		          ? '?'
		          : *s,
		      f);
}

static bool is_mtrr_msr(uint32_t msr)
{
	return msr == P2MK_MSR_MTRR_DEF_TYPE ||
	       (msr >= P2MK_MSR_MTRR_PHYSBASE0 && msr < 0x250) ||
	       p2mk_mtrr_fixed_msr_index(msr) >= 0;
}

static void write_mtrrs(FILE *f, const struct p2mk_host *h, unsigned mpa)
{
	fputs("  mtrr:\n", f);
	if (h->mtrr_origin == P2MK_HOST_MTRR_MSR) {
		/* the run replays them on the 8-pair CPU docs/run.md names:
		 * a value that would #GP there is left as a comment */
		struct p2mk_mtrr_config cfg = {8, (uint8_t)mpa, true, true};
		struct p2mk_mtrr_state st;
		struct p2mk_gp gp;
		p2mk_mtrr_init(&st, &cfg);
		for (unsigned i = 0; i < h->msrs.n; i++) {
			uint32_t msr = h->msrs.msr[i];
			uint64_t v = h->msrs.value[i];
			if (!is_mtrr_msr(msr))
				continue;
			bool bad = p2mk_mtrr_wrmsr(&st, msr, v, &gp) != P2MK_OK;
			fprintf(f, "    %s- {msr: 0x%x, value: 0x%llx}%s%s\n",
			        bad ? "# " : "", msr, (unsigned long long)v,
			        bad ? "   # would #GP: " : "",
			        bad ? gp.reason : "");
		}
		return;
	}
	/* /proc/mtrr: variable ranges only; the default type is not
	 * visible, so the skeleton assumes UC (what firmware sets). */
	uint64_t bits = ((UINT64_C(1) << mpa) - 1) & ~UINT64_C(0xfff);
	for (size_t i = 0; i < h->nmtrr_vars && i < 8; i++) {
		const struct p2mk_host_mtrr_var *v = &h->mtrr_vars[i];
		fprintf(f, "    - {msr: 0x%x, value: 0x%llx}\n",
		        P2MK_MSR_MTRR_PHYSBASE0 + 2 * (unsigned)i,
		        (unsigned long long)(v->base | v->type));
		fprintf(f, "    - {msr: 0x%x, value: 0x%llx}\n",
		        P2MK_MSR_MTRR_PHYSMASK0 + 2 * (unsigned)i,
		        (unsigned long long)((~(v->size - 1) & bits) |
		                             P2MK_MTRR_MASK_V));
	}
	fputs("    - {msr: 0x2ff, value: 0xc00}   # default UC (not visible in "
	      "/proc/mtrr)\n",
	      f);
}

static uint64_t pow2_up(uint64_t v)
{
	uint64_t p = 16;
	while (p < v && p != 0)
		p <<= 1;
	return p;
}

/* One guest device per captured function with usable memory BARs. */
static void write_devices(FILE *f, const struct p2mk_host *h)
{
	unsigned slot = 3; /* after the emulated chipset and VGA */
	fputs("  devices:\n", f);
	for (size_t i = 0; i < h->nbars && slot < 32; i++) {
		const struct p2mk_host_bar *b = &h->bars[i];
		if (i > 0 && strcmp(h->bars[i - 1].bdf, b->bdf) == 0)
			continue; /* one entry per function */
		fprintf(f, "    - bdf: \"00:%02x.0\"   # host ", slot++);
		put_clean(f, b->bdf);
		fputs(b->owner[0] ? ", " : "", f);
		put_clean(f, b->owner);
		fputc('\n', f);
		fputs("      bars:\n", f);
		for (size_t j = i;
		     j < h->nbars && strcmp(h->bars[j].bdf, b->bdf) == 0; j++) {
			const struct p2mk_host_bar *c = &h->bars[j];
			bool rom = c->index == P2MK_HOST_ROM_INDEX;
			if (c->index > P2MK_HOST_ROM_INDEX ||
			    (c->is64 && c->index == 5))
				continue;
			fprintf(
			    f,
			    "        - {index: %u, kind: %s, prefetchable: "
			    "%s, size: 0x%llx}\n",
			    c->index,
			    rom       ? "rom"
			    : c->is64 ? "mem64"
			              : "mem32",
			    c->prefetch ? "true" : "false",
			    (unsigned long long)pow2_up(c->end - c->start + 1));
		}
	}
}

static uint64_t ram_bytes(const struct p2mk_host *h)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < h->niomem; i++)
		if (h->iomem[i].depth == 0 &&
		    strcmp(h->iomem[i].name, "System RAM") == 0)
			sum += h->iomem[i].end - h->iomem[i].start + 1;
	sum &= ~((UINT64_C(2) << 20) - 1);
	return sum < (UINT64_C(1) << 30) ? UINT64_C(1) << 30 : sum;
}

static void write_skeleton(FILE *f, const char *dir, const struct p2mk_host *h)
{
	bool amd = h->cpu.vendor == P2MK_HOST_VENDOR_AMD;
	unsigned mpa = h->cpu.phys_bits >= 32 && h->cpu.phys_bits <= 52
	                   ? h->cpu.phys_bits
	                   : 36;
	fputs("# Scenario skeleton from `p2mkit run --from-capture ", f);
	put_clean(f, dir);
	fputs("`.\n# MTRRs, PAT and PCI BARs are as captured; review the "
	      "hypervisor,\n# guest and events sections "
	      "(docs/scenario-format.md), then: p2mkit run FILE\n",
	      f);
	fprintf(f, "name: capture\nhost:\n  vendor: %s\n  maxphyaddr: %u\n",
	        amd ? "amd" : "intel", mpa);
	if (h->mtrr_origin != P2MK_HOST_MTRR_NONE)
		write_mtrrs(f, h, mpa);
	fprintf(f, "hypervisor:\n  policy: %s\n", amd ? "xen-npt" : "xen-ept");
	fprintf(f, "vm:\n  memory: 0x%llx\n  vcpus: 2\n  maxphyaddr: %u\n",
	        (unsigned long long)ram_bytes(h), mpa < 39 ? 39 : mpa);
	if (h->nbars > 0)
		write_devices(f, h);
	fputs("guest:\n  os: linux\n", f);
	for (unsigned i = 0; i < h->msrs.n; i++)
		if (h->msrs.msr[i] == P2MK_MSR_PAT)
			fprintf(f, "  pat: 0x%016llx\n",
			        (unsigned long long)h->msrs.value[i]);
	fputs("events:\n  - boot\n  - touch: all\n", f);
}

/* The skeleton as text (NULL if out of memory). */
static char *skeleton(const char *dir, const struct p2mk_host *h)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f == NULL)
		return NULL;
	write_skeleton(f, dir, h);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Write @text to @path; 0 or an errno. */
static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return errno;
	int err = fputs(text, f) < 0 ? errno : 0;
	if (fclose(f) != 0 && err == 0)
		err = errno;
	return err;
}

int run_from_capture(struct cli_ctx *c, const char *dir, const char *out)
{
	char e[CLI_ECHO_MAX];
	struct p2mk_host *h = malloc(sizeof(*h));
	if (h == NULL)
		return cli_fail(c, CLI_EXIT_FAIL, "out of memory");
	p2mk_host_init(h, dir);
	p2mk_host_collect(h);
	char *text = skeleton(dir, h);
	p2mk_host_free(h);
	free(h);
	if (text == NULL)
		return cli_fail(c, CLI_EXIT_FAIL, "out of memory");
	int err = out != NULL ? write_file(out, text) : 0;
	json_t *rec = err ? NULL
	                  : json_pack("{s:s,s:o,s:s}", "capture", dir, "output",
	                              out ? json_string(out) : json_null(),
	                              "scenario", text);
	free(text);
	if (err != 0)
		return cli_fail(c, CLI_EXIT_FAIL, "cannot write %s: %s",
		                cli_echo(out, e), strerror(err));
	if (rec == NULL) /* the skeleton is ASCII: a path is not UTF-8 */
		return cli_fail(c, CLI_EXIT_USAGE,
		                "--from-capture and --output must be UTF-8 "
		                "paths");
	cli_record(c, rec);
	return CLI_EXIT_OK;
}

void run_capture_text(struct rep_out *out, const json_t *rec)
{
	const char *text = rep_str(rec, "scenario");
	if (!json_is_null(rep_get(rec, "output"))) {
		rep_printf(out, "wrote ");
		rep_clean(out, rep_str(rec, "output"));
		rep_printf(out, "\n");
		return;
	}
	rep_printf(out, "%s", text); /* control bytes cleaned when written */
}
