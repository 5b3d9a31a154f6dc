// SPDX-License-Identifier: BSD-2-Clause
/*
 * ARM64 memory attributes: MAIR decode, stage-2 MemAttr decode (FWB off and
 * on), the stage-1 x stage-2 combination, shareability and hazard flags.
 * Spec: shared/spec/arm64-memory-attributes.md ("arm64 §N"); the
 * architectural source is the Arm ARM (DDI 0487), chapter D8 "The AArch64
 * Virtual Memory System Architecture", memory attribute and combining rules.
 */
#include <p2mkit/memtype.h>

/*
 * The UNVERIFIED choices (arm64 §11).  Correcting one is a change here; the
 * tests read this table rather than hard-coding the choice.
 */
const struct p2mk_a64_choices p2mk_a64_choices = {
    /* arm64 §4 [R]: the Arm ARM text the spec cites says stronger-of;
     * QEMU returns the S2 subtype alone (arm64 §9 divergence 1). */
    .fwb_dev_vs_s1_dev = P2MK_A64_FWB_DEV_STRONGER,
    /* arm64 §11: unknown whether FWB changes CD.  CD's description
     * (force stage-2 Normal to Non-cacheable) names no FWB exception, so
     * the conservative reading is that it still applies. */
    .fwb_cd_applies = true,
    /* arm64 §2.3: 0xE0's FEAT_MTE_PERM meaning is UNVERIFIED; without a
     * confirmed meaning it stays UNPREDICTABLE (its inner nibble is 0). */
    .mair_e0_unpredictable = true,
};

/* ---- names ----------------------------------------------------------- */

static const char *const dev_names[4] = {
    "Device-nGnRnE",
    "Device-nGnRE",
    "Device-nGRE",
    "Device-GRE",
};

/* [inner][outer], enum p2mk_a64_cache order. */
static const char *const normal_names[3][3] = {
    {"Normal-INC-ONC", "Normal-INC-OWT", "Normal-INC-OWB"},
    {"Normal-IWT-ONC", "Normal-IWT-OWT", "Normal-IWT-OWB"},
    {"Normal-IWB-ONC", "Normal-IWB-OWT", "Normal-IWB-OWB"},
};

const char *p2mk_a64_type_name(const struct p2mk_a64_attr *a)
{
	switch (a->status) {
	case P2MK_A64_OK:
		break;
	case P2MK_A64_UNPREDICTABLE:
		return "UNPREDICTABLE";
	case P2MK_A64_RESERVED:
		return "RESERVED";
	default:
		return "BAD-INPUT";
	}
	if (a->kind == P2MK_A64_DEVICE && a->dev <= P2MK_A64_GRE)
		return dev_names[a->dev];
	if (a->kind == P2MK_A64_NORMAL && a->inner.cache <= P2MK_A64_WB &&
	    a->outer.cache <= P2MK_A64_WB)
		return normal_names[a->inner.cache][a->outer.cache];
	/* The attribute of FWB 111, which imposes nothing (arm64 §4). */
	if (a->kind == P2MK_A64_NONE)
		return "as-stage-1";
	return "BAD-INPUT";
}

const char *p2mk_a64_sh_name(unsigned sh)
{
	switch (sh) {
	case P2MK_A64_NSH:
		return "NSH";
	case P2MK_A64_OSH:
		return "OSH";
	case P2MK_A64_ISH:
		return "ISH";
	default:
		return "SH-reserved";
	}
}

const char *p2mk_a64_status_name(unsigned status)
{
	switch (status) {
	case P2MK_A64_OK:
		return "ok";
	case P2MK_A64_UNPREDICTABLE:
		return "UNPREDICTABLE";
	case P2MK_A64_RESERVED:
		return "reserved";
	default:
		return "bad input";
	}
}

static const char *const hazard_names[P2MK_A64_HZ_COUNT] = {
    "unaligned-fault", "dc-zva-fault", "memcpy-fault",
    "atomics-impdef",  "gather",       "reorder",
    "early-ack",       "speculative",  "write-combine",
};

const char *p2mk_a64_hazard_name(unsigned bit)
{
	for (unsigned i = 0; i < P2MK_A64_HZ_COUNT; i++) {
		if (bit == (1u << i))
			return hazard_names[i];
	}
	return "?";
}

/* ---- constructors ---------------------------------------------------- */

