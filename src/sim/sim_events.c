// SPDX-License-Identifier: BSD-2-Clause
/*
 * sim: what each scenario event does to the domain (docs/run.md
 * "events").  Counts the core does not keep (entries written by maps,
 * hypercalls, flushes) are added to m->cur here.
 */
#include <stdio.h>
#include <string.h>

#include "scenario/scenario_vm.h"
#include "sim/sim_internal.h"

/* The Xen platform device (xen §13.3): its BAR holds the grant table. */
#define XENPCI_VENDOR 0x5853u
/* Grant-table frames the guest maps into it (Xen's default
 * max_grant_frames, 32 before Xen 4.13's 64). */
#define GRANT_FRAMES 32u

static bool is_xenpci(const struct p2mk_layout_dev *d)
{
	return d->vendor == XENPCI_VENDOR && d->device == 0x0001;
}

/* Record the layout's BAR placement per device and BAR index. */
bool sim_plan(struct sim *m)
{
	struct p2mk_layout_output *lo = &m->r->layout;
	const struct p2mk_layout_input *in = m->s->vm;
	if (p2mk_layout_run(in, in->fw.planner, lo) != P2MK_OK)
		return sim_fail(
		    m, "the vm section is not a valid layout input: %s",
		    lo->error ? lo->error : "invalid");
	m->r->have_layout = true;
	for (unsigned i = 0; i < lo->nbars; i++) {
		const struct p2mk_layout_bar_result *b = &lo->bars[i];
		struct sim_bar *sb = &m->bars[b->dev][b->index];
		sb->placed = b->placed && b->kind != P2MK_BAR_IO;
		sb->gpa = b->addr.v;
		sb->hpa = b->addr.v;
		sb->size = b->size;
		sb->mem = b->kind != P2MK_BAR_IO;
	}
	for (unsigned d = 0; d < in->ndevs; d++)
		for (unsigned k = 0; k < in->devs[d].nbars; k++)
			m->bars[d][in->devs[d].bars[k].index].prefetchable =
			    in->devs[d].bars[k].prefetchable;
	m->ram_top_gfn =
	    lo->high_ram_end.v ? lo->high_ram_end.v : UINT64_C(1) << 20;
	return true;
}

/* Guest RAM: every E820 RAM entry, in the largest blocks. */
static bool populate_ram(struct sim *m)
{
	const struct p2mk_layout_output *lo = &m->r->layout;
	for (unsigned i = 0; i < lo->ne820; i++) {
		const struct p2mk_layout_e820 *e = &lo->e820[i];
		if (e->type != P2MK_E820_RAM)
			continue;
		uint64_t first = (e->start.v + P2MK_PAGE_SIZE - 1) >> 12;
		uint64_t last = (e->start.v + e->size) >> 12;
		if (last <= first)
			continue;
		/* host frames as aligned as the guest range */
		m->next_mfn = (m->next_mfn + (UINT64_C(1) << 18) - 1) &
		              ~((UINT64_C(1) << 18) - 1);
		m->next_mfn += first & ((UINT64_C(1) << 18) - 1);
		if (m->have_pm) {
			if (!sim_pm_populate(m, first, last - first))
				return false;
			continue;
		}
		if (!sim_map_blocks(m, first, m->next_mfn, last - first,
		                    P2MK_P2M_RAM_RW, 18))
			return false;
		m->next_mfn += last - first;
		m->cur.hypercalls++; /* one populate_physmap per range */
	}
	return true;
}

/* The grant table: Xen-owned frames mapped into the xenpci BAR. */
static bool map_grant_table(struct sim *m, unsigned d)
{
	const struct sim_bar *b = NULL;
	for (unsigned k = 0; k < P2MK_LAYOUT_MAX_DEV_BARS && b == NULL; k++)
		if (m->bars[d][k].placed && m->bars[d][k].mem)
			b = &m->bars[d][k];
	if (b == NULL)
		return true;
	uint64_t n =
	    b->size >> 12 < GRANT_FRAMES ? b->size >> 12 : GRANT_FRAMES;
	p2mk_mfn_t mfn = p2mk_mfn(m->next_mfn);
	m->next_mfn += n;
	if (p2mk_p2m_add_special(&m->p2m, mfn, n) != P2MK_OK)
		return sim_fail(m, "cannot record the grant frames");
	m->cur.hypercalls += n; /* XENMAPSPACE_grant_table, one per frame */
	return sim_map_blocks(m, b->gpa >> 12, mfn.v, n, P2MK_P2M_RAM_RW, 0);
}

