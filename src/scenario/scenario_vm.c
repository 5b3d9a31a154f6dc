// SPDX-License-Identifier: BSD-2-Clause
/*
 * The `vm:` section into struct p2mk_layout_input (scenario/scenario_vm.h;
 * format: docs/scenario-format.md "vm", issue 12).
 */
#include "scenario/scenario_vm.h"

#include <stdio.h>
#include <string.h>

static const char *const planners[] = {"hvmloader", "improved", "ovmf"};
static const char *const windows[] = {"quarter", "eighth", "classic"};
static const char *const budgets[] = {"hvmloader", "vcnt"};
static const char *const bar_kinds[] = {"io", "mem32", "mem64", "rom"};

/* One hex digit's value, or -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool p2mk_parse_bdf(const char *s, uint8_t *devfn)
{
	/* exactly "BB:SS.F": bus 00, slot 00..1f, function 0..7 */
	if (s == NULL || strlen(s) != 7 || s[2] != ':' || s[5] != '.')
		return false;
	int b0 = hexval(s[0]), b1 = hexval(s[1]);
	int s0 = hexval(s[3]), s1 = hexval(s[4]);
	int fn = s[6] >= '0' && s[6] <= '7' ? s[6] - '0' : -1;
	if (b0 != 0 || b1 != 0 || s0 < 0 || s1 < 0 || fn < 0)
		return false;
	int slot = s0 * 16 + s1;
	if (slot > 0x1f)
		return false;
	*devfn = (uint8_t)(slot << 3 | fn);
	return true;
}

void p2mk_format_bdf(uint8_t devfn, char *buf, size_t len)
{
	snprintf(buf, len, "00:%02x.%u", (unsigned)(devfn >> 3),
	         (unsigned)(devfn & 7));
}

static bool parse_firmware(struct p2mk_yaml *y, const yaml_node_t *n,
                           struct p2mk_layout_firmware *fw)
{
	static const char *const keys[] = {
	    "planner",        "allow_memory_relocate",
	    "mmio_hole_size", "xen_platform_pci_bar_uc",
	    "pci_mmio64_mb",  "ovmf_window",
	    "mtrr_budget",    NULL};
	unsigned planner = fw->planner, window = fw->ovmf_window,
	         budget = fw->mtrr_budget;
	uint64_t mb = 0;
	if (!p2mk_yaml_map(y, n, keys, "vm.firmware") ||
	    !p2mk_yaml_opt_enum(y, n, "planner", planners, 3, &planner) ||
	    !p2mk_yaml_opt_bool(y, n, "allow_memory_relocate",
	                        &fw->allow_memory_relocate) ||
	    !p2mk_yaml_opt_size(y, n, "mmio_hole_size", &fw->mmio_hole_size) ||
	    !p2mk_yaml_opt_bool(y, n, "xen_platform_pci_bar_uc",
	                        &fw->xen_platform_pci_bar_uc) ||
	    !p2mk_yaml_opt_u64(y, n, "pci_mmio64_mb", 1, UINT32_MAX, &mb) ||
	    !p2mk_yaml_opt_enum(y, n, "ovmf_window", windows, 3, &window) ||
	    !p2mk_yaml_opt_enum(y, n, "mtrr_budget", budgets, 2, &budget))
		return false;
	fw->mtrr_budget = (enum p2mk_mtrr_budget)budget;
	fw->planner = (enum p2mk_layout_mode)planner;
	fw->ovmf_window = (enum p2mk_ovmf_window)window;
	fw->has_mmio_hole_size = p2mk_yaml_get(y, n, "mmio_hole_size") != NULL;
	fw->has_pci_mmio64_mb = p2mk_yaml_get(y, n, "pci_mmio64_mb") != NULL;
	fw->pci_mmio64_mb = (uint32_t)mb;
	return true;
}

static bool parse_region(struct p2mk_yaml *y, const yaml_node_t *n,
                         struct p2mk_layout_region *r)
{
	static const char *const keys[] = {"start", "end", NULL};
	uint64_t start = 0, end = 0;
	if (!p2mk_yaml_map(y, n, keys, "vm.reserved") ||
	    !p2mk_yaml_u64(y, p2mk_yaml_need(y, n, "start", "vm.reserved"), 0,
	                   UINT64_MAX, &start) ||
	    !p2mk_yaml_u64(y, p2mk_yaml_need(y, n, "end", "vm.reserved"), 0,
	                   UINT64_MAX, &end))
		return false;
	if ((start | end) & (P2MK_PAGE_SIZE - 1) || end <= start)
		return p2mk_yaml_fail(
		    y, n,
		    "vm.reserved: start and end must be 4 KiB "
		    "aligned with start < end (end is "
		    "exclusive)");
	r->first = p2mk_gpa_to_gfn(p2mk_gpa(start));
	r->pages = p2mk_gpa_to_gfn(p2mk_gpa(end - start)).v;
	return true;
}