static struct p2mk_a64_attr bad(uint8_t status, const char *rule)
{
	struct p2mk_a64_attr a = {
	    .kind = P2MK_A64_NONE,
	    .status = status,
	    .verified = true,
	    .rule = rule,
	};
	return a;
}

static struct p2mk_a64_attr device(unsigned dd, const char *rule)
{
	struct p2mk_a64_attr a = {
	    .kind = P2MK_A64_DEVICE,
	    .dev = (uint8_t)(dd & 3u),
	    .status = P2MK_A64_OK,
	    .verified = true,
	    .rule = rule,
	};
	return a;
}

static struct p2mk_a64_level level(unsigned cache, bool ra, bool wa,
                                   bool transient)
{
	struct p2mk_a64_level l = {
	    .cache = (uint8_t)cache,
	    .ra = ra,
	    .wa = wa,
	    .transient = transient,
	};
	/* Hints have no meaning on Non-cacheable memory: keep them zero so
	 * equal attributes compare equal. */
	if (cache == P2MK_A64_NC)
		l.ra = l.wa = l.transient = false;
	return l;
}

static struct p2mk_a64_attr normal(struct p2mk_a64_level inner,
                                   struct p2mk_a64_level outer,
                                   const char *rule)
{
	struct p2mk_a64_attr a = {
	    .kind = P2MK_A64_NORMAL,
	    .inner = inner,
	    .outer = outer,
	    .status = P2MK_A64_OK,
	    .verified = true,
	    .rule = rule,
	};
	return a;
}

/* Normal inner and outer WB, RWA, non-transient: MAIR 0xFF. */
static struct p2mk_a64_attr normal_wb_rwa(const char *rule)
{
	return normal(level(P2MK_A64_WB, true, true, false),
	              level(P2MK_A64_WB, true, true, false), rule);
}

static struct p2mk_a64_attr normal_nc(const char *rule)
{
	return normal(level(P2MK_A64_NC, false, false, false),
	              level(P2MK_A64_NC, false, false, false), rule);
}

/* ---- MAIR (arm64 §2) ------------------------------------------------- */

/*
 * One Normal nibble other than 0000 (arm64 §2.2): 00RW WT transient (RW !=
 * 00), 0100 NC, 01RW WB transient (RW != 00), 10RW WT, 11RW WB.
 */
static struct p2mk_a64_level mair_nibble(unsigned n)
{
	bool r = (n & 2u) != 0, w = (n & 1u) != 0;
	switch (n >> 2) {
	case 0:
		return level(P2MK_A64_WT, r, w, true);
	case 1:
		if ((n & 3u) == 0)
			return level(P2MK_A64_NC, false, false, false);
		return level(P2MK_A64_WB, r, w, true);
	case 2:
		return level(P2MK_A64_WT, r, w, false);
	default:
		return level(P2MK_A64_WB, r, w, false);
	}
}

struct p2mk_a64_attr p2mk_a64_mair_decode(uint8_t attr, unsigned features)
{
	unsigned hi = attr >> 4, lo = attr & 0xfu;
	bool xs = (features & P2MK_A64_FEAT_XS) != 0;

	if (hi == 0) {
		/* arm64 §2.1: Attr[3:2] = dd, Attr[1:0] = 00 plain, 01 XS = 0
		 * with FEAT_XS, anything else UNPREDICTABLE. */
		if ((lo & 3u) == 0)
			return device(lo >> 2,
			              "MAIR 0000dd00: Device (arm64 §2.1)");
		if ((lo & 3u) == 1 && xs) {
			struct p2mk_a64_attr a =
			    device(lo >> 2, "MAIR 0000dd01: Device with XS = 0 "
			                    "(FEAT_XS; arm64 §2.1)");
			a.xs0 = true;
			return a;
		}
		if ((lo & 3u) == 1)
			return bad(P2MK_A64_UNPREDICTABLE,
			           "MAIR 0000dd01 without FEAT_XS: "
			           "UNPREDICTABLE (arm64 §2.1)");
		return bad(P2MK_A64_UNPREDICTABLE,
		           "MAIR 0000dd1x: UNPREDICTABLE (arm64 §2.1)");
	}

