// SPDX-License-Identifier: BSD-2-Clause
/*
 * ARM64 stage-1 x stage-2 combination checked against the spec's tables
 * (shared/spec/arm64-memory-attributes.md §3, §4, §5.2, §6), plus the
 * "never more permissive than either stage" property with FWB = 0.
 */
#include "test_support.h"

#include <string.h>

#include <p2mkit/memtype.h>

#define ALL_FEAT (P2MK_A64_FEAT_XS | P2MK_A64_FEAT_MTE2)

/* Stage-1 attributes of the tables: every Device subtype, NC, WT, WB. */
static const uint8_t s1_bytes[7] = {0x00, 0x04, 0x08, 0x0c, 0x44, 0xbb, 0xff};

static struct p2mk_a64_ctl ctl_fwb(bool fwb)
{
	struct p2mk_a64_ctl c = {.fwb = fwb, .features = ALL_FEAT};
	return c;
}

/*
 * FWB = 0: every MemAttr value (rows) against the seven stage-1 attributes
 * (columns).  Written out from arm64 §3 (decode) and §5.1/§5.2 (combine);
 * e.g. row 0x1 is the §5.2 "Device-nGnRE" column, rows 0x5/0xa/0xf its
 * NC/WT/WB columns.
 */
static const char *const fwb0[16][7] = {
    [0x0] = {"Device-nGnRnE", "Device-nGnRnE", "Device-nGnRnE", "Device-nGnRnE",
             "Device-nGnRnE", "Device-nGnRnE", "Device-nGnRnE"},
    [0x1] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGnRE", "Device-nGnRE",
             "Device-nGnRE", "Device-nGnRE", "Device-nGnRE"},
    [0x2] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-nGRE",
             "Device-nGRE", "Device-nGRE", "Device-nGRE"},
    [0x3] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE",
             "Device-GRE", "Device-GRE", "Device-GRE"},
    [0x4] = {"UNPREDICTABLE", "UNPREDICTABLE", "UNPREDICTABLE", "UNPREDICTABLE",
             "UNPREDICTABLE", "UNPREDICTABLE", "UNPREDICTABLE"},
    [0x5] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE",
             "Normal-INC-ONC", "Normal-INC-ONC", "Normal-INC-ONC"},
    [0x6] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE",
             "Normal-INC-ONC", "Normal-IWT-ONC", "Normal-IWT-ONC"},
    [0x7] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE",
             "Normal-INC-ONC", "Normal-IWT-ONC", "Normal-IWB-ONC"},
    [0x8] = {"UNPREDICTABLE", "UNPREDICTABLE", "UNPREDICTABLE", "UNPREDICTABLE",
             "UNPREDICTABLE", "UNPREDICTABLE", "UNPREDICTABLE"},
    [0x9] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE",
             "Normal-INC-ONC", "Normal-INC-OWT", "Normal-INC-OWT"},
    [0xa] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE",
             "Normal-INC-ONC", "Normal-IWT-OWT", "Normal-IWT-OWT"},
    [0xb] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE",
             "Normal-INC-ONC", "Normal-IWT-OWT", "Normal-IWB-OWT"},
    [0xc] = {"UNPREDICTABLE", "UNPREDICTABLE", "UNPREDICTABLE", "UNPREDICTABLE",
             "UNPREDICTABLE", "UNPREDICTABLE", "UNPREDICTABLE"},
    [0xd] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE",
             "Normal-INC-ONC", "Normal-INC-OWT", "Normal-INC-OWB"},
    [0xe] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE",
             "Normal-INC-ONC", "Normal-IWT-OWT", "Normal-IWT-OWB"},
    [0xf] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE",
             "Normal-INC-ONC", "Normal-IWT-OWT", "Normal-IWB-OWB"},
};

static void test_fwb0_every_memattr(void **state)
{
	(void)state;
	struct p2mk_a64_ctl c = ctl_fwb(false);
	for (unsigned v = 0; v < 16; v++) {
		for (unsigned j = 0; j < 7; j++) {
			struct p2mk_a64_result r = p2mk_a64_combine(
			    s1_bytes[j], P2MK_A64_ISH, v, P2MK_A64_ISH, &c);
			const char *got = p2mk_a64_type_name(&r.attr);
			if (strcmp(got, fwb0[v][j]) != 0)
				fail_msg("FWB=0 S2 0x%x x S1 0x%02x: got %s, "
				         "want %s",
				         v, s1_bytes[j], got, fwb0[v][j]);
			assert_true(r.attr.verified);
			bool unpred = (v & 3u) == 0 && v != 0;
			assert_int_equal(r.attr.status,
			                 unpred ? P2MK_A64_UNPREDICTABLE
			                        : P2MK_A64_OK);
			assert_int_equal(r.s2.op, P2MK_A64_S2_COMBINE);
		}
	}
}

