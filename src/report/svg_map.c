// SPDX-License-Identifier: BSD-2-Clause
/*
 * report/svg_map: the layout's memory map as SVG (svg_map.h).  Plain
 * fprintf-level SVG: Debian has no small C SVG writer worth a dependency
 * (cairo would pull in a rendering stack for a few rectangles), so the
 * writer stays in this one file.
 */
#include "report/svg_map.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>

#include "report/report.h"

#define MAX_EDGES 2048
#define LEFT      150 /* address labels */
#define COL_W     210
#define GAP       16
#define TOP       60

struct seg_map {
	uint64_t edge[MAX_EDGES];
	unsigned n;
	struct p2mk_mtrr_state mtrr;
	const struct p2mk_layout_input *in;
	const struct p2mk_layout_output *out;
};

static void add_edge(struct seg_map *m, uint64_t a)
{
	if (m->n < MAX_EDGES)
		m->edge[m->n++] = a;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t gpa_of(p2mk_gfn_t f)
{
	return p2mk_gfn_to_gpa(f).v;
}

static void add_window(struct seg_map *m, const struct p2mk_layout_window *w)
{
	if (!w->present)
		return;
	add_edge(m, gpa_of(w->first));
	add_edge(m, gpa_of(w->first) + gpa_of(p2mk_gfn(w->pages)));
}

/* Variable MTRR ranges as [base, base + size) from the replayed state. */
static void add_mtrr_edges(struct seg_map *m)
{
	uint64_t am =
	    ((UINT64_C(1) << m->mtrr.maxphyaddr) - 1) & ~UINT64_C(0xfff);
	for (unsigned i = 0; i < p2mk_mtrr_vcnt(&m->mtrr); i++) {
		const struct p2mk_mtrr_var *v = &m->mtrr.var[i];
		if (!(v->mask & P2MK_MTRR_MASK_V))
			continue;
		uint64_t base = v->base & am, mask = v->mask & am;
		uint64_t size = (~mask & am) + 0x1000;
		if ((size & (size - 1)) == 0) { /* contiguous masks only */
			add_edge(m, base);
			add_edge(m, base + size);
		}
	}
}

/* Every boundary of the picture, sorted and unique. */
static void collect(struct seg_map *m)
{
	const struct p2mk_layout_output *out = m->out;
	static const uint64_t fixed[] = {0, 0xA0000, 0xC0000, 0x100000,
	                                 UINT64_C(1) << 32};
	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		add_edge(m, fixed[i]);
	for (unsigned i = 0; i < out->ne820; i++) {
		add_edge(m, out->e820[i].start.v);
		add_edge(m, out->e820[i].start.v + out->e820[i].size);
	}
	for (unsigned i = 0; i < out->nbars; i++) {
		const struct p2mk_layout_bar_result *r = &out->bars[i];
		if (r->placed && r->kind != P2MK_BAR_IO) {
			add_edge(m, r->addr.v);
			add_edge(m, r->addr.v + r->size);
		}
	}
	add_window(m, &out->low_mmio);
	add_window(m, &out->high_mmio);
	add_mtrr_edges(m);
	qsort(m->edge, m->n, sizeof(m->edge[0]), cmp_u64);
	unsigned k = 0;
	for (unsigned i = 0; i < m->n; i++) {
		if (k == 0 || m->edge[i] != m->edge[k - 1])
			m->edge[k++] = m->edge[i];
	}
	m->n = k;
}

/* Height of a piece: grows with log2 of its size (4 KiB -> 12 px). */
static double seg_height(uint64_t size)
{
	return 12.0 + 5.0 * log2((double)size / 4096.0 + 1.0);
}

static const char *type_colour(unsigned t)
{
	switch (t) {
	case P2MK_MT_UC:
		return "#d62728";
	case P2MK_MT_WC:
		return "#ff7f0e";
	case P2MK_MT_WT:
		return "#bcbd22";
	case P2MK_MT_WP:
		return "#9467bd";
	case P2MK_MT_WB:
		return "#2ca02c";
	default:
		return "#7f7f7f";
	}
}

static const char *const dev_colours[] = {
    "#1f77b4", "#8c564b", "#e377c2", "#17becf", "#aec7e8",
    "#c49c94", "#f7b6d2", "#9edae5", "#393b79", "#637939"};

/* What the E820 column shows at @a: RAM, reserved, MMIO window, nothing. */
static void e820_at(const struct seg_map *m, uint64_t a, const char **name,
                    const char **colour)
{
	const struct p2mk_layout_output *out = m->out;
	for (unsigned i = 0; i < out->ne820; i++) {
		const struct p2mk_layout_e820 *e = &out->e820[i];
		if (a >= e->start.v && a - e->start.v < e->size) {
			bool ram = e->type == P2MK_E820_RAM;
			*name = ram ? "RAM" : "reserved";
			*colour = ram ? "#c6dbef" : "#bdbdbd";
			return;
		}
	}
	const struct p2mk_layout_window *w[2] = {&out->low_mmio,
	                                         &out->high_mmio};
	for (unsigned i = 0; i < 2; i++) {
		uint64_t s = gpa_of(w[i]->first);
		if (w[i]->present && a >= s &&
		    a - s < gpa_of(p2mk_gfn(w[i]->pages))) {
			*name = i == 0 ? "low MMIO hole" : "64-bit MMIO window";
			*colour = "#fff7bc";
			return;
		}
	}
	*name = a < 0x100000 ? "legacy" : "unused";
	*colour = "#ffffff";
}

/* The BAR covering @a, or NULL. */
static const struct p2mk_layout_bar_result *bar_at(const struct seg_map *m,
                                                   uint64_t a)
{
	for (unsigned i = 0; i < m->out->nbars; i++) {
		const struct p2mk_layout_bar_result *r = &m->out->bars[i];
		if (r->placed && r->kind != P2MK_BAR_IO && a >= r->addr.v &&
		    a - r->addr.v < r->size)
			return r;
	}
	return NULL;
}

static void size_text(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = {"B",   "KiB", "MiB",
	                                    "GiB", "TiB", "PiB"};
	unsigned u = 0;
	while (u < 5 && v >= 1024 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", v, units[u]);
}

static void text_escaped(struct rep_out *o, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '<')
			rep_printf(o, "&lt;");
		else if (*s == '>')
			rep_printf(o, "&gt;");
		else if (*s == '&')
			rep_printf(o, "&amp;");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			rep_printf(o, "?");
		else
			rep_printf(o, "%c", *s);
	}
}

