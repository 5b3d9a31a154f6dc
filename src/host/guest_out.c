// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest parts of the result record and their text rendering: the
 * "guest" object (which hypervisor, on what evidence, which policy) and,
 * per range, what that policy decides ("hypervisor").
 */
#include "host/host_internal.h"
#include "report/report.h"

#include <string.h>

#include <p2mkit/policy.h>

static json_t *str_or_null(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}

json_t *host_guest_json(const struct p2mk_host *h)
{
	const struct p2mk_host_guest *g = &h->guest;
	const struct p2mk_policy *pol = g->policy;
	json_t *o = json_object();
	json_object_set_new(o, "hypervisor",
	                    json_string(p2mk_host_hv_name(g->hv)));
	json_object_set_new(o, "evidence", json_string(g->evidence));
	json_object_set_new(
	    o, "paging",
	    pol == NULL
	        ? json_null()
	        : json_string(pol->arch == P2MK_ARCH_X86_EPT ? "ept" : "npt"));
	json_object_set_new(o, "policy",
	                    pol ? json_string(pol->name) : json_null());
	json_object_set_new(o, "hypervisor_type", str_or_null(g->hv_type));
	json_object_set_new(o, "clocksource", str_or_null(g->clocksource));
	json_object_set_new(o, "dmi",
	                    json_pack("{s:o, s:o, s:o}", "sys_vendor",
	                              str_or_null(g->dmi_vendor),
	                              "product_name",
	                              str_or_null(g->dmi_product),
	                              "bios_vendor", str_or_null(g->dmi_bios)));
	int b = g->xen_platform_bar;
	json_object_set_new(o, "xen_platform_pci",
	                    b >= 0 ? json_string(h->bars[b].bdf) : json_null());
	return o;
}

json_t *host_hv_json(const struct p2mk_host *h, const struct p2mk_host_range *r)
{
	const struct p2mk_host_hvview *v = &r->hv;
	if (!v->known)
		return NULL;
	struct p2mk_policy_out o = {
	    .kind = v->present ? P2MK_POL_TYPE : P2MK_POL_NONE,
	    .emt = (enum p2mk_mt)v->emt,
	    .ipat = v->ipat,
	    .hpat_index = v->hpat_index,
	    .hpat_type = (enum p2mk_mt)v->hpat_type,
	};
	char dec[48];
	p2mk_policy_out_str(h->guest.policy->arch, &o, dec, sizeof(dec));
	json_t *j = json_object();
	json_object_set_new(j, "policy", json_string(h->guest.policy->name));
	json_object_set_new(
	    j, "p2m_type",
	    json_string(p2mk_p2mt_name((enum p2mk_p2mt)v->p2mt)));
	json_object_set_new(j, "what", json_string(v->what));
	json_object_set_new(j, "decided", json_string(dec));
	json_object_set_new(j, "branch",
	                    v->branch ? json_string(v->branch) : json_null());
	json_object_set_new(j, "cite",
	                    v->cite ? json_string(v->cite) : json_null());
	if (!v->ept && v->present)
		json_object_set_new(j, "host_mtrr",
		                    json_string(p2mk_mt_name(v->host_mtrr)));
	return j;
}

static const char *hv_words(const char *hv)
{
	if (strcmp(hv, "xen") == 0)
		return "a Xen HVM guest";
	if (strcmp(hv, "kvm") == 0)
		return "a KVM guest";
	if (strcmp(hv, "hyperv") == 0)
		return "a Hyper-V guest";
	if (strcmp(hv, "vmware") == 0)
		return "a VMware guest";
	return "a guest of an unidentified hypervisor";
}

void host_guest_text(struct rep_out *o, const json_t *rec)
{
	const json_t *g = rep_get(rec, "guest");
	const char *hv = rep_str(g, "hypervisor");
	if (hv[0] == '\0' || strcmp(hv, "none") == 0)
		return;
	rep_printf(o, "Guest: %s (", hv_words(hv));
	rep_clean(o, rep_str(g, "evidence"));
	rep_printf(o, ")\n");
	if (json_is_string(rep_get(g, "policy")))
		rep_printf(o,
		           "Second stage: %s, modelled by policy %s (p2mkit "
		           "explain --policy %s)\n",
		           strcmp(rep_str(g, "paging"), "ept") == 0
		               ? "Intel EPT"
		               : "AMD NPT",
		           rep_str(g, "policy"), rep_str(g, "policy"));
	else
		rep_printf(o, "Second stage: not modelled (no policy for this "
		              "hypervisor and CPU vendor)\n");
}

void host_hv_text(struct rep_out *o, const json_t *range)
{
	const json_t *v = rep_get(range, "hypervisor");
	if (v == NULL)
		return;
	rep_printf(o, "      HV    %s, %s: %s", rep_str(v, "policy"),
	           rep_str(v, "p2m_type"), rep_str(v, "decided"));
	if (rep_str(v, "branch")[0] != '\0')
		rep_printf(o, " (%s)", rep_str(v, "branch"));
	rep_printf(o, "; %s\n", rep_str(v, "what"));
}