/* arm64 §5.1: hints come from stage 1; S1 WB + S2 WT keeps S1's R/W. */
static void test_fwb0_hints_from_s1(void **state)
{
	(void)state;
	struct p2mk_a64_ctl c = ctl_fwb(false);
	/* S1 0x7e: outer 0111 WB transient RWA, inner 1110 WB RA. */
	struct p2mk_a64_result r =
	    p2mk_a64_combine(0x7e, P2MK_A64_ISH, 0xb, P2MK_A64_ISH, &c);
	assert_string_equal(p2mk_a64_type_name(&r.attr), "Normal-IWB-OWT");
	assert_true(r.attr.inner.ra);
	assert_false(r.attr.inner.wa);
	assert_false(r.attr.inner.transient);
	assert_true(r.attr.outer.ra && r.attr.outer.wa);
	assert_true(r.attr.outer.transient);
	/* NC results carry no hints. */
	r = p2mk_a64_combine(0xff, P2MK_A64_ISH, 0x5, P2MK_A64_ISH, &c);
	assert_false(r.attr.inner.ra || r.attr.inner.wa || r.attr.outer.ra);
	/* S1 WT keeps its nibble as-is under S2 WB. */
	r = p2mk_a64_combine(0xbb, P2MK_A64_ISH, 0xf, P2MK_A64_ISH, &c);
	assert_true(r.attr.inner.cache == P2MK_A64_WT && r.attr.inner.ra &&
	            r.attr.inner.wa);
}

/*
 * FWB = 1, MemAttr 0..7 (arm64 §4).  "S1DEV" marks the cells where S1 is a
 * Device type stronger than the S2 Device: the [R] reading gives the S1
 * type, QEMU the S2 one; which one applies is p2mk_a64_choices.
 */
#define S1DEV NULL
static const char *const fwb1[8][7] = {
    [0] = {"Device-nGnRnE", "Device-nGnRnE", "Device-nGnRnE", "Device-nGnRnE",
           "Device-nGnRnE", "Device-nGnRnE", "Device-nGnRnE"},
    [1] = {S1DEV, "Device-nGnRE", "Device-nGnRE", "Device-nGnRE",
           "Device-nGnRE", "Device-nGnRE", "Device-nGnRE"},
    [2] = {S1DEV, S1DEV, "Device-nGRE", "Device-nGRE", "Device-nGRE",
           "Device-nGRE", "Device-nGRE"},
    [3] = {S1DEV, S1DEV, S1DEV, "Device-GRE", "Device-GRE", "Device-GRE",
           "Device-GRE"},
    [4] = {"RESERVED", "RESERVED", "RESERVED", "RESERVED", "RESERVED",
           "RESERVED", "RESERVED"},
    [5] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE",
           "Normal-INC-ONC", "Normal-INC-ONC", "Normal-INC-ONC"},
    [6] = {"Normal-IWB-OWB", "Normal-IWB-OWB", "Normal-IWB-OWB",
           "Normal-IWB-OWB", "Normal-IWB-OWB", "Normal-IWB-OWB",
           "Normal-IWB-OWB"},
    [7] = {"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE",
           "Normal-INC-ONC", "Normal-IWT-OWT", "Normal-IWB-OWB"},
};

static const char *const dev_name[4] = {"Device-nGnRnE", "Device-nGnRE",
                                        "Device-nGRE", "Device-GRE"};

static void test_fwb1_every_memattr(void **state)
{
	(void)state;
	struct p2mk_a64_ctl c = ctl_fwb(true);
	for (unsigned v = 0; v < 8; v++) {
		for (unsigned j = 0; j < 7; j++) {
			struct p2mk_a64_result r = p2mk_a64_combine(
			    s1_bytes[j], P2MK_A64_ISH, v, P2MK_A64_ISH, &c);
			const char *want = fwb1[v][j];
			bool choice = want == S1DEV;
			if (choice)
				want = p2mk_a64_choices.fwb_dev_vs_s1_dev ==
				               P2MK_A64_FWB_DEV_STRONGER
				           ? dev_name[j]
				           : dev_name[v];
			const char *got = p2mk_a64_type_name(&r.attr);
			if (strcmp(got, want) != 0)
				fail_msg("FWB=1 S2 %u x S1 0x%02x: got %s, "
				         "want %s",
				         v, s1_bytes[j], got, want);
			/* Flagged exactly where the readings disagree. */
			assert_int_equal(r.attr.verified, !choice);
			assert_int_equal(r.attr.status, v == 4
			                                    ? P2MK_A64_RESERVED
			                                    : P2MK_A64_OK);
		}
	}
}