	if (lo == 0) {
		/* arm64 §2.3: the only defined bytes with inner 0000. */
		struct p2mk_a64_attr a;
		switch (attr) {
		case 0x40:
			if (!xs)
				break;
			a = normal_nc("MAIR 0x40: Normal iNC-oNC, XS = 0 "
			              "(FEAT_XS; arm64 §2.3)");
			a.xs0 = true;
			return a;
		case 0xa0:
			if (!xs)
				break;
			a = normal(level(P2MK_A64_WT, true, false, false),
			           level(P2MK_A64_WT, true, false, false),
			           "MAIR 0xA0: Normal iWT-oWT RA, XS = 0 "
			           "(FEAT_XS; arm64 §2.3)");
			a.xs0 = true;
			return a;
		case 0xf0:
			if (!(features & P2MK_A64_FEAT_MTE2))
				break;
			a = normal_wb_rwa(
			    "MAIR 0xF0: Tagged Normal iWB-oWB RWA "
			    "(FEAT_MTE2; arm64 §2.3)");
			a.tagged = true;
			return a;
		case 0xe0:
			a = bad(P2MK_A64_UNPREDICTABLE,
			        "MAIR 0xE0: inner 0000 is UNPREDICTABLE; a "
			        "FEAT_MTE_PERM meaning is UNVERIFIED "
			        "(arm64 §2.3, §11)");
			a.verified = !p2mk_a64_choices.mair_e0_unpredictable;
			return a;
		default:
			break;
		}
		return bad(
		    P2MK_A64_UNPREDICTABLE,
		    "MAIR inner 0000 with outer != 0000: UNPREDICTABLE "
		    "(arm64 §2.2; 0x40/0xA0 need FEAT_XS, 0xF0 FEAT_MTE2)");
	}

	switch (attr) {
	case 0x44:
		return normal(mair_nibble(lo), mair_nibble(hi),
		              "MAIR 0x44: Normal iNC-oNC (arm64 §2.3)");
	case 0xff:
		return normal(mair_nibble(lo), mair_nibble(hi),
		              "MAIR 0xFF: Normal iWB-oWB RWA non-transient "
		              "(arm64 §2.3)");
	case 0xbb:
		return normal(
		    mair_nibble(lo), mair_nibble(hi),
		    "MAIR 0xBB: Normal iWT-oWT RWA, Linux MT_NORMAL_WT "
		    "(arm64 §2.3)");
	default:
		return normal(mair_nibble(lo), mair_nibble(hi),
		              "MAIR Normal: outer Attr[7:4], inner Attr[3:0] "
		              "(arm64 §2.2)");
	}
}

/* ---- stage 2 (arm64 §3, §4) ----------------------------------------- */

static struct p2mk_a64_level s2_level(unsigned two_bits)
{
	/* 01 NC, 10 WT, 11 WB; stage 2 carries no hints (arm64 §3). */
	return level(two_bits - 1u, false, false, false);
}

