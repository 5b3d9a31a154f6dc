// SPDX-License-Identifier: BSD-2-Clause
/*
 * When each non-Xen policy recomputes types (p2mk_policy.resync): KVM x86
 * zaps on MTRR writes only while it honours guest MTRRs and on
 * (un)registering non-coherent DMA (x86 §11); ACRN only on MTRRdefType
 * writes (landscape §3.4); the NPT and arm64 policies and bhyve never
 * (nothing they read can change).  Xen's rules are in test_policy_xen.c;
 * the proposed CDF variant's here.
 */
#include "test_policy_env.h"

struct rcase {
	const char *policy;
	unsigned kind;
	uint32_t msr;
	bool ncdma, fullc;
	bool want;
};

#define MTRR  P2MK_EV_MTRR_WRITE
#define DEV   P2MK_EV_DEV_ASSIGN
#define PIN   P2MK_EV_PIN_ADD
#define IOMEM P2MK_EV_IOMEM_PERMIT
#define DEF   P2MK_MSR_MTRR_DEF_TYPE
#define VAR   P2MK_MSR_MTRR_PHYSBASE0

static const struct rcase rcases[] = {
    {"kvm-x86-6.10", MTRR, VAR, false, false, false},
    {"kvm-x86-6.10", MTRR, VAR, true, false, true},
    {"kvm-x86-6.10", DEV, 0, false, false, true},
    {"kvm-x86-6.10", PIN, 0, true, false, false},
    {"kvm-x86-6.11", MTRR, VAR, true, false, false},
    {"kvm-x86-6.11", DEV, 0, true, false, true},
    {"kvm-x86-noquirk", MTRR, DEF, true, false, false},
    {"kvm-x86-noquirk", DEV, 0, false, false, true},
    {"acrn", MTRR, DEF, false, false, true},
    {"acrn", MTRR, P2MK_MSR_MTRR_FIX64K_00000, false, false, false},
    {"acrn", PIN, 0, false, false, false},
    {"bhyve", MTRR, DEF, true, false, false},
    {"bhyve", DEV, 0, true, false, false},
    {"xen-npt", MTRR, DEF, false, false, false},
    {"kvm-svm", DEV, 0, false, false, false},
    {"kvm-arm64-6.8", DEV, 0, false, false, false},
    {"kvm-arm64-6.9", IOMEM, 0, false, false, false},
    {"kvm-arm64-pfnmap", DEV, 0, false, false, false},
    {"hafnium", IOMEM, 0, false, false, false},
    {"bao", DEV, 0, false, false, false},
    /* xen §8.5: static flag; I/O lists never matter. */
    {"xen-ept-cdf", MTRR, DEF, false, true, true},
    {"xen-ept-cdf", MTRR, DEF, false, false, false},
    {"xen-ept-cdf", IOMEM, 0, false, true, false},
    {"xen-ept-cdf", DEV, 0, false, true, false},
    {"xen-ept-cdf", PIN, 0, false, true, true},
};

static void every_policy_resyncs_by_its_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		const struct rcase *c = &rcases[i];
		const struct p2mk_policy *p = p2mk_policy_find(c->policy);
		if (p == NULL) {
			fail_msg("no policy %s", c->policy);
			return;
		}
		struct tenv e;
		tenv_init(&e, p->arch);
		e.cfg.noncoherent_dma = c->ncdma;
		e.cfg.full_cacheability = c->fullc;
		struct p2mk_mt_event ev = {.kind = (uint8_t)c->kind,
		                           .msr = c->msr,
		                           .old_value = 0,
		                           .new_value = P2MK_MTRR_DEF_E | 6,
		                           .def_type = P2MK_MTRR_DEF_E | 6,
		                           .pin_type = P2MK_MT_WB,
		                           .cfp_before = false,
		                           .cfp_after = true};
		const char *why = NULL;
		bool got = p->resync(tenv_view(&e), &ev, &why);
		if (why == NULL || got != c->want)
			fail_msg("%s event %u msr %#x: got %d want %d (%s)",
			         c->policy, c->kind, c->msr, got, c->want,
			         why ? why : "no reason");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_policy_resyncs_by_its_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