/* FWB = 1: MemAttr[3] is RES0 except 0b1110 with FEAT_MTE_PERM (§4). */
static void test_fwb1_bit3(void **state)
{
	(void)state;
	struct p2mk_a64_ctl c = ctl_fwb(true);
	for (unsigned v = 8; v < 16; v++) {
		struct p2mk_a64_result r =
		    p2mk_a64_combine(0xff, P2MK_A64_ISH, v, P2MK_A64_ISH, &c);
		assert_int_equal(r.attr.status, P2MK_A64_RESERVED);
		assert_string_equal(p2mk_a64_type_name(&r.attr), "RESERVED");
		assert_int_equal(r.hazards, 0);
	}
	c.features |= P2MK_A64_FEAT_MTE_PERM;
	struct p2mk_a64_result r =
	    p2mk_a64_combine(0xf0, P2MK_A64_ISH, 0xe, P2MK_A64_ISH, &c);
	assert_int_equal(r.attr.status, P2MK_A64_OK);
	assert_string_equal(p2mk_a64_type_name(&r.attr), "Normal-IWB-OWB");
	assert_true(r.attr.notagaccess);
	assert_false(r.attr.tagged);
	r = p2mk_a64_combine(0xff, P2MK_A64_ISH, 0xd, P2MK_A64_ISH, &c);
	assert_int_equal(r.attr.status, P2MK_A64_RESERVED);
}

/* FWB 110 forced WB: hints from S1 if S1 cacheable, else RWA (§4). */
static void test_fwb1_forced_wb_hints(void **state)
{
	(void)state;
	struct p2mk_a64_ctl c = ctl_fwb(true);
	struct p2mk_a64_result r =
	    p2mk_a64_combine(0x44, P2MK_A64_ISH, 6, P2MK_A64_ISH, &c);
	assert_true(r.attr.inner.ra && r.attr.inner.wa &&
	            !r.attr.inner.transient);
	r = p2mk_a64_combine(0x00, P2MK_A64_ISH, 6, P2MK_A64_ISH, &c);
	assert_true(r.attr.outer.ra && r.attr.outer.wa);
	r = p2mk_a64_combine(0xa8, P2MK_A64_ISH, 6, P2MK_A64_ISH, &c);
	/* 0xa8: outer 1010 WT RA, inner 1000 WT no-allocate. */
	assert_true(r.attr.outer.ra && !r.attr.outer.wa);
	assert_false(r.attr.inner.ra || r.attr.inner.wa);
	assert_string_equal(p2mk_a64_type_name(&r.attr), "Normal-IWB-OWB");
}

static void test_s2_decode_unpredictable_and_mte_perm(void **state)
{
	(void)state;
	for (unsigned v = 4; v < 16; v += 4) {
		struct p2mk_a64_s2 s = p2mk_a64_s2_decode(v, false, ALL_FEAT);
		assert_int_equal(s.attr.status, P2MK_A64_UNPREDICTABLE);
		assert_int_equal(s.attr.kind, P2MK_A64_NONE);
	}
	struct p2mk_a64_s2 s =
	    p2mk_a64_s2_decode(4, false, P2MK_A64_FEAT_MTE_PERM);
	assert_int_equal(s.attr.status, P2MK_A64_OK);
	assert_true(s.attr.notagaccess);
	assert_string_equal(p2mk_a64_type_name(&s.attr), "Normal-IWB-OWB");
	s = p2mk_a64_s2_decode(16, false, 0);
	assert_int_equal(s.attr.status, P2MK_A64_BAD_INPUT);
	s = p2mk_a64_s2_decode(16, true, 0);
	assert_int_equal(s.attr.status, P2MK_A64_BAD_INPUT);
	/* A decode made for the other FWB setting is refused. */
	struct p2mk_a64_attr s1 = p2mk_a64_mair_decode(0xff, 0);
	struct p2mk_a64_ctl c = ctl_fwb(true);
	s = p2mk_a64_s2_decode(0xf, false, 0);
	struct p2mk_a64_result r =
	    p2mk_a64_combine_attrs(&s1, P2MK_A64_ISH, &s, P2MK_A64_ISH, &c);
	assert_int_equal(r.attr.status, P2MK_A64_BAD_INPUT);
}