/* Map a passthrough device's memory BARs and grant it their frames. */
static bool map_device(struct sim *m, unsigned d)
{
	unsigned order = sim_max_order(m);
	for (unsigned k = 0; k < P2MK_LAYOUT_MAX_DEV_BARS; k++) {
		const struct sim_bar *b = &m->bars[d][k];
		if (!b->placed)
			continue;
		uint32_t flags = b->prefetchable ? P2MK_IO_PREFETCHABLE : 0;
		if (m->pol->arch == P2MK_ARCH_ARM64)
			flags |= P2MK_IO_VFIO;
		if (p2mk_p2m_iomem_permit(&m->p2m, p2mk_mfn(b->hpa >> 12),
		                          b->size >> 12, flags) != P2MK_OK)
			return sim_fail(m, "too many I/O ranges");
		if (m->have_pm) {
			if (!sim_pm_mmio(m, b->gpa >> 12, b->hpa >> 12,
			                 b->size >> 12, true))
				return false;
			continue;
		}
		uint64_t before = m->cur.leaf_entries;
		if (!sim_map_blocks(m, b->gpa >> 12, b->hpa >> 12,
		                    b->size >> 12, P2MK_P2M_MMIO_DIRECT, order))
			return false;
		/* XEN_DOMCTL_memory_mapping: 64 entries per call (xen §11.3) */
		uint64_t entries = m->cur.leaf_entries - before;
		sim_memory_mapping(m, (entries + 63) / 64);
	}
	if (p2mk_p2m_assign_device(&m->p2m) != P2MK_OK)
		return sim_fail(m, "cannot assign the device");
	m->cur.hypercalls++;
	return true;
}

static bool unmap_device(struct sim *m, unsigned d)
{
	for (unsigned k = 0; k < P2MK_LAYOUT_MAX_DEV_BARS; k++) {
		const struct sim_bar *b = &m->bars[d][k];
		if (!b->placed)
			continue;
		if (m->have_pm &&
		    !sim_pm_mmio(m, b->gpa >> 12, 0, b->size >> 12, false))
			return false;
		if ((!m->have_pm &&
		     p2mk_p2m_clear(&m->p2m, p2mk_gfn(b->gpa >> 12),
		                    b->size >> 12) != P2MK_OK) ||
		    p2mk_p2m_iomem_deny(&m->p2m, p2mk_mfn(b->hpa >> 12),
		                        b->size >> 12) != P2MK_OK)
			return sim_fail(m, "cannot unmap BAR %u", k);
		if (m->have_pm)
			m->cur
			    .hypercalls++; /* flushes counted by sim_pm_mmio */
		else
			sim_memory_mapping(m, 1);
	}
	if (p2mk_p2m_deassign_device(&m->p2m) != P2MK_OK)
		return sim_fail(m, "no device assigned");
	m->cur.hypercalls++;
	return true;
}

/* One WRMSR on one vCPU, or on every vCPU in turn (vcpu -1). */
static bool wrmsr_all(struct sim *m, int vcpu, uint32_t msr, uint64_t value)
{
	for (unsigned v = 0; v < m->nvcpus; v++) {
		struct p2mk_gp gp;
		if (vcpu >= 0 && (unsigned)vcpu != v)
			continue;
		if (p2mk_p2m_wrmsr(&m->p2m, v, msr, value, &gp) != P2MK_OK)
			return sim_fail(m,
			                "WRMSR 0x%x=0x%llx on vCPU %u: #GP "
			                "(%s)",
			                msr, (unsigned long long)value, v,
			                gp.reason ? gp.reason : "invalid");
	}
	return true;
}

bool sim_boot(struct sim *m)
{
	const struct p2mk_layout_output *lo = &m->r->layout;
	const struct p2mk_layout_input *in = m->s->vm;
	if (m->booted)
		return sim_fail(m, "the guest is already booted");
	if (!populate_ram(m))
		return false;
	for (unsigned d = 0; d < in->ndevs; d++) {
		if (is_xenpci(&in->devs[d]) && !map_grant_table(m, d))
			return false;
		if (m->assigned[d] && !map_device(m, d))
			return false;
	}
	/* the firmware programs the MTRRs on every vCPU (xen §13.2) */
	for (unsigned i = 0; i < lo->nwrites; i++)
		if (!wrmsr_all(m, -1, lo->writes[i].msr, lo->writes[i].value))
			return false;
	if (lo->error)
		snprintf(m->note, sizeof(m->note), "firmware stops: %s",
		         lo->error);
	m->booted = true;
	return true;
}

/* Touch one entry per p2m leaf in [first, first + count). */
static bool touch_range(struct sim *m, uint64_t first, uint64_t count,
                        unsigned vcpu)
{
	uint64_t g = first, end = first + count;
	while (g < end) {
		struct p2mk_p2m_entry e;
		bool exited;
		if (p2mk_p2m_get(&m->p2m, p2mk_gfn(g), &e) != P2MK_OK) {
			g = (g | 511) + 1; /* holes are skipped 2 MiB-wise */
			continue;
		}
		if (p2mk_p2m_touch(&m->p2m, p2mk_gfn(g), vcpu, &exited))
			return sim_fail(m,
			                "the exit at gfn 0x%llx could not "
			                "be resolved",
			                (unsigned long long)g);
		if (p2mk_p2m_get(&m->p2m, p2mk_gfn(g), &e) != P2MK_OK)
			return sim_fail(m, "gfn 0x%llx vanished",
			                (unsigned long long)g);
		g = (g | ((UINT64_C(1) << e.order) - 1)) + 1;
	}
	return true;
}

