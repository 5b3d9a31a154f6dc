// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the variable-MTRR planner's input.  The input
 * chooses MAXPHYADDR, VCNT, the default (or auto), MTRRcap.WC and up to 16
 * ranges (frames, counts and types taken raw, so overlapping, empty,
 * too-long and badly typed ranges occur).  Invariants:
 *  - a refused request leaves the plan and the output array untouched;
 *  - an accepted one has count == minimum, status by VCNT, aligned blocks;
 *  - the plan programmed through p2mk_mtrr_wrmsr() gives the requested type
 *    at every range boundary and one frame either side, and
 *    p2mk_mtrr_plan_check() finds no difference;
 *  - under auto no explicit default needs fewer MTRRs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

#define MAXR 16

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes && in->n > 0; i++, in->p++, in->n--)
		v |= (uint64_t)in->p[0] << (8 * i);
	return v;
}

static const uint8_t types[8] = {P2MK_MT_UC, P2MK_MT_WC, P2MK_MT_WT, P2MK_MT_WP,
                                 P2MK_MT_WB, 2,          3,          7};

struct fuzz_req {
	struct p2mk_mtrr_plan_request q;
	struct p2mk_mtrr_plan_range r[MAXR];
	uint64_t ws[P2MK_MTRR_PLAN_WS_WORDS(MAXR)];
	struct p2mk_mtrr_plan_var v[P2MK_MTRR_VCNT_MAX];
};

static void read_request(struct input *in, struct fuzz_req *f)
{
	uint8_t cfg = (uint8_t)take(in, 1);
	f->q = (struct p2mk_mtrr_plan_request){
	    .ranges = f->r,
	    .maxphyaddr = (uint8_t)(32 + take(in, 1) % 21),
	    .vcnt = (uint8_t)(take(in, 1) % 41),
	    .default_type = (cfg & 8) ? P2MK_MTRR_PLAN_AUTO : types[cfg & 7],
	    .no_wc = (cfg & 16) != 0,
	};
	unsigned space_bits = f->q.maxphyaddr - 12u;
	while (in->n > 0 && f->q.nranges < MAXR) {
		uint8_t shape = (uint8_t)take(in, 1);
		/* Frames: mostly within the space, at every scale. */
		unsigned fb = shape & 0x40 ? space_bits : 1 + (shape & 31);
		uint64_t first = take(in, 5) & ((UINT64_C(1) << fb) - 1);
		uint64_t count = take(in, 5) >> (shape >> 7 ? 20 : 0);
		f->r[f->q.nranges++] = (struct p2mk_mtrr_plan_range){
		    p2mk_gfn(first), count,
		    types[(shape >> 5) & 3 ? shape & 7 : shape & 3]};
	}
}

static uint8_t wanted(const struct fuzz_req *f, uint64_t frame, uint8_t d)
{
	for (size_t i = 0; i < f->q.nranges; i++) {
		if (frame >= f->r[i].first.v &&
		    frame - f->r[i].first.v < f->r[i].count)
			return f->r[i].type;
	}
	return d;
}

static void check_frame(const struct p2mk_mtrr_state *s,
                        const struct fuzz_req *f, uint64_t frame, uint8_t d)
{
	if (frame >> (f->q.maxphyaddr - 12))
		return;
	struct p2mk_mtrr_lookup got = p2mk_mtrr_lookup(
	    s, p2mk_gfn_to_gpa(p2mk_gfn(frame)), 0, P2MK_OVERLAP_SDM);
	if (got.kind != P2MK_LOOKUP_TYPE)
		abort();
	if (frame >= 0x100 && got.type != wanted(f, frame, d))
		abort();
}

static bool no_diff(void *ctx, const struct p2mk_mtrr_plan_diff *d)
{
	(void)ctx;
	(void)d;
	abort();
}

static void check_programmed(struct fuzz_req *f, const struct p2mk_mtrr_plan *p)
{
	struct p2mk_mtrr_state s;
	const struct p2mk_mtrr_config cfg = {
	    P2MK_MTRR_VCNT_MAX, f->q.maxphyaddr, true, !f->q.no_wc};
	if (p2mk_mtrr_init(&s, &cfg) != P2MK_OK ||
	    p2mk_mtrr_plan_apply(&s, p, f->v, NULL) != P2MK_OK)
		abort();
	for (size_t i = 0; i < f->q.nranges; i++) {
		uint64_t b[2] = {f->r[i].first.v,
		                 f->r[i].first.v + f->r[i].count};
		for (unsigned j = 0; j < 2; j++) {
			check_frame(&s, f, b[j] - 1, p->default_type);
			check_frame(&s, f, b[j], p->default_type);
			check_frame(&s, f, b[j] + 1, p->default_type);
		}
	}
	unsigned n = 1;
	uint8_t d = f->q.default_type;
	f->q.default_type = P2MK_MTRR_PLAN_AUTO; /* check: the programmed one */
	if (p2mk_mtrr_plan_check(&s, &f->q, f->ws,
	                         P2MK_MTRR_PLAN_WS_WORDS(MAXR), no_diff, NULL,
	                         &n) != P2MK_OK ||
	    n != 0)
		abort();
	f->q.default_type = d;
}

/* Under auto, no explicit default does better. */
static void check_auto(struct fuzz_req *f, const struct p2mk_mtrr_plan *p)
{
	static const uint8_t mt[5] = {P2MK_MT_UC, P2MK_MT_WC, P2MK_MT_WT,
	                              P2MK_MT_WP, P2MK_MT_WB};
	for (unsigned t = 0; t < 5; t++) {
		if (mt[t] == P2MK_MT_WC && f->q.no_wc)
			continue;
		f->q.default_type = mt[t];
		struct p2mk_mtrr_plan e;
		if (p2mk_mtrr_plan(&f->q, f->ws, P2MK_MTRR_PLAN_WS_WORDS(MAXR),
		                   NULL, 0, &e) != P2MK_OK ||
		    e.minimum < p->minimum)
			abort();
	}
	f->q.default_type = P2MK_MTRR_PLAN_AUTO;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	static struct fuzz_req f;
	memset(&f, 0, sizeof(f));
	read_request(&in, &f);
	struct p2mk_mtrr_plan p, p0;
	memset(&p, 0xa5, sizeof(p));
	memset(f.v, 0x5a, sizeof(f.v));
	p0 = p;
	enum p2mk_err err =
	    p2mk_mtrr_plan(&f.q, f.ws, P2MK_MTRR_PLAN_WS_WORDS(MAXR), f.v,
	                   P2MK_MTRR_VCNT_MAX, &p);
	if (err != P2MK_OK) {
		if ((err != P2MK_ERR_INVAL && err != P2MK_ERR_RANGE) ||
		    memcmp(&p, &p0, sizeof(p)) != 0 ||
		    f.v[0].physbase != UINT64_C(0x5a5a5a5a5a5a5a5a))
			abort();
		return 0;
	}
	if ((p.status == P2MK_MTRR_PLAN_OK) != (p.minimum <= f.q.vcnt))
		abort();
	if (p.minimum <= P2MK_MTRR_VCNT_MAX) {
		if (p.count != p.minimum)
			abort();
		for (unsigned i = 0; i < p.count; i++) {
			const struct p2mk_mtrr_plan_var *v = &f.v[i];
			if (v->count == 0 || (v->count & (v->count - 1)) ||
			    (v->first.v & (v->count - 1)))
				abort();
		}
		check_programmed(&f, &p);
	}
	if (f.q.default_type == P2MK_MTRR_PLAN_AUTO)
		check_auto(&f, &p);
	return 0;
}
