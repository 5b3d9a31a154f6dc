// SPDX-License-Identifier: BSD-2-Clause
/*
 * AMD memory-type combination as data (x86 §9, §10).
 *
 * AMD's manual tables are not yet checked cell by cell (x86 §14 lists them
 * as open items), so every cell carries a `verified` flag.  Unverified
 * cells hold the spec's stated belief or, where the spec states none, the
 * project's best guess; docs/amd-unverified.md lists each one with its
 * basis.  Correcting a cell is a one-line data change here.
 */
#include <p2mkit/memtype.h>

/* clang-format off */
#define V(t) {P2MK_MT_##t, true}
#define U(t) {P2MK_MT_##t, false}
/* clang-format on */

/* Slot order of the tables: UC, UC-, WC, WT, WP, WB. */
int p2mk_amd_slot(unsigned mt)
{
	switch (mt) {
	case P2MK_MT_UC:
		return 0;
	case P2MK_MT_UCM:
		return 1;
	case P2MK_MT_WC:
		return 2;
	case P2MK_MT_WT:
		return 3;
	case P2MK_MT_WP:
		return 4;
	case P2MK_MT_WB:
		return 5;
	default:
		return -1;
	}
}

/*
 * "Combining PAT and MTRR Types", APM vol. 2 §7.8 (x86 §10.2).  Rows are
 * MTRR types UC, WC, WT, WP, WB (UC- is not an MTRR type); columns PAT
 * types.  Certain: PAT UC -> UC; PAT WC -> WC; PAT WB -> MTRR type; MTRR UC
 * with a cacheable PAT type -> UC; PAT UC- over MTRR WC -> WC.  The cells
 * where Intel's footnotes 2/3 apply are believed to give CD on AMD.
 */
/* clang-format off */
const struct p2mk_mt_cell
	p2mk_amd_pat_mtrr_table[P2MK_AMD_NTYPES - 1][P2MK_AMD_NTYPES] = {
		/* MTRR \ PAT: UC     UC-    WC     WT     WP     WB */
		/* UC */ {V(UC), U(UC), V(WC), V(UC), V(UC), V(UC)},
		/* WC */ {V(UC), V(WC), V(WC), U(CD), U(CD), V(WC)},
		/* WT */ {V(UC), U(CD), V(WC), U(WT), U(CD), V(WT)},
		/* WP */ {V(UC), U(CD), V(WC), U(CD), U(WP), V(WP)},
		/* WB */ {V(UC), U(CD), V(WC), U(WT), U(WP), V(WB)},
};
/* clang-format on */

/*
 * "Combining Guest and Host PAT Types", APM vol. 2 §15.25.8 (x86 §9.2).
 * Rows: guest PAT type; columns: host PAT type.  Certain: either side UC
 * -> UC; host WB passes the guest type through except guest WC -> WC+ and
 * guest UC- -> CD; guest WB yields the host type.
 */
/* clang-format off */
const struct p2mk_mt_cell p2mk_amd_npt_table[P2MK_AMD_NTYPES][P2MK_AMD_NTYPES] = {
	/* guest \ host: UC   UC-    WC     WT         WP         WB */
	/* UC  */ {V(UC), V(UC), V(UC), V(UC), V(UC), V(UC)},
	/* UC- */ {V(UC), U(CD), U(CD), U(CD), U(CD), V(CD)},
	/* WC  */ {V(UC), U(WC), U(WC), U(WCPLUS), U(WCPLUS), V(WCPLUS)},
	/* WT  */ {V(UC), U(CD), U(CD), U(WT), U(CD), V(WT)},
	/* WP  */ {V(UC), U(CD), U(CD), U(CD), U(WP), V(WP)},
	/* WB  */ {V(UC), V(UCM), V(WC), V(WT), V(WP), V(WB)},
};
/* clang-format on */

/*
 * The NPT result types CD and WC+ then meet the host MTRR (x86 §9.1).
 * Columns: CD, WC+.  Documented: guest WC over a WT/WP/WB range behaves as
 * WC+, and guest UC- over a WC range as CD (x86 §9.2, SimpleSvm notes);
 * the rest is inferred (CD stays uncached; WC+ degrades to plain WC where
 * the range itself is uncached or WC).
 */
