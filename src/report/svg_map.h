/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report/svg_map: the guest-physical memory map of a layout as an SVG
 * picture (docs/layout.md).  One tool-side writer shared by `p2mkit
 * layout --svg` and `p2mkit run`.
 *
 * The vertical axis is broken at every boundary (RAM, holes, BARs,
 * reserved regions, windows, MTRR ranges) and each piece gets a height
 * that grows with the logarithm of its size, so a 4 KiB BAR and a 16 TiB
 * window are both readable; every boundary is labelled with its address.
 * Three columns: the E820 map with the MMIO windows, the BARs coloured by
 * device, and the effective MTRR type of the layout's own MTRR writes.
 * `p2mkit run --svg` draws effective types per policy on the same axis
 * (svg_map_write_panels).
 */
#ifndef P2MKIT_REPORT_SVG_MAP_H
#define P2MKIT_REPORT_SVG_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <p2mkit/layout.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * svg_map_write() - write the SVG for @out (planned from @in) to @f with
 * @title as its heading.  Returns 0, or the errno of the first failed
 * write (nothing is retried).
 */
int svg_map_write(FILE *f, const struct p2mk_layout_input *in,
                  const struct p2mk_layout_output *out, const char *title);

/** One range of a run's memory map (docs/run.md): [start, end). */
struct svg_range {
	uint64_t start, end;
	const char *what;      /* "RAM", "00:02.0 BAR1: grant table", ... */
	const char *effective; /* "WB", "CD", "Device-nGnRE", ... */
};

/** One policy's memory map: a column of the picture. */
struct svg_panel {
	const char *title; /* the policy */
	const struct svg_range *r;
	size_t n;
};

/**
 * svg_map_write_panels() - the address map of `p2mkit run --svg`: one
 * column per panel over a shared axis broken at every range boundary,
 * each range coloured by its effective type (the same colour for a type in
 * every column and in the legend, which lists the types drawn).  Rects
 * carry data-effective and each column is a <g class="panel">, so tests
 * can read the picture.  Returns 0, or the errno of the first failed write.
 */
int svg_map_write_panels(FILE *f, const char *title, const struct svg_panel *p,
                         size_t np);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_REPORT_SVG_MAP_H */