/* Linux KVM's constants (arm64 §3, §4) decode to what Linux means. */
static void test_linux_constants(void **state)
{
	(void)state;
	struct p2mk_a64_s2 s = p2mk_a64_s2_decode(P2MK_A64_S2_NORMAL, false, 0);
	assert_string_equal(p2mk_a64_type_name(&s.attr), "Normal-IWB-OWB");
	s = p2mk_a64_s2_decode(P2MK_A64_S2_NORMAL_NC, false, 0);
	assert_string_equal(p2mk_a64_type_name(&s.attr), "Normal-INC-ONC");
	s = p2mk_a64_s2_decode(P2MK_A64_S2_DEVICE_nGnRE, false, 0);
	assert_string_equal(p2mk_a64_type_name(&s.attr), "Device-nGnRE");
	s = p2mk_a64_s2_decode(P2MK_A64_S2_FWB_NORMAL, true, 0);
	assert_int_equal(s.op, P2MK_A64_S2_FWB_FORCE_WB);
	s = p2mk_a64_s2_decode(P2MK_A64_S2_FWB_NORMAL_NC, true, 0);
	assert_int_equal(s.op, P2MK_A64_S2_FWB_NC);
	s = p2mk_a64_s2_decode(P2MK_A64_S2_FWB_DEVICE_nGnRE, true, 0);
	assert_int_equal(s.op, P2MK_A64_S2_FWB_DEVICE);
	assert_int_equal(s.attr.dev, P2MK_A64_nGnRE);
	s = p2mk_a64_s2_decode(P2MK_A64_S2_FWB_AS_S1, true, 0);
	assert_int_equal(s.op, P2MK_A64_S2_FWB_USE_S1);
	assert_int_equal(s.attr.status, P2MK_A64_OK);
	assert_string_equal(p2mk_a64_type_name(&s.attr), "as-stage-1");
}

/* p2mk_a64_s2_encode() inverts the decode wherever an encoding exists. */
static void test_s2_encode_roundtrip(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 16; v++) {
		struct p2mk_a64_s2 s = p2mk_a64_s2_decode(v, false, 0);
		uint8_t m = 0xff;
		bool ok = p2mk_a64_s2_encode(&s.attr, false, &m);
		assert_int_equal(ok, s.attr.status == P2MK_A64_OK);
		if (ok)
			assert_int_equal(m, v);
	}
	for (unsigned v = 0; v < 4; v++) {
		struct p2mk_a64_s2 s = p2mk_a64_s2_decode(v, true, 0);
		uint8_t m = 0xff;
		assert_true(p2mk_a64_s2_encode(&s.attr, true, &m));
		assert_int_equal(m, v);
	}
	uint8_t m = 0xff;
	struct p2mk_a64_attr nc = p2mk_a64_mair_decode(0x44, 0);
	assert_true(p2mk_a64_s2_encode(&nc, true, &m));
	assert_int_equal(m, P2MK_A64_S2_FWB_NORMAL_NC);
	struct p2mk_a64_attr wb = p2mk_a64_mair_decode(0xff, 0);
	assert_true(p2mk_a64_s2_encode(&wb, true, &m));
	assert_int_equal(m, P2MK_A64_S2_FWB_NORMAL);
	/* WT has no FWB = 1 encoding: refused, *memattr untouched. */
	struct p2mk_a64_attr wt = p2mk_a64_mair_decode(0xbb, 0);
	m = 0x42;
	assert_false(p2mk_a64_s2_encode(&wt, true, &m));
	assert_int_equal(m, 0x42);
	struct p2mk_a64_attr un = p2mk_a64_mair_decode(0x0e, 0);
	assert_false(p2mk_a64_s2_encode(&un, false, &m));
}

/*
 * Permissiveness order (arm64 §5.1): Device nGnRnE < nGnRE < nGRE < GRE <
 * any Normal; within Normal each level NC < WT < WB.  A result is no more
 * permissive than a stage if it is below it in every component.
 */