struct p2mk_a64_s2 p2mk_a64_s2_decode(unsigned memattr, bool fwb,
                                      unsigned features)
{
	bool mte_perm = (features & P2MK_A64_FEAT_MTE_PERM) != 0;
	struct p2mk_a64_s2 s = {
	    .memattr = (uint8_t)memattr,
	    .fwb = fwb,
	    .op = fwb ? P2MK_A64_S2_FWB_USE_S1 : P2MK_A64_S2_COMBINE,
	};

	if (memattr > 15) {
		s.memattr = 0xff;
		s.attr = bad(P2MK_A64_BAD_INPUT,
		             "stage-2 MemAttr is a 4-bit field (arm64 §3)");
		return s;
	}

	if (!fwb) {
		unsigned o = memattr >> 2, i = memattr & 3u;
		if (o == 0) {
			s.attr = device(i, "S2 MemAttr 00dd: Device, FWB = 0 "
			                   "(arm64 §3)");
		} else if (i != 0) {
			s.attr = normal(s2_level(i), s2_level(o),
			                "S2 MemAttr ooii: Normal, outer [3:2], "
			                "inner [1:0], FWB = 0 (arm64 §3)");
		} else if (memattr == 0x4 && mte_perm) {
			s.attr = normal(level(P2MK_A64_WB, false, false, false),
			                level(P2MK_A64_WB, false, false, false),
			                "S2 MemAttr 0b0100: NoTagAccess Normal "
			                "WB (FEAT_MTE_PERM; arm64 §3)");
			s.attr.notagaccess = true;
		} else {
			s.attr = bad(P2MK_A64_UNPREDICTABLE,
			             "S2 MemAttr oo00 with oo != 00: "
			             "UNPREDICTABLE, FWB = 0 (arm64 §3)");
		}
		return s;
	}

	/* FWB = 1 (arm64 §4): bit 3 is RES0 except MTE_PERM's 0b1110. */
	if (memattr & 8u) {
		if (memattr == 0xe && mte_perm) {
			s.op = P2MK_A64_S2_FWB_FORCE_WB;
			s.attr = normal_wb_rwa("S2 MemAttr 0b1110: NoTagAccess "
			                       "forced WB (FEAT_MTE_PERM; "
			                       "arm64 §4)");
			s.attr.notagaccess = true;
			return s;
		}
		s.attr = bad(P2MK_A64_RESERVED,
		             "S2 MemAttr[3] is RES0 with FWB = 1: reserved "
		             "(arm64 §4)");
		return s;
	}
	switch (memattr) {
	case 0:
	case 1:
	case 2:
	case 3:
		s.op = P2MK_A64_S2_FWB_DEVICE;
		s.attr = device(memattr, "S2 MemAttr 0dd, FWB = 1: Device dd "
		                         "even if S1 is Normal (arm64 §4)");
		break;
	case 4:
		s.attr = bad(P2MK_A64_RESERVED,
		             "S2 MemAttr 0b100, FWB = 1: reserved (arm64 §4; "
		             "QEMU would force Device-nGnRnE)");
		break;
	case 5:
		s.op = P2MK_A64_S2_FWB_NC;
		s.attr = normal_nc("S2 MemAttr 0b101, FWB = 1: Normal-NC "
		                   "unless S1 is Device (arm64 §4)");
		break;
	case 6:
		s.op = P2MK_A64_S2_FWB_FORCE_WB;
		s.attr = normal_wb_rwa("S2 MemAttr 0b110, FWB = 1: forced "
		                       "Normal WB (arm64 §4)");
		break;
	default:
		s.op = P2MK_A64_S2_FWB_USE_S1;
		s.attr = bad(P2MK_A64_OK, "S2 MemAttr 0b111, FWB = 1: stage-1 "
		                          "attributes unchanged (arm64 §4)");
		break;
	}
	return s;
}

struct p2mk_a64_ctl p2mk_a64_ctl_from_hcr(uint64_t hcr, unsigned features)
{
	struct p2mk_a64_ctl c = {
	    .fwb = (hcr & P2MK_HCR_EL2_FWB) != 0,
	    .cd = (hcr & P2MK_HCR_EL2_CD) != 0,
	    .id = (hcr & P2MK_HCR_EL2_ID) != 0,
	    .dc = (hcr & P2MK_HCR_EL2_DC) != 0,
	    .dct = (hcr & P2MK_HCR_EL2_DCT) != 0,
	    .features = features,
	};
	return c;
}

/* ---- hazards (arm64 §7) --------------------------------------------- */

unsigned p2mk_a64_hazards(const struct p2mk_a64_attr *a)
{
	if (a->status != P2MK_A64_OK)
		return 0;
	if (a->kind == P2MK_A64_DEVICE) {
		/* Alignment faults on every Device type regardless of
		 * SCTLR_ELx.A; DC ZVA to Device faults; generic memcpy uses
		 * unaligned LDP/STP and overlapping tails, so it faults. */
		unsigned h =
		    P2MK_A64_HZ_UNALIGNED_FAULT | P2MK_A64_HZ_DC_ZVA_FAULT |
		    P2MK_A64_HZ_MEMCPY_FAULT | P2MK_A64_HZ_ATOMICS_IMPDEF;
		/* The letters are cumulative in dd order (arm64 §2.1): E
		 * from nGnRE up, R from nGRE up, G only in GRE. */
		if (a->dev >= P2MK_A64_nGnRE)
			h |= P2MK_A64_HZ_EARLY_ACK;
		if (a->dev >= P2MK_A64_nGRE)
			h |= P2MK_A64_HZ_REORDER;
		if (a->dev >= P2MK_A64_GRE)
			h |= P2MK_A64_HZ_GATHER;
		return h;
	}
	if (a->kind == P2MK_A64_NORMAL) {
		unsigned h = P2MK_A64_HZ_GATHER | P2MK_A64_HZ_REORDER |
		             P2MK_A64_HZ_EARLY_ACK | P2MK_A64_HZ_SPECULATIVE;
		/* Normal-NC is what Linux's pgprot_writecombine() uses. */
		if (a->inner.cache == P2MK_A64_NC)
			h |= P2MK_A64_HZ_WRITE_COMBINE;
		return h;
	}
	return 0;
}

