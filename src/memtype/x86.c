// SPDX-License-Identifier: BSD-2-Clause
/*
 * x86 memory types: names, validity, PAT, Intel PAT x MTRR and EPT.
 * Spec: shared/spec/x86-memory-types.md (§2, §6, §7, §8).
 */
#include <p2mkit/memtype.h>

const char *p2mk_mt_name(unsigned mt)
{
	switch (mt) {
	case P2MK_MT_UC:
		return "UC";
	case P2MK_MT_WC:
		return "WC";
	case P2MK_MT_WT:
		return "WT";
	case P2MK_MT_WP:
		return "WP";
	case P2MK_MT_WB:
		return "WB";
	case P2MK_MT_UCM:
		return "UC-";
	case P2MK_MT_CD:
		return "CD";
	case P2MK_MT_WCPLUS:
		return "WC+";
	case P2MK_MT_RSVD2:
		return "reserved(2)";
	case P2MK_MT_RSVD3:
		return "reserved(3)";
	default:
		return "invalid";
	}
}

/* ASCII case-insensitive equality; the core has no <string.h>. */
static bool token_equal(const char *a, const char *b)
{
	for (;; a++, b++) {
		char ca = *a, cb = *b;
		if (ca >= 'a' && ca <= 'z')
			ca = (char)(ca - 'a' + 'A');
		if (cb >= 'a' && cb <= 'z')
			cb = (char)(cb - 'a' + 'A');
		if (ca != cb)
			return false;
		if (ca == '\0')
			return true;
	}
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal or 0x-hex, whole string, value 0..255. */
static bool parse_small_number(const char *s, unsigned *out)
{
	unsigned base = 10, v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		int d = digit_value(*s);
		if (d < 0 || (unsigned)d >= base)
			return false;
		v = v * base + (unsigned)d;
		if (v > 0xff)
			return false;
	}
	*out = v;
	return true;
}

bool p2mk_mt_parse(const char *s, unsigned *mt)
{
	static const struct {
		const char *name;
		unsigned mt;
	} names[] = {
	    {"UC", P2MK_MT_UC}, {"UC-", P2MK_MT_UCM},    {"WC", P2MK_MT_WC},
	    {"WT", P2MK_MT_WT}, {"WP", P2MK_MT_WP},      {"WB", P2MK_MT_WB},
	    {"CD", P2MK_MT_CD}, {"WC+", P2MK_MT_WCPLUS},
	};
	if (s == NULL || *s == '\0')
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (token_equal(s, names[i].name)) {
			*mt = names[i].mt;
			return true;
		}
	}
	return parse_small_number(s, mt);
}

bool p2mk_mt_valid_mtrr(uint64_t mt)
{
	/* x86 §2: MTRR-valid encodings {0,1,4,5,6} = bitmask 0x73. */
	return mt < 8 && ((0x73u >> mt) & 1u);
}

bool p2mk_mt_valid_pat(uint64_t mt)
{
	/* x86 §2: PAT-valid encodings {0,1,4,5,6,7} = bitmask 0xF3. */
	return mt < 8 && ((0xf3u >> mt) & 1u);
}

enum p2mk_cache_class p2mk_mt_class(unsigned mt)
{
	switch (mt) {
	case P2MK_MT_WB:
	case P2MK_MT_WT:
	case P2MK_MT_WP:
		return P2MK_CACHED;
	case P2MK_MT_WC:
	case P2MK_MT_WCPLUS:
		return P2MK_WRITE_COMBINED;
	case P2MK_MT_UC:
	case P2MK_MT_UCM:
	case P2MK_MT_CD:
		return P2MK_UNCACHED;
	default:
		return P2MK_NO_ACCESS;
	}
}

const char *p2mk_cache_class_name(enum p2mk_cache_class c)
{
	switch (c) {
	case P2MK_CACHED:
		return "cached";
	case P2MK_WRITE_COMBINED:
		return "write-combined";
	case P2MK_UNCACHED:
		return "uncached";
	default:
		return "no access";
	}
}

int p2mk_pat_first_invalid(uint64_t pat)
{
	/* x86 §6.1: every full 8-bit field must be 0, 1, 4, 5, 6 or 7. */
	for (unsigned i = 0; i < 8; i++) {
		if (!p2mk_mt_valid_pat(p2mk_pat_entry(pat, i)))
			return (int)i;
	}
	return -1;
}