static bool parse_bar(struct p2mk_yaml *y, const yaml_node_t *n,
                      struct p2mk_layout_bar *b)
{
	static const char *const keys[] = {"index", "kind", "prefetchable",
	                                   "size", NULL};
	uint64_t index = 0;
	unsigned kind = 0;
	if (!p2mk_yaml_map(y, n, keys, "vm.devices.bars") ||
	    !p2mk_yaml_u64(y, p2mk_yaml_need(y, n, "index", "vm.devices.bars"),
	                   0, 6, &index) ||
	    !p2mk_yaml_enum(y, p2mk_yaml_need(y, n, "kind", "vm.devices.bars"),
	                    bar_kinds, 4, &kind) ||
	    !p2mk_yaml_opt_bool(y, n, "prefetchable", &b->prefetchable) ||
	    !p2mk_yaml_size(y, p2mk_yaml_need(y, n, "size", "vm.devices.bars"),
	                    &b->size))
		return false;
	b->index = (uint8_t)index;
	b->kind = (enum p2mk_bar_kind)kind;
	return true;
}

static bool parse_bars(struct p2mk_yaml *y, const yaml_node_t *n,
                       struct p2mk_layout_dev *d)
{
	size_t len;
	if (!p2mk_yaml_seq(y, n, "vm.devices.bars", &len))
		return false;
	if (len > P2MK_LAYOUT_MAX_DEV_BARS)
		return p2mk_yaml_fail(y, n, "a device has at most %d BARs",
		                      P2MK_LAYOUT_MAX_DEV_BARS);
	for (size_t i = 0; i < len; i++)
		if (!parse_bar(y, p2mk_yaml_at(y, n, i), &d->bars[i]))
			return false;
	d->nbars = (unsigned)len;
	return true;
}

static bool parse_device(struct p2mk_yaml *y, const yaml_node_t *n,
                         struct p2mk_layout_dev *d)
{
	static const char *const keys[] = {"bdf",   "vendor",      "device",
	                                   "class", "header_type", "int_pin",
	                                   "bars",  NULL};
	const char *what = "vm.devices";
	uint64_t vendor = 0, device = 0, cls = 0, ht = 0, pin = 0;
	yaml_node_t *bdf;
	if (!p2mk_yaml_map(y, n, keys, what))
		return false;
	bdf = p2mk_yaml_need(y, n, "bdf", what);
	if (bdf == NULL)
		return false;
	if (!p2mk_parse_bdf(p2mk_yaml_scalar(bdf), &d->devfn)) {
		char b[80];
		return p2mk_yaml_fail(y, bdf,
		                      "expected a bus-0 device address like "
		                      "\"00:02.0\", got %s",
		                      p2mk_yaml_what(bdf, b, sizeof(b)));
	}
	if (!p2mk_yaml_opt_u64(y, n, "vendor", 0, 0xffff, &vendor) ||
	    !p2mk_yaml_opt_u64(y, n, "device", 0, 0xffff, &device) ||
	    !p2mk_yaml_opt_u64(y, n, "class", 0, 0xffff, &cls) ||
	    !p2mk_yaml_opt_u64(y, n, "header_type", 0, 0xff, &ht) ||
	    !p2mk_yaml_opt_u64(y, n, "int_pin", 0, 4, &pin))
		return false;
	d->vendor = (uint16_t)vendor;
	d->device = (uint16_t)device;
	d->class_code = (uint16_t)cls;
	d->header_type = (uint8_t)ht;
	d->int_pin = (uint8_t)pin;
	yaml_node_t *bars = p2mk_yaml_get(y, n, "bars");
	return bars == NULL || parse_bars(y, bars, d);
}