/* ---- combination (arm64 §4, §5, §6) --------------------------------- */

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/*
 * One level, both Normal, FWB = 0 (arm64 §5.1): the less cacheable wins;
 * if the result is cacheable its hints (allocation and transient) come
 * from stage 1, because stage 2 has none.
 */
static struct p2mk_a64_level combine_level(struct p2mk_a64_level s1,
                                           struct p2mk_a64_level s2)
{
	unsigned c = min_u(s1.cache, s2.cache);
	return level(c, s1.ra, s1.wa, s1.transient);
}

/* Normal WB forced by FWB 110: S1 hints if S1 was cacheable (arm64 §4). */
static struct p2mk_a64_level force_wb_level(struct p2mk_a64_level s1)
{
	if (s1.cache == P2MK_A64_NC)
		return level(P2MK_A64_WB, true, true, false);
	return level(P2MK_A64_WB, s1.ra, s1.wa, s1.transient);
}

static struct p2mk_a64_attr combine_nofwb(const struct p2mk_a64_attr *s1,
                                          const struct p2mk_a64_attr *s2)
{
	if (s1->kind == P2MK_A64_DEVICE || s2->kind == P2MK_A64_DEVICE) {
		unsigned d1 = s1->kind == P2MK_A64_DEVICE ? s1->dev : 3u;
		unsigned d2 = s2->kind == P2MK_A64_DEVICE ? s2->dev : 3u;
		return device(min_u(d1, d2),
		              "either stage Device: Device, the stronger "
		              "subtype (nGnRnE > nGnRE > nGRE > GRE; "
		              "arm64 §5.1)");
	}
	struct p2mk_a64_attr r =
	    normal(combine_level(s1->inner, s2->inner),
	           combine_level(s1->outer, s2->outer),
	           "both Normal: inner and outer independently take the "
	           "less cacheable (NC > WT > WB), hints from S1 "
	           "(arm64 §5.1)");
	r.xs0 = s1->xs0;
	return r;
}

static struct p2mk_a64_attr combine_fwb(const struct p2mk_a64_attr *s1,
                                        const struct p2mk_a64_s2 *s2)
{
	struct p2mk_a64_attr r;
	switch (s2->op) {
	case P2MK_A64_S2_FWB_DEVICE:
		if (s1->kind != P2MK_A64_DEVICE)
			return device(s2->attr.dev,
			              "FWB 0dd: Device dd whatever S1 says "
			              "(arm64 §4)");
		if (p2mk_a64_choices.fwb_dev_vs_s1_dev ==
		    P2MK_A64_FWB_DEV_STRONGER) {
			r = device(min_u(s1->dev, s2->attr.dev),
			           "FWB 0dd with S1 Device: the stronger of "
			           "the two (UNVERIFIED choice; arm64 §4, "
			           "§11)");
		} else {
			r = device(s2->attr.dev,
			           "FWB 0dd with S1 Device: the S2 subtype "
			           "(UNVERIFIED choice, as QEMU; arm64 §4, "
			           "§11)");
		}
		/* Only unverified where the two readings disagree. */
		r.verified = s1->dev >= s2->attr.dev;
		return r;
	case P2MK_A64_S2_FWB_NC:
		if (s1->kind == P2MK_A64_DEVICE)
			return device(s1->dev, "FWB 101 with S1 Device: the "
			                       "S1 Device type (arm64 §4)");
		return normal_nc("FWB 101: Normal-NC (arm64 §4)");
	case P2MK_A64_S2_FWB_FORCE_WB:
		if (s1->kind == P2MK_A64_NORMAL) {
			r = normal(force_wb_level(s1->inner),
			           force_wb_level(s1->outer),
			           "FWB 110: forced Normal WB, hints from S1 "
			           "where S1 was cacheable (arm64 §4)");
			r.xs0 = s1->xs0;
		} else {
			r = normal_wb_rwa("FWB 110: forced Normal WB RWA over "
			                  "S1 Device (arm64 §4)");
		}
		return r;
	default:
		r = *s1;
		r.rule = "FWB 111: stage-1 attributes unchanged (arm64 §4)";
		return r;
	}
}