/* clang-format off */
static const struct p2mk_mt_cell npt_result_x_mtrr[P2MK_AMD_NTYPES - 1][2] = {
	/* MTRR:   CD      WC+ */
	/* UC */ {U(UC), U(WC)},
	/* WC */ {V(CD), U(WC)},
	/* WT */ {U(CD), V(WCPLUS)},
	/* WP */ {U(CD), V(WCPLUS)},
	/* WB */ {U(CD), V(WCPLUS)},
};
/* clang-format on */

#undef V
#undef U

/* Row of an MTRR type in the 5-row tables, or -1. */
static int mtrr_row(unsigned mtrr)
{
	if (!p2mk_mt_valid_mtrr(mtrr))
		return -1;
	int slot = p2mk_amd_slot(mtrr);
	/* UC is slot 0; WC..WB are slots 2..5 and rows 1..4. */
	return slot == 0 ? 0 : slot - 1;
}

static struct p2mk_mt_result from_cell(struct p2mk_mt_cell cell,
                                       const char *rule)
{
	struct p2mk_mt_result r = {
	    .type = cell.type,
	    .status = P2MK_MT_OK,
	    /* CD is the AMD name for "uncached but snooped" (x86 §10.2). */
	    .must_snoop =
	        cell.type == P2MK_MT_CD || cell.type == P2MK_MT_WCPLUS,
	    .verified = cell.verified,
	    .rule = rule,
	};
	return r;
}

static struct p2mk_mt_result bad_input(const char *rule)
{
	struct p2mk_mt_result r = {
	    .type = P2MK_MT_INVALID,
	    .status = P2MK_MT_BAD_INPUT,
	    .verified = true,
	    .rule = rule,
	};
	return r;
}

struct p2mk_mt_result p2mk_amd_pat_mtrr(unsigned mtrr, unsigned pat)
{
	int row = mtrr_row(mtrr);
	if (row < 0)
		return bad_input("APM vol. 2 §7.8: not a valid MTRR type");
	if (pat == P2MK_MT_CD || pat == P2MK_MT_WCPLUS) {
		int col = pat == P2MK_MT_CD ? 0 : 1;
		return from_cell(npt_result_x_mtrr[row][col],
		                 "APM vol. 2 §15.25.8 then §7.8: nested-paging "
		                 "result x host MTRR (x86 §9.1)");
	}
	int col = p2mk_amd_slot(pat);
	if (col < 0)
		return bad_input("APM vol. 2 §7.8: not a valid PAT type");
	return from_cell(p2mk_amd_pat_mtrr_table[row][col],
	                 "APM vol. 2 §7.8, AMD PAT x MTRR (x86 §10.2)");
}

struct p2mk_mt_result p2mk_npt_guest_host(unsigned gpat, unsigned hpat)
{
	int row = p2mk_amd_slot(gpat), col = p2mk_amd_slot(hpat);
	if (row < 0 || col < 0)
		return bad_input("APM vol. 2 §15.25.8: not a valid PAT type");
	return from_cell(
	    p2mk_amd_npt_table[row][col],
	    "APM vol. 2 §15.25.8, guest PAT x host PAT (x86 §9.2)");
}

struct p2mk_mt_result p2mk_npt_effective(unsigned gpat, unsigned hpat,
                                         unsigned host_mtrr)
{
	struct p2mk_mt_result nested = p2mk_npt_guest_host(gpat, hpat);
	if (nested.status != P2MK_MT_OK)
		return nested;
	struct p2mk_mt_result r = p2mk_amd_pat_mtrr(host_mtrr, nested.type);
	if (r.status != P2MK_MT_OK)
		return r;
	r.verified = r.verified && nested.verified;
	r.rule = "f_MTRR(host MTRR, f_NPT(guest PAT, host PAT)): APM vol. 2 "
	         "§15.25.8 then §7.8 (x86 §9.1)";
	return r;
}