static void rect(struct rep_out *o, double x, double y, double h,
                 const char *fill)
{
	rep_printf(o,
	           "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
	           "fill=\"%s\" stroke=\"#444\" stroke-width=\"0.5\"/>\n",
	           x, y, COL_W, h, fill);
}

static void label(struct rep_out *o, double x, double y, const char *s)
{
	rep_printf(o, "<text x=\"%.1f\" y=\"%.1f\">", x, y);
	text_escaped(o, s);
	rep_printf(o, "</text>\n");
}

/* The BAR column's text for @r: "00:02.0 BAR1 16 MiB". */
static void bar_label(const struct seg_map *m,
                      const struct p2mk_layout_bar_result *r, char *buf,
                      size_t len)
{
	char sz[32];
	uint8_t devfn = m->in->devs[r->dev].devfn;
	size_text(r->size, sz, sizeof(sz));
	if (r->kind == P2MK_BAR_ROM)
		snprintf(buf, len, "00:%02x.%u ROM %s", devfn >> 3, devfn & 7u,
		         sz);
	else
		snprintf(buf, len, "00:%02x.%u BAR%u %s", devfn >> 3,
		         devfn & 7u, r->index, sz);
}

/* One piece [a, b) of the map at height y, h pixels tall. */
static void draw_piece(struct rep_out *o, const struct seg_map *m, uint64_t a,
                       uint64_t b, double y, double h)
{
	const char *name, *colour;
	char buf[96];
	double x1 = LEFT, x2 = LEFT + COL_W + GAP, x3 = x2 + COL_W + GAP;
	e820_at(m, a, &name, &colour);
	rect(o, x1, y, h, colour);
	if (h >= 11) {
		size_text(b - a, buf, sizeof(buf));
		char t[128];
		snprintf(t, sizeof(t), "%s (%s)", name, buf);
		label(o, x1 + 4, y + h / 2 + 4, t);
	}
	const struct p2mk_layout_bar_result *r = bar_at(m, a);
	if (r != NULL) {
		rect(o, x2, y, h, dev_colours[r->dev % 10]);
		bar_label(m, r, buf, sizeof(buf));
		if (h >= 11)
			label(o, x2 + 4, y + h / 2 + 4, buf);
	}
	struct p2mk_mtrr_lookup l =
	    p2mk_mtrr_lookup(&m->mtrr, p2mk_gpa(a), 0, P2MK_OVERLAP_SDM);
	unsigned t = l.kind == P2MK_LOOKUP_TYPE ? l.type : 0xff;
	rect(o, x3, y, h, type_colour(t));
	if (h >= 11)
		label(o, x3 + 4, y + h / 2 + 4,
		      t == 0xff ? "undefined" : p2mk_mt_name(t));
}

