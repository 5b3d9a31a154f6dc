// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the MSR write path.  The input chooses a CPU
 * configuration, then a sequence of WRMSRs (to the MTRR/PAT MSRs and their
 * neighbours) and lookups.  Invariants checked on every step:
 *  - a write that #GPs leaves the state byte-for-byte unchanged and names a
 *    reason; a write that succeeds reads back the written value;
 *  - lookups never crash and a block answer agrees with its pages when the
 *    block is uniform;
 *  - save/restore round-trips the whole state.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

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

static uint32_t pick_msr(struct input *in)
{
	static const uint32_t interesting[] = {
	    0xfe,  0x2ff, 0x277, 0x250, 0x258, 0x259, 0x268, 0x26f,
	    0x200, 0x201, 0x20e, 0x20f, 0x24e, 0x24f, 0x1f2, 0x270};
	uint8_t sel = (uint8_t)take(in, 1);
	if (sel < 0xf0)
		return interesting[sel % 16] +
		       (sel >= 0x80 ? 2u * (sel % 20) : 0);
	return (uint32_t)take(in, 4);
}

static void check_write(struct p2mk_mtrr_state *s, uint32_t msr, uint64_t v)
{
	struct p2mk_mtrr_state before = *s;
	struct p2mk_gp gp = {0};
	enum p2mk_err err = p2mk_mtrr_wrmsr(s, msr, v, &gp);
	if (err != P2MK_OK) {
		if (err != P2MK_ERR_GP || gp.reason == NULL ||
		    memcmp(&before, s, sizeof(before)) != 0)
			abort();
		return;
	}
	uint64_t back = 0;
	if (p2mk_mtrr_rdmsr(s, msr, &back, NULL) != P2MK_OK || back != v)
		abort();
}

static void check_lookup(const struct p2mk_mtrr_state *s, uint64_t pa,
                         unsigned order, enum p2mk_overlap ov)
{
	struct p2mk_mtrr_lookup r =
	    p2mk_mtrr_lookup(s, p2mk_gpa(pa), order, ov);
	if (r.rule == NULL || r.kind > P2MK_LOOKUP_UNDEFINED)
		abort();
	if (r.kind != P2MK_LOOKUP_TYPE && r.kind != P2MK_LOOKUP_UNDEFINED)
		return;
	/* A uniform block: its first and last pages give the same answer. */
	uint64_t first = pa & ~((UINT64_C(1) << (order + 12)) - 1);
	uint64_t last = first + ((UINT64_C(1) << (order + 12)) - 4096);
	struct p2mk_mtrr_lookup a = p2mk_mtrr_lookup(s, p2mk_gpa(first), 0, ov);
	struct p2mk_mtrr_lookup b = p2mk_mtrr_lookup(s, p2mk_gpa(last), 0, ov);
	if (a.kind != r.kind || b.kind != r.kind || a.type != r.type ||
	    b.type != r.type)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	uint8_t cfg_byte = (uint8_t)take(&in, 1);
	const struct p2mk_mtrr_config cfg = {
	    .vcnt = (uint8_t)(take(&in, 1) % 41),
	    .maxphyaddr = (uint8_t)(32 + take(&in, 1) % 21),
	    .fixed = cfg_byte & 1,
	    .wc = cfg_byte & 2,
	};
	struct p2mk_mtrr_state s;
	if (p2mk_mtrr_init(&s, &cfg) != P2MK_OK)
		abort();
	while (in.n > 0) {
		uint8_t op = (uint8_t)take(&in, 1);
		if (op & 1) {
			uint64_t pa = take(&in, 6) << 12;
			check_lookup(&s, pa, (unsigned)(take(&in, 1) % 20),
			             (enum p2mk_overlap)(op >> 1 & 3));
			continue;
		}
		uint32_t msr = pick_msr(&in);
		check_write(&s, msr, take(&in, 8));
	}
	struct p2mk_mtrr_record rec;
	p2mk_mtrr_save(&s, &rec);
	struct p2mk_mtrr_state t;
	if (p2mk_mtrr_restore(&t, &rec, NULL) != P2MK_OK ||
	    memcmp(&s, &t, sizeof(s)) != 0)
		abort();
	return 0;
}
