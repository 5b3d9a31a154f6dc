/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers for the layout tests: building inputs, running a planner, and
 * replaying its MTRR writes through the mtrr layer to read back the
 * effective type of any page.
 */
#ifndef TEST_LAYOUT_COMMON_H
#define TEST_LAYOUT_COMMON_H

#include "test_support.h"

#include <stdio.h>
#include <string.h>

#include <p2mkit/layout.h>
#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

#define KIB(x) ((uint64_t)(x) << 10)
#define MIB(x) ((uint64_t)(x) << 20)
#define GIB(x) ((uint64_t)(x) << 30)

static inline uint64_t gfn_bytes_t(p2mk_gfn_t f)
{
	return p2mk_gfn_to_gpa(f).v;
}

static inline void tl_input(struct p2mk_layout_input *in, uint64_t ram)
{
	p2mk_layout_input_init(in);
	in->ram_pages = p2mk_gpa_to_gfn(p2mk_gpa(ram)).v;
}

static inline struct p2mk_layout_dev *tl_dev(struct p2mk_layout_input *in,
                                             uint8_t devfn, uint16_t vendor,
                                             uint16_t device,
                                             uint16_t class_code, uint8_t pin)
{
	struct p2mk_layout_dev *d = &in->devs[in->ndevs++];
	*d = (struct p2mk_layout_dev){.devfn = devfn,
	                              .vendor = vendor,
	                              .device = device,
	                              .class_code = class_code,
	                              .int_pin = pin};
	return d;
}

static inline void tl_bar(struct p2mk_layout_dev *d, uint8_t index,
                          enum p2mk_bar_kind kind, bool pref, uint64_t size)
{
	d->bars[d->nbars++] = (struct p2mk_layout_bar){index, kind, pref, size};
}

static inline void tl_reserved(struct p2mk_layout_input *in, uint64_t start,
                               uint64_t end)
{
	in->reserved[in->nreserved++] = (struct p2mk_layout_region){
	    p2mk_gpa_to_gfn(p2mk_gpa(start)),
	    p2mk_gpa_to_gfn(p2mk_gpa(end - start)).v};
}

/* Runs @mode into a buffer that lives until the next call. */
static inline struct p2mk_layout_output *
tl_run(const struct p2mk_layout_input *in, enum p2mk_layout_mode mode)
{
	static struct p2mk_layout_output out;
	assert_int_equal(p2mk_layout_run(in, mode, &out), P2MK_OK);
	assert_int_equal(out.mode, mode);
	return &out;
}

static inline const struct p2mk_layout_bar_result *
tl_res(const struct p2mk_layout_output *out, unsigned dev, unsigned index)
{
	for (unsigned i = 0; i < out->nbars; i++) {
		if (out->bars[i].dev == dev && out->bars[i].index == index)
			return &out->bars[i];
	}
	fail_msg("no result for dev %u BAR %u", dev, index);
	return NULL;
}

static inline bool tl_has(const struct p2mk_layout_output *out,
                          enum p2mk_layout_finding_kind k)
{
	for (unsigned i = 0; i < out->nfindings; i++) {
		if (out->findings[i].kind == k)
			return true;
	}
	return false;
}

/* The variable pairs written must be exactly these UC blocks, in order. */
static inline void tl_expect_var_writes(const struct p2mk_layout_output *out,
                                        unsigned pa, const uint64_t *base,
                                        const uint64_t *size, unsigned n)
{
	uint64_t am = ((UINT64_C(1) << pa) - 1) & ~UINT64_C(0xfff);
	unsigned k = 0;
	for (unsigned i = 0; i < out->nwrites; i++) {
		uint32_t msr = out->writes[i].msr;
		if (msr < 0x200 || msr >= 0x250)
			continue;
		unsigned pair = (msr - 0x200) / 2;
		assert_true(pair < n);
		if (msr & 1)
			assert_int_equal(out->writes[i].value,
			                 (~(size[pair] - 1) & am) | 0x800);
		else
			assert_int_equal(out->writes[i].value, base[pair] | 0);
		k++;
	}
	assert_int_equal(k, 2 * n);
}