static bool not_above(const struct p2mk_a64_attr *r,
                      const struct p2mk_a64_attr *s)
{
	if (s->kind == P2MK_A64_DEVICE)
		return r->kind == P2MK_A64_DEVICE && r->dev <= s->dev;
	if (r->kind == P2MK_A64_DEVICE)
		return true;
	return r->inner.cache <= s->inner.cache &&
	       r->outer.cache <= s->outer.cache;
}

static void test_fwb0_never_more_permissive(void **state)
{
	(void)state;
	unsigned checked = 0;
	for (unsigned cd = 0; cd < 2; cd++) {
		struct p2mk_a64_ctl c = ctl_fwb(false);
		c.cd = cd != 0;
		for (unsigned b = 0; b < 256; b++) {
			struct p2mk_a64_attr s1 =
			    p2mk_a64_mair_decode((uint8_t)b, ALL_FEAT);
			for (unsigned v = 0; v < 16; v++) {
				struct p2mk_a64_s2 s2 =
				    p2mk_a64_s2_decode(v, false, ALL_FEAT);
				struct p2mk_a64_result r =
				    p2mk_a64_combine_attrs(&s1, P2MK_A64_ISH,
				                           &s2, P2MK_A64_ISH,
				                           &c);
				if (s1.status != P2MK_A64_OK ||
				    s2.attr.status != P2MK_A64_OK) {
					assert_int_not_equal(r.attr.status,
					                     P2MK_A64_OK);
					assert_int_equal(r.attr.kind,
					                 P2MK_A64_NONE);
					continue;
				}
				assert_int_equal(r.attr.status, P2MK_A64_OK);
				if (!not_above(&r.attr, &s1) ||
				    !not_above(&r.attr, &s2.attr))
					fail_msg("S1 0x%02x x S2 0x%x (CD=%u) "
					         "gives %s",
					         b, v, cd,
					         p2mk_a64_type_name(&r.attr));
				/* Equality of order: it is the meet, i.e. the
				 * stronger in every component. */
				if (s1.kind == P2MK_A64_NORMAL &&
				    s2.attr.kind == P2MK_A64_NORMAL && !cd) {
					assert_int_equal(
					    r.attr.inner.cache,
					    s1.inner.cache < s2.attr.inner.cache
					        ? s1.inner.cache
					        : s2.attr.inner.cache);
				}
				checked++;
			}
		}
	}
	/* 236 defined bytes x 13 defined MemAttr values, twice. */
	assert_int_equal(checked, 2 * 236 * 13);
}

/* Device subtypes: the meet of all 16 ordered pairs (arm64 §5.1). */
static void test_device_pairs(void **state)
{
	(void)state;
	struct p2mk_a64_ctl c = ctl_fwb(false);
	for (unsigned a = 0; a < 4; a++) {
		for (unsigned b = 0; b < 4; b++) {
			struct p2mk_a64_result r =
			    p2mk_a64_combine((uint8_t)(a << 2), P2MK_A64_ISH, b,
			                     P2MK_A64_ISH, &c);
			assert_int_equal(r.attr.kind, P2MK_A64_DEVICE);
			assert_int_equal(r.attr.dev, a < b ? a : b);
		}
	}
}