static void legend(struct rep_out *o, double y)
{
	static const struct {
		const char *colour, *text;
	} keys[] = {
	    {"#c6dbef", "RAM (E820)"},
	    {"#bdbdbd", "reserved (E820: firmware, RMRR)"},
	    {"#fff7bc", "MMIO window, no BAR"},
	    {"#1f77b4", "a BAR (one colour per device)"},
	    {"#d62728", "MTRR UC"},
	    {"#ff7f0e", "MTRR WC"},
	    {"#2ca02c", "MTRR WB"},
	    {"#bcbd22", "MTRR WT"},
	};
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		unsigned row = i / 4, col = i % 4;
		double x = LEFT + 190.0 * col, yy = y + 20.0 * row;
		rep_printf(
		    o,
		    "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\" "
		    "fill=\"%s\" stroke=\"#444\" stroke-width=\"0.5\"/>\n",
		    x, yy, keys[i].colour);
		label(o, x + 20, yy + 11, keys[i].text);
	}
	label(o, LEFT, y + 52,
	      "Axis: broken at every boundary; each piece's height grows with "
	      "log2 of its size (not to linear scale).");
}

static void header(struct rep_out *o, const char *title, double width,
                   double height)
{
	double x2 = LEFT + COL_W + GAP;
	rep_printf(o,
	           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	           "height=\"%.0f\" font-family=\"sans-serif\" "
	           "font-size=\"10\">\n"
	           "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	           "<text x=\"%d\" y=\"22\" font-size=\"15\" "
	           "font-weight=\"bold\">",
	           width, height, LEFT);
	text_escaped(o, title);
	rep_printf(o, "</text>\n");
	label(o, LEFT, TOP - 8, "E820 and windows");
	label(o, x2, TOP - 8, "BARs");
	label(o, x2 + COL_W + GAP, TOP - 8, "effective MTRR type");
}

static void replay(struct seg_map *m)
{
	struct p2mk_mtrr_config cfg = {m->in->vcnt, m->in->maxphyaddr, true,
	                               true};
	p2mk_mtrr_init(&m->mtrr, &cfg);
	for (unsigned i = 0; i < m->out->nwrites; i++)
		p2mk_mtrr_wrmsr(&m->mtrr, m->out->writes[i].msr,
		                m->out->writes[i].value, NULL);
}

int svg_map_write(FILE *f, const struct p2mk_layout_input *in,
                  const struct p2mk_layout_output *out, const char *title)
{
	static struct seg_map m;
	struct rep_out o = rep_open(f);
	memset(&m, 0, sizeof(m));
	m.in = in;
	m.out = out;
	replay(&m);
	collect(&m);
	double total = TOP;
	for (unsigned i = 0; i + 1 < m.n; i++)
		total += seg_height(m.edge[i + 1] - m.edge[i]);
	header(&o, title, LEFT + 4 * 190 + 20, total + 110);
	double y = TOP;
	for (unsigned i = 0; i + 1 < m.n; i++) {
		double h = seg_height(m.edge[i + 1] - m.edge[i]);
		char addr[32];
		draw_piece(&o, &m, m.edge[i], m.edge[i + 1], y, h);
		snprintf(addr, sizeof(addr), "0x%" PRIx64, m.edge[i]);
		rep_printf(&o,
		           "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s"
		           "</text>\n",
		           LEFT - 6, y + 4, addr);
		y += h;
	}
	if (m.n > 0)
		rep_printf(
		    &o,
		    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">0x%" PRIx64
		    "</text>\n",
		    LEFT - 6, y + 4, m.edge[m.n - 1]);
	legend(&o, y + 24);
	rep_printf(&o, "</svg>\n");
	return rep_finish(&o);
}