/* HCR_EL2.CD / ID: stage-2 Normal becomes Non-cacheable (arm64 §3). */
static struct p2mk_a64_attr apply_s2_cd(struct p2mk_a64_attr a)
{
	if (a.kind == P2MK_A64_NORMAL) {
		a.inner = level(P2MK_A64_NC, false, false, false);
		a.outer = level(P2MK_A64_NC, false, false, false);
	}
	return a;
}

static bool is_inc_onc(const struct p2mk_a64_attr *a)
{
	return a->kind == P2MK_A64_NORMAL && a->inner.cache == P2MK_A64_NC &&
	       a->outer.cache == P2MK_A64_NC;
}

static bool is_wb_rwa(const struct p2mk_a64_attr *a)
{
	return a->kind == P2MK_A64_NORMAL && a->inner.cache == P2MK_A64_WB &&
	       a->outer.cache == P2MK_A64_WB && a->inner.ra && a->inner.wa &&
	       a->outer.ra && a->outer.wa && !a->inner.transient &&
	       !a->outer.transient;
}

/* The effective stage-1 attribute after DC and SCTLR_EL1.M (arm64 §6.2). */
static struct p2mk_a64_attr effective_s1(const struct p2mk_a64_attr *s1,
                                         unsigned *s1_sh,
                                         const struct p2mk_a64_ctl *ctl)
{
	struct p2mk_a64_attr a;
	if (ctl->dc) {
		a = normal_wb_rwa("HCR_EL2.DC = 1: stage 1 treated as off, "
		                  "default Normal iWB-oWB RWA NSH "
		                  "(arm64 §6.2)");
		a.tagged = ctl->dct;
		*s1_sh = P2MK_A64_NSH;
		return a;
	}
	if (ctl->s1_off) {
		if (!ctl->ifetch) {
			a = device(P2MK_A64_nGnRnE,
			           "stage 1 off (SCTLR_EL1.M = 0): data "
			           "accesses are Device-nGnRnE (arm64 §6.2)");
		} else if (ctl->sctlr_i) {
			unsigned c = P2MK_A64_WT;
			a = normal(level(c, true, false, false),
			           level(c, true, false, false),
			           "stage 1 off, SCTLR_EL1.I = 1: instruction "
			           "fetches Normal WT (arm64 §6.2)");
		} else {
			a = normal_nc("stage 1 off, SCTLR_EL1.I = 0: "
			              "instruction fetches Normal NC "
			              "(arm64 §6.2)");
		}
		*s1_sh = P2MK_A64_OSH;
		return a;
	}
	return *s1;
}

