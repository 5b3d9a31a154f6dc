// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the guest-aware audit: the input is split at 0xff
 * bytes into cpuinfo, sys/hypervisor/type, the clocksource, three DMI
 * fields and an iomem text; the next bytes give PCI vendor/device IDs to
 * some BARs.  Checks: p2mk_host_parse_word() yields printable ASCII only,
 * identification, the policy decisions, the findings and the JSON record
 * survive any input, and the text rendered from the record carries no
 * control byte but '\n'.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next 0xff-terminated field of [*pos, size). */
static const char *field(const uint8_t *data, size_t size, size_t *pos,
                         size_t *len)
{
	size_t s = *pos, e = s;
	while (e < size && data[e] != 0xff)
		e++;
	*len = e - s;
	*pos = e < size ? e + 1 : e;
	return (const char *)data + s;
}

static void word(const uint8_t *data, size_t size, size_t *pos, char *out,
                 size_t outsz)
{
	size_t len;
	const char *t = field(data, size, pos, &len);
	(void)p2mk_host_parse_word(t, len, out, outsz);
	for (const char *p = out; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			abort();
	}
}

static void add_bars(struct p2mk_host *h, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i + 5 <= n && h->nbars < 8; i += 5) {
		struct p2mk_host_bar *b = calloc(1, sizeof(*b));
		struct p2mk_host_bar *nb =
		    realloc(h->bars, (h->nbars + 1) * sizeof(*nb));
		if (b == NULL || nb == NULL) {
			free(b);
			if (nb != NULL)
				h->bars = nb;
			return;
		}
		h->bars = nb;
		snprintf(b->bdf, sizeof(b->bdf), "0000:00:%02zx.0", i / 5);
		b->index = d[i] % 7u;
		b->start = UINT64_C(0xf0000000) + (uint64_t)i * 0x100000;
		b->end = b->start + 0xfffff;
		b->prefetch = d[i] & 0x80;
		b->ids_known = d[i] & 0x40;
		b->vendor = (uint16_t)(d[i + 1] | d[i + 2] << 8);
		b->device = (uint16_t)(d[i + 3] | d[i + 4] << 8);
		h->bars[h->nbars++] = *b;
		h->cap_bars = h->nbars;
		free(b);
	}
}

static void render_clean(const json_t *rec)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f == NULL)
		return;
	struct rep_out o = rep_open(f);
	p2mk_host_text(&o, rec);
	fclose(f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c < 0x20 && c != '\n') || c == 0x7f)
			abort();
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2mk_host *h = malloc(sizeof(*h));
	if (h == NULL)
		return 0;
	p2mk_host_init(h, "/nonexistent-fuzz-root");
	size_t pos = 0, len;
	const char *t = field(data, size, &pos, &len);
	(void)p2mk_host_parse_cpuinfo(h, t, len, "proc/cpuinfo");
	struct p2mk_host_guest *g = &h->guest;
	word(data, size, &pos, g->hv_type, sizeof(g->hv_type));
	word(data, size, &pos, g->clocksource, sizeof(g->clocksource));
	word(data, size, &pos, g->dmi_vendor, sizeof(g->dmi_vendor));
	word(data, size, &pos, g->dmi_product, sizeof(g->dmi_product));
	word(data, size, &pos, g->dmi_bios, sizeof(g->dmi_bios));
	t = field(data, size, &pos, &len);
	(void)p2mk_host_parse_iomem(h, t, len, "proc/iomem");
	t = field(data, size, &pos, &len);
	(void)p2mk_host_parse_pat_list(h, t, len, "pat_memtype_list");
	add_bars(h, data + pos, size - pos);
	p2mk_host_guest_identify(h);
	p2mk_host_analyze(h);
	json_t *j = p2mk_host_to_json(h);
	if (j == NULL)
		abort();
	render_clean(j);
	json_decref(j);
	p2mk_host_free(h);
	free(h);
	return 0;
}