/* ---- p2mkit run: effective types per policy --------------------------- */

/* The colour of an effective type: one per name, the same in every panel
 * and in the legend, no two names alike (x86 types as the MTRR column
 * above; ARM64 Device types in reds, Normal types from orange for
 * non-cacheable to green for write-back, arm64 §3). */
static const char *effective_colour(const char *t)
{
	static const struct {
		const char *name, *colour;
	} keys[] = {
	    {"UC", "#d62728"},
	    {"UC-", "#f7b6d2"},
	    {"CD", "#8c564b"},
	    {"WC", "#ff7f0e"},
	    {"WT", "#bcbd22"},
	    {"WP", "#9467bd"},
	    {"WB", "#2ca02c"},
	    {"emulated", "#ffffff"},
	    {"Device-nGnRnE", "#67000d"},
	    {"Device-nGnRE", "#a50f15"},
	    {"Device-nGRE", "#ef3b2c"},
	    {"Device-GRE", "#fc9272"},
	    {"Normal-NC", "#fd8d3c"},
	    {"Normal-INC-ONC", "#fdae6b"},
	    {"Normal-INC-OWT", "#fdd0a2"},
	    {"Normal-INC-OWB", "#fee6ce"},
	    {"Normal-IWT-ONC", "#dbdb8d"},
	    {"Normal-IWT-OWT", "#e7cb94"},
	    {"Normal-IWT-OWB", "#c7e9c0"},
	    {"Normal-IWB-ONC", "#a1d99b"},
	    {"Normal-IWB-OWT", "#74c476"},
	    {"Normal-IWB-OWB", "#31a354"},
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(t, keys[i].name) == 0)
			return keys[i].colour;
	return "#7f7f7f"; /* a name the table does not know */
}

struct panel_map {
	uint64_t edge[MAX_EDGES];
	unsigned n;
	const char *types[32]; /* the effective types drawn, for the legend */
	unsigned ntypes;
};

static void panel_edges(struct panel_map *m, const struct svg_panel *p,
                        size_t np)
{
	m->n = 0;
	for (size_t k = 0; k < np; k++)
		for (size_t i = 0; i < p[k].n && m->n + 2 <= MAX_EDGES; i++) {
			m->edge[m->n++] = p[k].r[i].start;
			m->edge[m->n++] = p[k].r[i].end;
		}
	qsort(m->edge, m->n, sizeof(m->edge[0]), cmp_u64);
	unsigned k = 0;
	for (unsigned i = 0; i < m->n; i++)
		if (k == 0 || m->edge[i] != m->edge[k - 1])
			m->edge[k++] = m->edge[i];
	m->n = k;
}

static const struct svg_range *range_at(const struct svg_panel *p, uint64_t a)
{
	for (size_t i = 0; i < p->n; i++)
		if (a >= p->r[i].start && a < p->r[i].end)
			return &p->r[i];
	return NULL;
}

static void note_type(struct panel_map *m, const char *t)
{
	for (unsigned i = 0; i < m->ntypes; i++)
		if (strcmp(m->types[i], t) == 0)
			return;
	if (m->ntypes < sizeof(m->types) / sizeof(m->types[0]))
		m->types[m->ntypes++] = t;
}