static unsigned worse_status(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

/* Shareability (arm64 §6.1). */
static void combine_sh(struct p2mk_a64_result *r, unsigned sh1, unsigned sh2)
{
	if (sh1 == P2MK_A64_OSH || sh2 == P2MK_A64_OSH)
		r->sh_fields = P2MK_A64_OSH;
	else if (sh1 == P2MK_A64_ISH || sh2 == P2MK_A64_ISH)
		r->sh_fields = P2MK_A64_ISH;
	else
		r->sh_fields = P2MK_A64_NSH;
	r->sh = r->sh_fields;
	r->sh_rule = "either stage OSH: OSH; else either ISH: ISH; else NSH "
	             "(arm64 §6.1)";
	if (r->attr.kind == P2MK_A64_DEVICE || is_inc_onc(&r->attr)) {
		r->sh_forced = r->sh_fields != P2MK_A64_OSH;
		r->sh = P2MK_A64_OSH;
		r->sh_rule = "result is Device or Normal iNC-oNC: treated as "
		             "Outer Shareable whatever the SH fields say "
		             "(arm64 §6.1)";
	}
}

struct p2mk_a64_result p2mk_a64_combine_attrs(const struct p2mk_a64_attr *s1,
                                              unsigned s1_sh,
                                              const struct p2mk_a64_s2 *s2,
                                              unsigned s2_sh,
                                              const struct p2mk_a64_ctl *ctl)
{
	struct p2mk_a64_result r = {0};
	unsigned sh1 = s1_sh;

	r.s1 = effective_s1(s1, &sh1, ctl);
	r.s2 = *s2;

	/* Inputs that cannot be combined: report, do not guess. */
	unsigned st = worse_status(r.s1.status, s2->attr.status);
	if (s1_sh > 3 || s2_sh > 3 || s2->fwb != ctl->fwb)
		st = worse_status(st, P2MK_A64_BAD_INPUT);
	if (st != P2MK_A64_OK) {
		const char *rule = r.s1.status != P2MK_A64_OK ? r.s1.rule
		                   : s2->attr.status != P2MK_A64_OK
		                       ? s2->attr.rule
		                       : "SH is a 2-bit field and the S2 "
		                         "decode must use the same FWB "
		                         "(arm64 §4, §6.1)";
		r.attr = bad((uint8_t)st, rule);
		r.attr.verified = r.s1.verified && s2->attr.verified;
		r.sh = r.sh_fields = P2MK_A64_SH_RSVD;
		r.sh_rule = "no result";
		return r;
	}

	bool cd = ctl->ifetch ? ctl->id : ctl->cd;
	bool verified = true;
	if (!ctl->fwb) {
		struct p2mk_a64_attr a2 = cd ? apply_s2_cd(s2->attr) : s2->attr;
		r.attr = combine_nofwb(&r.s1, &a2);
		if (cd && s2->attr.kind == P2MK_A64_NORMAL)
			r.attr.rule =
			    "HCR_EL2.CD/ID = 1: stage-2 Normal treated "
			    "as Non-cacheable, then combined "
			    "(arm64 §3, §5.1)";
	} else {
		r.attr = combine_fwb(&r.s1, s2);
		if (cd && r.attr.kind == P2MK_A64_NORMAL &&
		    !is_inc_onc(&r.attr)) {
			/* arm64 §11: UNVERIFIED either way. */
			verified = false;
			if (p2mk_a64_choices.fwb_cd_applies) {
				r.attr = apply_s2_cd(r.attr);
				r.attr.rule =
				    "HCR_EL2.CD/ID = 1 with FWB = 1: "
				    "Normal forced Non-cacheable "
				    "(UNVERIFIED choice; arm64 §3, §11)";
			}
		}
	}
	r.attr.verified = r.attr.verified && verified;
	if (s2->attr.notagaccess)
		r.attr.notagaccess = true;
	/* arm64 §6.2: Tagged survives only into Normal WB RWA, and not
	 * through a NoTagAccess stage 2. */
	r.attr.tagged =
	    r.s1.tagged && is_wb_rwa(&r.attr) && !r.attr.notagaccess;

	if (sh1 == P2MK_A64_SH_RSVD || s2_sh == P2MK_A64_SH_RSVD) {
		/* The memory type stands; the shareability does not. */
		r.attr.status = P2MK_A64_RESERVED;
		r.sh = r.sh_fields = P2MK_A64_SH_RSVD;
		r.sh_rule = "SH = 0b01 is reserved (arm64 §6.1)";
		r.hazards = 0;
		return r;
	}
	combine_sh(&r, sh1, s2_sh);
	r.hazards = p2mk_a64_hazards(&r.attr);
	return r;
}

struct p2mk_a64_result p2mk_a64_combine(uint8_t s1_mair, unsigned s1_sh,
                                        unsigned s2_memattr, unsigned s2_sh,
                                        const struct p2mk_a64_ctl *ctl)
{
	struct p2mk_a64_attr s1 = p2mk_a64_mair_decode(s1_mair, ctl->features);
	struct p2mk_a64_s2 s2 =
	    p2mk_a64_s2_decode(s2_memattr, ctl->fwb, ctl->features);
	return p2mk_a64_combine_attrs(&s1, s1_sh, &s2, s2_sh, ctl);
}

/* ---- encoding for policy layers -------------------------------------- */

bool p2mk_a64_s2_encode(const struct p2mk_a64_attr *want, bool fwb,
                        uint8_t *memattr)
{
	if (want->status != P2MK_A64_OK)
		return false;
	if (want->kind == P2MK_A64_DEVICE) {
		if (want->dev > P2MK_A64_GRE)
			return false;
		*memattr = want->dev; /* 00dd / 0dd (arm64 §3, §4) */
		return true;
	}
	if (want->kind != P2MK_A64_NORMAL || want->inner.cache > P2MK_A64_WB ||
	    want->outer.cache > P2MK_A64_WB)
		return false;
	if (!fwb) {
		*memattr = (uint8_t)(((want->outer.cache + 1u) << 2) |
		                     (want->inner.cache + 1u));
		return true;
	}
	if (is_inc_onc(want)) {
		*memattr = 0x5;
		return true;
	}
	if (want->inner.cache == P2MK_A64_WB &&
	    want->outer.cache == P2MK_A64_WB) {
		*memattr = 0x6;
		return true;
	}
	return false;
}