static bool parse_list(struct p2mk_yaml *y, const yaml_node_t *n,
                       struct p2mk_layout_input *in, bool devices)
{
	const char *what = devices ? "vm.devices" : "vm.reserved";
	size_t len,
	    max = devices ? P2MK_LAYOUT_MAX_DEVS : P2MK_LAYOUT_MAX_RESERVED;
	if (n == NULL)
		return true;
	if (!p2mk_yaml_seq(y, n, what, &len))
		return false;
	if (len > max)
		return p2mk_yaml_fail(y, n, "%s: at most %zu entries", what,
		                      max);
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *it = p2mk_yaml_at(y, n, i);
		if (devices ? !parse_device(y, it, &in->devs[i])
		            : !parse_region(y, it, &in->reserved[i]))
			return false;
	}
	if (devices)
		in->ndevs = (unsigned)len;
	else
		in->nreserved = (unsigned)len;
	return true;
}

bool p2mk_scenario_parse_vm(struct p2mk_yaml *y, const yaml_node_t *n,
                            struct p2mk_layout_input *in)
{
	static const char *const keys[] = {"memory",  "vcpus",    "maxphyaddr",
	                                   "vcnt",    "firmware", "reserved",
	                                   "devices", NULL};
	uint64_t mem = 0, vcpus, mpa, vcnt;
	yaml_node_t *mem_node, *fw;
	p2mk_layout_input_init(in);
	vcpus = in->vcpus;
	mpa = in->maxphyaddr;
	vcnt = in->vcnt;
	if (n == NULL || !p2mk_yaml_map(y, n, keys, "vm"))
		return false;
	mem_node = p2mk_yaml_need(y, n, "memory", "vm");
	if (mem_node == NULL || !p2mk_yaml_size(y, mem_node, &mem) ||
	    !p2mk_yaml_opt_u64(y, n, "vcpus", 1, 4096, &vcpus) ||
	    !p2mk_yaml_opt_u64(y, n, "maxphyaddr", 32, 52, &mpa) ||
	    !p2mk_yaml_opt_u64(y, n, "vcnt", 0, 40, &vcnt))
		return false;
	if (mem < (UINT64_C(2) << 20) || mem & (P2MK_PAGE_SIZE - 1))
		return p2mk_yaml_fail(y, mem_node,
		                      "vm.memory must be at least 2MiB and a "
		                      "multiple of 4KiB");
	in->ram_pages = p2mk_gpa_to_gfn(p2mk_gpa(mem)).v;
	in->vcpus = (unsigned)vcpus;
	in->maxphyaddr = (uint8_t)mpa;
	in->vcnt = (uint8_t)vcnt;
	fw = p2mk_yaml_get(y, n, "firmware");
	return (fw == NULL || parse_firmware(y, fw, &in->fw)) &&
	       parse_list(y, p2mk_yaml_get(y, n, "reserved"), in, false) &&
	       parse_list(y, p2mk_yaml_get(y, n, "devices"), in, true);
}

const char *const p2mk_scenario_keys[] = {"name",       "description", "host",
                                          "hypervisor", "vm",          "guest",
                                          "events",     "costs",       NULL};

/* A vm-only file, or a whole scenario whose `vm:` is read. */
static bool vm_from_doc(struct p2mk_yaml *y, struct p2mk_layout_input *in)
{
	yaml_node_t *r = p2mk_yaml_root(y);
	return p2mk_yaml_map(y, r, p2mk_scenario_keys, "the file") &&
	       p2mk_scenario_parse_vm(y, p2mk_yaml_need(y, r, "vm", "the file"),
	                              in);
}

static bool vm_finish(struct p2mk_yaml *y, bool ok,
                      struct p2mk_layout_input *in, char *err, size_t errlen)
{
	ok = ok && vm_from_doc(y, in);
	if (!ok && errlen > 0)
		snprintf(err, errlen, "%s", y->err);
	p2mk_yaml_free(y);
	return ok;
}

bool p2mk_scenario_parse_vm_file(const char *path, struct p2mk_layout_input *in,
                                 char *err, size_t errlen)
{
	struct p2mk_yaml y;
	return vm_finish(&y, p2mk_yaml_load_file(&y, path), in, err, errlen);
}

bool p2mk_scenario_parse_vm_buf(const char *name, const unsigned char *buf,
                                size_t len, struct p2mk_layout_input *in,
                                char *err, size_t errlen)
{
	struct p2mk_yaml y;
	return vm_finish(&y, p2mk_yaml_load_buf(&y, name, buf, len), in, err,
	                 errlen);
}
