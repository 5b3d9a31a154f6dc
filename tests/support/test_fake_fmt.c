// SPDX-License-Identifier: BSD-2-Clause
/* The odd test format (see test_fake_fmt.h). */
#include "test_fake_fmt.h"

#define F_PRESENT P2MK_BIT(50)
#define F_TABLE   P2MK_BIT(49)
#define F_X       P2MK_BIT(9)
#define F_W       P2MK_BIT(10)
#define F_R       P2MK_BIT(11)
#define F_SW_LO   1 /* bits 6:1 */
#define F_IPAT    P2MK_BIT(8)
#define F_RECALC  P2MK_BIT(0) /* where x86 keeps its present bit */
#define F_A       P2MK_BIT(48)
#define F_D       P2MK_BIT(7)
#define F_SH_LO   51 /* bits 52:51 */
#define F_MT_LO   56 /* bits 63:56 */
#define F_FLAGS   (P2MK_PT_IPAT | P2MK_PT_RECALC | P2MK_PT_A | P2MK_PT_D)

static enum p2mk_err fake_check(const struct p2mk_pt_fmt *f,
                                const struct p2mk_pt_attrs *a)
{
	if (a->perm == 0 || (a->perm & ~7u) != 0 || (a->sh >> 2) != 0 ||
	    (a->sw >> f->sw_bits) != 0 || (a->flags & ~f->flags_ok) != 0)
		return P2MK_ERR_INVAL;
	return P2MK_OK;
}

static uint64_t fake_leaf(const struct p2mk_pt_fmt *f,
                          const struct p2mk_pt_attrs *a, unsigned level)
{
	(void)f;
	(void)level;
	uint64_t e = F_PRESENT;
	e |= (a->perm & P2MK_PT_R) ? F_R : 0;
	e |= (a->perm & P2MK_PT_W) ? F_W : 0;
	e |= (a->perm & P2MK_PT_X) ? F_X : 0;
	e |= (uint64_t)a->sw << F_SW_LO;
	e |= (uint64_t)a->sh << F_SH_LO;
	e |= (uint64_t)a->mt << F_MT_LO;
	e |= (a->flags & P2MK_PT_IPAT) ? F_IPAT : 0;
	e |= (a->flags & P2MK_PT_RECALC) ? F_RECALC : 0;
	e |= (a->flags & P2MK_PT_A) ? F_A : 0;
	e |= (a->flags & P2MK_PT_D) ? F_D : 0;
	return e;
}

static void fake_decode(const struct p2mk_pt_fmt *f, uint64_t e, unsigned level,
                        struct p2mk_pt_attrs *a)
{
	(void)level;
	a->perm =
	    (uint8_t)((e & F_R ? P2MK_PT_R : 0) | (e & F_W ? P2MK_PT_W : 0) |
	              (e & F_X ? P2MK_PT_X : 0));
	a->sw = (uint8_t)((e >> F_SW_LO) & ((1u << f->sw_bits) - 1));
	a->sh = (uint8_t)((e >> F_SH_LO) & 3u);
	a->mt = (uint8_t)(e >> F_MT_LO);
	a->flags =
	    (uint16_t)((e & F_IPAT ? P2MK_PT_IPAT : 0) |
	               (e & F_RECALC ? P2MK_PT_RECALC : 0) |
	               (e & F_A ? P2MK_PT_A : 0) | (e & F_D ? P2MK_PT_D : 0));
}

static uint64_t fake_table(const struct p2mk_pt_fmt *f, uint64_t pa,
                           unsigned level)
{
	(void)f;
	(void)level;
	return pa | F_PRESENT | F_TABLE;
}

static const struct p2mk_pt_fmt_ops fake_ops = {fake_check, fake_leaf,
                                                fake_decode, fake_table};

const struct p2mk_pt_fmt test_fake_fmt = {
    .name = "fake",
    .kind = P2MK_PT_X86_64,
    .levels = 4,
    .ias = 48,
    .oas = 48,
    .oa_hi = 47,
    .sw_bits = 6,
    .hw_leaf_levels = 0x7,
    .leaf_levels = 0x7,
    .flags_ok = F_FLAGS,
    .present_mask = F_PRESENT,
    .table_mask = F_TABLE,
    .table_match = {0, F_TABLE, F_TABLE, F_TABLE},
    .bbm_mask = 0,
    .ops = &fake_ops,
};