/* arm64 §6.1: OSH > ISH > NSH from the fields; Device/iNC-oNC forced OSH. */
static void test_shareability(void **state)
{
	(void)state;
	struct p2mk_a64_ctl c = ctl_fwb(false);
	static const unsigned valid[3] = {P2MK_A64_NSH, P2MK_A64_OSH,
	                                  P2MK_A64_ISH};
	for (unsigned i = 0; i < 3; i++) {
		for (unsigned j = 0; j < 3; j++) {
			unsigned a = valid[i], b = valid[j];
			unsigned want =
			    (a == P2MK_A64_OSH || b == P2MK_A64_OSH)
			        ? P2MK_A64_OSH
			    : (a == P2MK_A64_ISH || b == P2MK_A64_ISH)
			        ? P2MK_A64_ISH
			        : P2MK_A64_NSH;
			struct p2mk_a64_result r =
			    p2mk_a64_combine(0xff, a, 0xf, b, &c);
			assert_int_equal(r.sh, want);
			assert_int_equal(r.sh_fields, want);
			assert_false(r.sh_forced);
			/* Device result: OSH whatever the fields. */
			r = p2mk_a64_combine(0xff, a, 0x1, b, &c);
			assert_int_equal(r.sh, P2MK_A64_OSH);
			assert_int_equal(r.sh_fields, want);
			assert_int_equal(r.sh_forced, want != P2MK_A64_OSH);
			/* Normal iNC-oNC result: OSH too. */
			r = p2mk_a64_combine(0xff, a, 0x5, b, &c);
			assert_int_equal(r.sh, P2MK_A64_OSH);
			/* iNC-oWB is not covered by the override. */
			r = p2mk_a64_combine(0xf4, a, 0xf, b, &c);
			assert_string_equal(p2mk_a64_type_name(&r.attr),
			                    "Normal-INC-OWB");
			assert_int_equal(r.sh, want);
		}
	}
	/* FEAT_XS 0x40 is iNC-oNC, so the override applies (QEMU's TODO,
	 * arm64 §9 divergence 2). */
	struct p2mk_a64_result r =
	    p2mk_a64_combine(0x40, P2MK_A64_NSH, 0xf, P2MK_A64_NSH, &c);
	assert_int_equal(r.sh, P2MK_A64_OSH);
	assert_true(r.attr.xs0);
	/* Reserved SH = 0b01 on either side is reported. */
	r = p2mk_a64_combine(0xff, P2MK_A64_SH_RSVD, 0xf, P2MK_A64_ISH, &c);
	assert_int_equal(r.attr.status, P2MK_A64_RESERVED);
	r = p2mk_a64_combine(0xff, P2MK_A64_ISH, 0xf, P2MK_A64_SH_RSVD, &c);
	assert_int_equal(r.attr.status, P2MK_A64_RESERVED);
	assert_int_equal(r.hazards, 0);
	r = p2mk_a64_combine(0xff, 4, 0xf, P2MK_A64_ISH, &c);
	assert_int_equal(r.attr.status, P2MK_A64_BAD_INPUT);
}

/* HCR_EL2.CD / ID (arm64 §3) and DC, stage 1 off (arm64 §6.2). */
static void test_hcr_controls(void **state)
{
	(void)state;
	struct p2mk_a64_ctl c = ctl_fwb(false);
	c.cd = true;
	struct p2mk_a64_result r =
	    p2mk_a64_combine(0xff, P2MK_A64_ISH, 0xf, P2MK_A64_ISH, &c);
	assert_string_equal(p2mk_a64_type_name(&r.attr), "Normal-INC-ONC");
	r = p2mk_a64_combine(0xff, P2MK_A64_ISH, 0x2, P2MK_A64_ISH, &c);
	assert_string_equal(p2mk_a64_type_name(&r.attr), "Device-nGRE");
	/* CD is for data; instruction fetches follow ID. */
	c.ifetch = true;
	r = p2mk_a64_combine(0xff, P2MK_A64_ISH, 0xf, P2MK_A64_ISH, &c);
	assert_string_equal(p2mk_a64_type_name(&r.attr), "Normal-IWB-OWB");
	c.id = true;
	r = p2mk_a64_combine(0xff, P2MK_A64_ISH, 0xf, P2MK_A64_ISH, &c);
	assert_string_equal(p2mk_a64_type_name(&r.attr), "Normal-INC-ONC");

	/* DC: stage 1 ignored, default WB RWA NSH; Tagged with DCT. */
	c = ctl_fwb(false);
	c.dc = true;
	r = p2mk_a64_combine(0x00, P2MK_A64_OSH, 0xf, P2MK_A64_NSH, &c);
	assert_string_equal(p2mk_a64_type_name(&r.attr), "Normal-IWB-OWB");
	assert_int_equal(r.sh, P2MK_A64_NSH);
	assert_false(r.attr.tagged);
	r = p2mk_a64_combine(0x0e, P2MK_A64_ISH, 0xf, P2MK_A64_ISH, &c);
	assert_int_equal(r.attr.status, P2MK_A64_OK); /* S1 byte ignored */
	c.dct = true;
	r = p2mk_a64_combine(0x00, P2MK_A64_ISH, 0xf, P2MK_A64_ISH, &c);
	assert_true(r.attr.tagged);
	r = p2mk_a64_combine(0x00, P2MK_A64_ISH, 0x1, P2MK_A64_ISH, &c);
	assert_string_equal(p2mk_a64_type_name(&r.attr), "Device-nGnRE");

	/* Stage 1 off: data Device-nGnRnE; fetches WT or NC, OSH. */
	c = ctl_fwb(false);
	c.s1_off = true;
	r = p2mk_a64_combine(0xff, P2MK_A64_ISH, 0xf, P2MK_A64_ISH, &c);
	assert_string_equal(p2mk_a64_type_name(&r.attr), "Device-nGnRnE");
	assert_true(r.hazards & P2MK_A64_HZ_UNALIGNED_FAULT);
	c.ifetch = true;
	r = p2mk_a64_combine(0xff, P2MK_A64_NSH, 0xf, P2MK_A64_NSH, &c);
	assert_string_equal(p2mk_a64_type_name(&r.attr), "Normal-INC-ONC");
	c.sctlr_i = true;
	r = p2mk_a64_combine(0xff, P2MK_A64_NSH, 0xf, P2MK_A64_NSH, &c);
	assert_string_equal(p2mk_a64_type_name(&r.attr), "Normal-IWT-OWT");
	assert_int_equal(r.sh, P2MK_A64_OSH);
	/* With FWB, forced WB still wins over stage 1 off. */
	c = ctl_fwb(true);
	c.s1_off = true;
	r = p2mk_a64_combine(0x00, P2MK_A64_ISH, 6, P2MK_A64_ISH, &c);
	assert_string_equal(p2mk_a64_type_name(&r.attr), "Normal-IWB-OWB");

	/* CD with FWB is an UNVERIFIED choice, flagged as such. */
	c = ctl_fwb(true);
	c.cd = true;
	r = p2mk_a64_combine(0xff, P2MK_A64_ISH, 6, P2MK_A64_ISH, &c);
	assert_false(r.attr.verified);
	assert_string_equal(p2mk_a64_type_name(&r.attr),
	                    p2mk_a64_choices.fwb_cd_applies ? "Normal-INC-ONC"
	                                                    : "Normal-IWB-OWB");

	struct p2mk_a64_ctl h = p2mk_a64_ctl_from_hcr(
	    P2MK_HCR_EL2_FWB | P2MK_HCR_EL2_CD | P2MK_HCR_EL2_DC, 0);
	assert_true(h.fwb && h.cd && h.dc && !h.id && !h.dct);
}