/* ---- Intel PAT x MTRR ------------------------------------------------ */

/* Cell markers for the table below. */
/* clang-format off */
#define C(t) {P2MK_MT_##t, false}
#define S(t) {P2MK_MT_##t, true} /* footnote 2: UC from the page tables */
#define R {P2MK_MT_INVALID, false}

/*
 * SDM vol. 3 Table 11-7 / 13-7, [mtrr][pat] by encoding (x86 §7).  Rows 2,
 * 3 and 7 are not MTRR types; columns 2 and 3 are not PAT types.  The
 * footnote-2 cells are the UC results a cacheable range receives from the
 * page tables: the processor must still snoop because lines may exist
 * through aliases.
 */
static const struct {
	uint8_t type;
	bool snoop;
} intel_table[8][8] = {
	/*          UC    WC    2  3  WT     WP     WB    UC-   */
	[0] = {C(UC), C(WC), R, R, C(UC), C(UC), C(UC), C(UC)},
	[1] = {S(UC), C(WC), R, R, S(UC), S(UC), C(WC), C(WC)},
	[2] = {R, R, R, R, R, R, R, R},
	[3] = {R, R, R, R, R, R, R, R},
	[4] = {S(UC), C(WC), R, R, C(WT), C(WP), C(WT), S(UC)},
	[5] = {S(UC), C(WC), R, R, C(WT), C(WP), C(WP), C(WC)},
	[6] = {S(UC), C(WC), R, R, C(WT), C(WP), C(WB), S(UC)},
	[7] = {R, R, R, R, R, R, R, R},
};

#undef C
#undef S
#undef R
/* clang-format on */

struct p2mk_mt_result p2mk_intel_pat_mtrr(unsigned mtrr, unsigned pat)
{
	struct p2mk_mt_result r = {
	    .type = P2MK_MT_INVALID,
	    .status = P2MK_MT_BAD_INPUT,
	    .verified = true,
	    .rule = "SDM vol. 3 Table 11-7 (x86 §7): not a valid MTRR/PAT "
	            "type",
	};
	if (!p2mk_mt_valid_mtrr(mtrr) || !p2mk_mt_valid_pat(pat))
		return r;
	r.type = intel_table[mtrr][pat].type;
	r.must_snoop = intel_table[mtrr][pat].snoop;
	r.status = P2MK_MT_OK;
	r.rule = "SDM vol. 3 Table 11-7, PAT x MTRR (x86 §7)";
	return r;
}

/* ---- EPT ------------------------------------------------------------- */

bool p2mk_ept_emt_valid(unsigned emt)
{
	return p2mk_mt_valid_mtrr(emt);
}

struct p2mk_mt_result p2mk_ept_effective(unsigned emt, bool ipat,
                                         unsigned guest_pat, bool cd)
{
	struct p2mk_mt_result r = {
	    .type = P2MK_MT_INVALID,
	    .verified = true,
	};
	/* The walk faults before any type is formed (x86 §8.3). */
	if (!p2mk_ept_emt_valid(emt)) {
		r.status = P2MK_MT_EPT_MISCONFIG;
		r.rule =
		    "EMT 2, 3 or 7 in a present leaf: EPT misconfiguration "
		    "(SDM 29.3.3.1; x86 §8.3)";
		return r;
	}
	if (cd) {
		r.type = P2MK_MT_UC;
		r.rule = "guest CR0.CD = 1: UC (SDM 29.3.7.2; x86 §8.2 rule 1)";
		return r;
	}
	if (ipat) {
		r.type = (uint8_t)emt;
		r.rule = "IPAT = 1: EMT used, guest PAT ignored (x86 §8.2 rule "
		         "2)";
		return r;
	}
	if (!p2mk_mt_valid_pat(guest_pat)) {
		r.status = P2MK_MT_BAD_INPUT;
		r.rule = "guest PAT type is not a PAT encoding (x86 §6.1)";
		return r;
	}
	r = p2mk_intel_pat_mtrr(emt, guest_pat);
	r.rule = "IPAT = 0: Table 11-7 with EMT as the range type "
	         "(x86 §8.2 rule 3)";
	return r;
}