/* Replays the writes on a fresh vCPU (cap FIX | WC | VCNT). */
static inline void tl_replay(const struct p2mk_layout_input *in,
                             const struct p2mk_layout_output *out,
                             struct p2mk_mtrr_state *s)
{
	struct p2mk_mtrr_config cfg = {in->vcnt, in->maxphyaddr, true, true};
	assert_int_equal(p2mk_mtrr_init(s, &cfg), P2MK_OK);
	for (unsigned i = 0; i < out->nwrites; i++) {
		struct p2mk_gp gp;
		enum p2mk_err e = p2mk_mtrr_wrmsr(s, out->writes[i].msr,
		                                  out->writes[i].value, &gp);
		if (e != P2MK_OK)
			fail_msg("write %u msr %#x value %#llx: %s", i,
			         out->writes[i].msr,
			         (unsigned long long)out->writes[i].value,
			         gp.reason);
	}
}

static inline unsigned tl_lookup(const struct p2mk_mtrr_state *s, uint64_t pa)
{
	struct p2mk_mtrr_lookup l =
	    p2mk_mtrr_lookup(s, p2mk_gpa(pa), 0, P2MK_OVERLAP_SDM);
	return l.kind == P2MK_LOOKUP_TYPE ? l.type : 0x100u + l.kind;
}

static inline unsigned tl_effective(const struct p2mk_layout_input *in,
                                    const struct p2mk_layout_output *out,
                                    uint64_t pa)
{
	static struct p2mk_mtrr_state s;
	tl_replay(in, out, &s);
	return tl_lookup(&s, pa);
}

/* The intended type of @pa (>= 1 MiB): an intent range or the default. */
static inline unsigned tl_intended(const struct p2mk_layout_output *out,
                                   uint64_t pa)
{
	for (unsigned i = 0; i < out->nintent; i++) {
		uint64_t s = gfn_bytes_t(out->intent[i].first);
		if (pa >= s &&
		    pa - s < gfn_bytes_t(p2mk_gfn(out->intent[i].pages)))
			return out->intent[i].type;
	}
	return out->def_type;
}

/*
 * Every write is accepted, and (when @exact) the effective type equals the
 * intended one at every intent boundary +- one page and at every BAR's
 * first and last page.  Returns the number of points checked.
 */
static inline unsigned tl_check_replay(const struct p2mk_layout_input *in,
                                       const struct p2mk_layout_output *out,
                                       bool exact)
{
	static struct p2mk_mtrr_state s;
	unsigned checked = 0;
	tl_replay(in, out, &s);
	if (!exact)
		return 0;
	uint64_t limit = UINT64_C(1) << in->maxphyaddr;
	for (unsigned i = 0; i < out->nintent + out->nbars; i++) {
		uint64_t a, b;
		if (i < out->nintent) {
			a = gfn_bytes_t(out->intent[i].first);
			b = a + gfn_bytes_t(p2mk_gfn(out->intent[i].pages));
		} else {
			const struct p2mk_layout_bar_result *r =
			    &out->bars[i - out->nintent];
			if (!r->placed || r->kind == P2MK_BAR_IO)
				continue;
			a = r->addr.v;
			b = a + (r->size < 4096 ? 4096 : r->size);
		}
		const uint64_t pts[4] = {a - 4096, a, b - 4096, b};
		for (unsigned k = 0; k < 4; k++) {
			if (pts[k] < MIB(1) || pts[k] >= limit)
				continue;
			unsigned got = tl_lookup(&s, pts[k]);
			unsigned want = tl_intended(out, pts[k]);
			if (got != want)
				fail_msg("pa %#llx: effective %u, intended %u",
				         (unsigned long long)pts[k], got, want);
			checked++;
		}
	}
	return checked;
}

#endif /* TEST_LAYOUT_COMMON_H */