/* One piece [a, b) of panel @k at height y, h pixels tall. */
static void panel_piece(struct rep_out *o, struct panel_map *m,
                        const struct svg_panel *p, size_t k, uint64_t a,
                        uint64_t b, double y, double h)
{
	double x = LEFT + (double)k * (COL_W + GAP);
	const struct svg_range *r = range_at(p, a);
	char sz[32], t[160];
	if (r == NULL) {
		rect(o, x, y, h, "#f0f0f0");
		return;
	}
	note_type(m, r->effective);
	rep_printf(o,
	           "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
	           "fill=\"%s\" stroke=\"#444\" stroke-width=\"0.5\" "
	           "data-effective=\"",
	           x, y, COL_W, h, effective_colour(r->effective));
	text_escaped(o, r->effective);
	rep_printf(o, "\"/>\n");
	if (h >= 11) {
		/* '*': another type than the first panel's (as the text
		 * report marks differences); cut to the column's width */
		const struct svg_range *r0 = k > 0 ? range_at(p - k, a) : NULL;
		bool differs =
		    r0 != NULL && strcmp(r0->effective, r->effective) != 0;
		size_text(b - a, sz, sizeof(sz));
		snprintf(t, sizeof(t), "%s%s %.60s (%s)", differs ? "* " : "",
		         r->effective, r->what, sz);
		if (strlen(t) > 38)
			memcpy(t + 35, "...", 4);
		label(o, x + 4, y + h / 2 + 4, t);
	}
}

static void panel_legend(struct rep_out *o, const struct panel_map *m, double y)
{
	for (unsigned i = 0; i < m->ntypes; i++) {
		unsigned row = i / 4, col = i % 4;
		double x = LEFT + 150.0 * col, yy = y + 20.0 * row;
		rep_printf(o,
		           "<rect class=\"legend\" x=\"%.1f\" y=\"%.1f\" "
		           "width=\"14\" height=\"14\" fill=\"%s\" "
		           "stroke=\"#444\" stroke-width=\"0.5\" "
		           "data-effective=\"",
		           x, yy, effective_colour(m->types[i]));
		text_escaped(o, m->types[i]);
		rep_printf(o, "\"/>\n");
		label(o, x + 20, yy + 11, m->types[i]);
	}
	unsigned rows = (m->ntypes + 3) / 4;
	label(o, LEFT, y + 20.0 * rows + 12,
	      "Effective type of a typical guest access; grey: not mapped. "
	      "Heights grow with log2 of the size.");
}

int svg_map_write_panels(FILE *f, const char *title, const struct svg_panel *p,
                         size_t np)
{
	static struct panel_map m;
	struct rep_out o = rep_open(f);
	memset(&m, 0, sizeof(m));
	panel_edges(&m, p, np);
	double total = TOP;
	for (unsigned i = 0; i + 1 < m.n; i++)
		total += seg_height(m.edge[i + 1] - m.edge[i]);
	double width = LEFT + (double)np * (COL_W + GAP) + 20;
	rep_printf(&o,
	           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	           "height=\"%.0f\" font-family=\"sans-serif\" "
	           "font-size=\"10\">\n"
	           "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	           "<text x=\"%d\" y=\"22\" font-size=\"15\" "
	           "font-weight=\"bold\">",
	           width < 620 ? 620 : width, total + 140, LEFT);
	text_escaped(&o, title);
	rep_printf(&o, "</text>\n");
	for (size_t k = 0; k < np; k++) {
		rep_printf(&o, "<g class=\"panel\" data-policy=\"");
		text_escaped(&o, p[k].title);
		rep_printf(&o, "\">\n");
		label(&o, LEFT + (double)k * (COL_W + GAP), TOP - 8,
		      p[k].title);
		double y = TOP;
		for (unsigned i = 0; i + 1 < m.n; i++) {
			double h = seg_height(m.edge[i + 1] - m.edge[i]);
			panel_piece(&o, &m, &p[k], k, m.edge[i], m.edge[i + 1],
			            y, h);
			y += h;
		}
		rep_printf(&o, "</g>\n");
	}
	double y = TOP;
	for (unsigned i = 0; i < m.n; i++) {
		rep_printf(
		    &o,
		    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">0x%" PRIx64
		    "</text>\n",
		    LEFT - 6, y + 4, m.edge[i]);
		if (i + 1 < m.n)
			y += seg_height(m.edge[i + 1] - m.edge[i]);
	}
	panel_legend(&o, &m, y + 24);
	rep_printf(&o, "</svg>\n");
	return rep_finish(&o);
}
