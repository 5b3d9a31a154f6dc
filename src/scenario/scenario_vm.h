/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scenario/vm: the `vm:` section (issue 12's exact format,
 * docs/scenario-format.md "vm") parsed into the layout layer's input.
 * `p2mkit layout FILE` and `p2mkit run` share this one parser.
 */
#ifndef P2MKIT_SCENARIO_VM_H
#define P2MKIT_SCENARIO_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <p2mkit/layout.h>

#include "scenario/yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * p2mk_scenario_parse_vm() - parse the `vm:` mapping @n into @in (first
 * reset with p2mk_layout_input_init()).  false with y->err set to
 * "FILE:LINE:COLUMN: message" on any error.
 */
bool p2mk_scenario_parse_vm(struct p2mk_yaml *y, const yaml_node_t *n,
                            struct p2mk_layout_input *in);

/**
 * p2mk_scenario_parse_vm_file() - read @path (a file with only a `vm:`
 * section, or a whole scenario whose other sections are not read) into
 * @in.  Returns true, or false with "FILE:LINE:COLUMN: message" (or
 * "FILE: cannot open: ...") in @err (@errlen bytes, NUL-terminated).
 */
bool p2mk_scenario_parse_vm_file(const char *path, struct p2mk_layout_input *in,
                                 char *err, size_t errlen);

/** p2mk_scenario_parse_vm_buf() - as _file() on @len bytes at @buf. */
bool p2mk_scenario_parse_vm_buf(const char *name, const unsigned char *buf,
                                size_t len, struct p2mk_layout_input *in,
                                char *err, size_t errlen);

/* The top-level keys of a scenario file (NULL-terminated). */
extern const char *const p2mk_scenario_keys[];

/**
 * p2mk_parse_bdf() - "00:02.0" (bus 00, hex slot 00..1f, function 0..7)
 * into devfn = slot << 3 | function; false for anything else.
 */
bool p2mk_parse_bdf(const char *s, uint8_t *devfn);

/** p2mk_format_bdf() - devfn as "00:SS.F" into @buf (at least 8 bytes). */
void p2mk_format_bdf(uint8_t devfn, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_SCENARIO_VM_H */