/* arm64 §6.2: Tagged survives only into Normal WB RWA. */
static void test_mte_tags(void **state)
{
	(void)state;
	struct p2mk_a64_ctl c = ctl_fwb(false);
	struct p2mk_a64_result r =
	    p2mk_a64_combine(0xf0, P2MK_A64_ISH, 0xf, P2MK_A64_ISH, &c);
	assert_true(r.attr.tagged);
	r = p2mk_a64_combine(0xf0, P2MK_A64_ISH, 0xb, P2MK_A64_ISH, &c);
	assert_false(r.attr.tagged);
	r = p2mk_a64_combine(0xf0, P2MK_A64_ISH, 0x1, P2MK_A64_ISH, &c);
	assert_false(r.attr.tagged);
	c = ctl_fwb(true);
	r = p2mk_a64_combine(0xf0, P2MK_A64_ISH, 6, P2MK_A64_ISH, &c);
	assert_true(r.attr.tagged);
	r = p2mk_a64_combine(0xf0, P2MK_A64_ISH, 7, P2MK_A64_ISH, &c);
	assert_true(r.attr.tagged);
	r = p2mk_a64_combine(0xf0, P2MK_A64_ISH, 5, P2MK_A64_ISH, &c);
	assert_false(r.attr.tagged);
	/* NoTagAccess at stage 2 (FEAT_MTE_PERM) removes the tags. */
	c = ctl_fwb(false);
	c.features |= P2MK_A64_FEAT_MTE_PERM;
	r = p2mk_a64_combine(0xf0, P2MK_A64_ISH, 0x4, P2MK_A64_ISH, &c);
	assert_int_equal(r.attr.status, P2MK_A64_OK);
	assert_true(r.attr.notagaccess);
	assert_false(r.attr.tagged);
}