static bool ev_touch(struct sim *m, const struct p2mk_sc_event *e)
{
	unsigned vcpu = e->vcpu < 0 ? 0 : (unsigned)e->vcpu;
	if (e->all) {
		if (p2mk_p2m_resolve_all(&m->p2m, vcpu) != P2MK_OK)
			return sim_fail(m, "an exit could not be resolved");
		return true;
	}
	return touch_range(m, e->start >> 12, (e->end - e->start) >> 12, vcpu);
}

static bool ev_pin(struct sim *m, const struct p2mk_sc_event *e)
{
	p2mk_gfn_t g = p2mk_gpa_to_gfn(p2mk_gpa(e->start));
	uint64_t n = (e->end - e->start) >> 12;
	enum p2mk_err err =
	    e->kind == P2MK_SC_EV_PIN
	        ? p2mk_p2m_pin(&m->p2m, g, n, (enum p2mk_mt)e->type)
	        : p2mk_p2m_unpin(&m->p2m, g, n);
	m->cur.hypercalls++; /* XEN_DMOP_pin_memory_cacheattr */
	if (err != P2MK_OK)
		return sim_fail(m, "refused: %s", p2mk_err_name(err));
	return true;
}

static bool ev_device(struct sim *m, const struct p2mk_sc_event *e)
{
	int d = sim_find_dev(m, e->bdf);
	if (d < 0)
		return sim_fail(m, "no device %s in vm.devices", e->bdf);
	if (e->kind == P2MK_SC_EV_DEASSIGN) {
		if (!m->assigned[d])
			return sim_fail(m, "%s is not assigned", e->bdf);
		m->assigned[d] = false;
		return unmap_device(m, (unsigned)d);
	}
	if (m->assigned[d])
		return sim_fail(m, "%s is already assigned", e->bdf);
	if (e->kind == P2MK_SC_EV_HOTPLUG && !m->booted)
		return sim_fail(m, "hot-plug needs a booted guest");
	m->assigned[d] = true;
	return !m->booted || map_device(m, (unsigned)d);
}

/* Restore: Xen saves vCPU 0's MTRRs (with xen §16 defect 1) and loads
 * them into every vCPU. */
static bool ev_restore(struct sim *m)
{
	struct p2mk_mtrr_record rec;
	const struct p2mk_mtrr_state *v0 = &m->p2m.vcpu[0];
	p2mk_xen_hvm_save_mtrr(v0, &rec);
	unsigned vcnt = p2mk_mtrr_vcnt(v0);
	for (unsigned i = 0; i < P2MK_MTRR_NFIXED_MSRS; i++) {
		uint32_t msr = i == 0  ? P2MK_MSR_MTRR_FIX64K_00000
		               : i < 3 ? P2MK_MSR_MTRR_FIX16K_80000 + i - 1
		                       : P2MK_MSR_MTRR_FIX4K_C0000 + i - 3;
		if (!wrmsr_all(m, -1, msr, rec.fixed_msr[i]))
			return false;
	}
	for (unsigned n = 0; n < vcnt; n++)
		if (!wrmsr_all(m, -1, P2MK_MSR_MTRR_PHYSBASE0 + 2 * n,
		               rec.var_base[n]) ||
		    !wrmsr_all(m, -1, P2MK_MSR_MTRR_PHYSMASK0 + 2 * n,
		               rec.var_mask[n]))
			return false;
	m->cur.hypercalls++; /* XEN_DOMCTL_sethvmcontext */
	return wrmsr_all(m, -1, P2MK_MSR_MTRR_DEF_TYPE, rec.def_type) &&
	       wrmsr_all(m, -1, P2MK_MSR_PAT, rec.pat);
}

bool sim_event(struct sim *m, const struct p2mk_sc_event *e)
{
	if (!m->booted && e->kind != P2MK_SC_EV_BOOT &&
	    e->kind != P2MK_SC_EV_ASSIGN)
		return sim_fail(m, "happens before boot (only assign may)");
	switch (e->kind) {
	case P2MK_SC_EV_BOOT:
		return sim_boot(m);
	case P2MK_SC_EV_TOUCH:
		return ev_touch(m, e);
	case P2MK_SC_EV_MTRR_WRITE:
	case P2MK_SC_EV_PAT_WRITE:
		return wrmsr_all(m, e->vcpu, e->msr, e->value);
	case P2MK_SC_EV_PIN:
	case P2MK_SC_EV_UNPIN:
		return ev_pin(m, e);
	case P2MK_SC_EV_ASSIGN:
	case P2MK_SC_EV_DEASSIGN:
	case P2MK_SC_EV_HOTPLUG:
		return ev_device(m, e);
	case P2MK_SC_EV_MIGRATION_RESTORE:
		return ev_restore(m);
	default:
		return sim_physmap_event(m, e);
	}
}