/* arm64 §7: hazard flags by type. */
static void test_hazards(void **state)
{
	(void)state;
	const unsigned faults =
	    P2MK_A64_HZ_UNALIGNED_FAULT | P2MK_A64_HZ_DC_ZVA_FAULT |
	    P2MK_A64_HZ_MEMCPY_FAULT | P2MK_A64_HZ_ATOMICS_IMPDEF;
	static const unsigned dev_allow[4] = {
	    0,
	    P2MK_A64_HZ_EARLY_ACK,
	    P2MK_A64_HZ_EARLY_ACK | P2MK_A64_HZ_REORDER,
	    P2MK_A64_HZ_EARLY_ACK | P2MK_A64_HZ_REORDER | P2MK_A64_HZ_GATHER,
	};
	struct p2mk_a64_ctl c = ctl_fwb(false);
	for (unsigned d = 0; d < 4; d++) {
		struct p2mk_a64_result r = p2mk_a64_combine(
		    (uint8_t)(d << 2), P2MK_A64_ISH, 0xf, P2MK_A64_ISH, &c);
		assert_int_equal(r.hazards, faults | dev_allow[d]);
	}
	const unsigned normal = P2MK_A64_HZ_GATHER | P2MK_A64_HZ_REORDER |
	                        P2MK_A64_HZ_EARLY_ACK | P2MK_A64_HZ_SPECULATIVE;
	struct p2mk_a64_result r =
	    p2mk_a64_combine(0x44, P2MK_A64_ISH, 0xf, P2MK_A64_ISH, &c);
	assert_int_equal(r.hazards, normal | P2MK_A64_HZ_WRITE_COMBINE);
	r = p2mk_a64_combine(0xff, P2MK_A64_ISH, 0xf, P2MK_A64_ISH, &c);
	assert_int_equal(r.hazards, normal);
	r = p2mk_a64_combine(0xff, P2MK_A64_ISH, 0x8, P2MK_A64_ISH, &c);
	assert_int_equal(r.hazards, 0);
	for (unsigned i = 0; i < P2MK_A64_HZ_COUNT; i++)
		assert_string_not_equal(p2mk_a64_hazard_name(1u << i), "?");
	assert_string_equal(p2mk_a64_hazard_name(0), "?");
	assert_string_equal(p2mk_a64_hazard_name(P2MK_A64_HZ_MEMCPY_FAULT),
	                    "memcpy-fault");
}

/*
 * The vfio prefetchable-BAR case (arm64 §7, §8): guest stage 1 Normal-NC;
 * stage 2 Device-nGnRE before Linux 6.9, Normal-NC from 6.9.
 */
static void test_vfio_bar_before_after_6_9(void **state)
{
	(void)state;
	for (unsigned fwb = 0; fwb < 2; fwb++) {
		struct p2mk_a64_ctl c = ctl_fwb(fwb != 0);
		struct p2mk_a64_result r = p2mk_a64_combine(
		    0x44, P2MK_A64_ISH, P2MK_A64_S2_DEVICE_nGnRE, P2MK_A64_ISH,
		    &c);
		assert_string_equal(p2mk_a64_type_name(&r.attr),
		                    "Device-nGnRE");
		assert_true(r.hazards & P2MK_A64_HZ_MEMCPY_FAULT);
		assert_false(r.hazards & P2MK_A64_HZ_WRITE_COMBINE);
		r = p2mk_a64_combine(0x44, P2MK_A64_ISH, P2MK_A64_S2_NORMAL_NC,
		                     P2MK_A64_ISH, &c);
		assert_string_equal(p2mk_a64_type_name(&r.attr),
		                    "Normal-INC-ONC");
		assert_false(r.hazards & P2MK_A64_HZ_MEMCPY_FAULT);
		assert_true(r.hazards & P2MK_A64_HZ_WRITE_COMBINE);
		/* A guest that asks for Device still gets Device. */
		r = p2mk_a64_combine(0x04, P2MK_A64_ISH, P2MK_A64_S2_NORMAL_NC,
		                     P2MK_A64_ISH, &c);
		assert_string_equal(p2mk_a64_type_name(&r.attr),
		                    "Device-nGnRE");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fwb0_every_memattr),
	    cmocka_unit_test(test_fwb0_hints_from_s1),
	    cmocka_unit_test(test_fwb1_every_memattr),
	    cmocka_unit_test(test_fwb1_bit3),
	    cmocka_unit_test(test_fwb1_forced_wb_hints),
	    cmocka_unit_test(test_s2_decode_unpredictable_and_mte_perm),
	    cmocka_unit_test(test_linux_constants),
	    cmocka_unit_test(test_s2_encode_roundtrip),
	    cmocka_unit_test(test_fwb0_never_more_permissive),
	    cmocka_unit_test(test_device_pairs),
	    cmocka_unit_test(test_shareability),
	    cmocka_unit_test(test_hcr_controls),
	    cmocka_unit_test(test_mte_tags),
	    cmocka_unit_test(test_hazards),
	    cmocka_unit_test(test_vfio_bar_before_after_6_9),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
