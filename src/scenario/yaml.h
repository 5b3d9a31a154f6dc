/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scenario/yaml: the one YAML reader of p2mkit (tool-side, on libyaml).
 *
 * A file is loaded as a libyaml document: a graph of nodes, each carrying
 * the line and column where it starts.  Every getter below checks the node
 * it is given and, when the node is not what the caller expected, records a
 * message of the form
 *
 *     FILE:LINE:COLUMN: expected X, got Y
 *
 * (LINE and COLUMN counted from 1) and returns false, so a parser can stop
 * at the first error and print exactly where the user must look.  Unknown
 * keys are errors with a did-you-mean suggestion.  docs/scenario-format.md
 * documents the accepted scalar forms (sizes with KiB/MiB/GiB/TiB, hex
 * addresses, booleans).
 */
#ifndef P2MKIT_SCENARIO_YAML_H
#define P2MKIT_SCENARIO_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#ifdef __cplusplus
extern "C" {
#endif

#define P2MK_YAML_ERR_MAX 1024 /* file name (<=400) + message (<512) */

/* One loaded document.  @file is the name used in messages (owned). */
struct p2mk_yaml {
	yaml_document_t doc;
	char *file;
	bool loaded;
	char err[P2MK_YAML_ERR_MAX];
};

/**
 * p2mk_yaml_load_file() - read and parse @path.  Returns true with @y
 * loaded, or false with @y->err set ("PATH: cannot open: ..." or the
 * syntax error at its line and column); p2mk_yaml_free() is safe either
 * way.  An empty file is an error ("PATH:1:1: empty document").
 */
bool p2mk_yaml_load_file(struct p2mk_yaml *y, const char *path);

/**
 * p2mk_yaml_load_buf() - as p2mk_yaml_load_file() for the @len bytes at
 * @buf, naming them @name in messages.
 */
bool p2mk_yaml_load_buf(struct p2mk_yaml *y, const char *name,
                        const unsigned char *buf, size_t len);

/** p2mk_yaml_free() - release everything @y holds; @y may be reloaded. */
void p2mk_yaml_free(struct p2mk_yaml *y);

/** p2mk_yaml_root() - the document's root node (NULL if not loaded). */
yaml_node_t *p2mk_yaml_root(struct p2mk_yaml *y);

/**
 * p2mk_yaml_fail() - record "FILE:LINE:COLUMN: MESSAGE" for node @n (the
 * document start if @n is NULL) and return false.  Only the first error is
 * kept: a later call does not overwrite it.
 */
bool p2mk_yaml_fail(struct p2mk_yaml *y, const yaml_node_t *n, const char *fmt,
                    ...) __attribute__((format(printf, 3, 4)));

/** p2mk_yaml_line() - 1-based line of @n (0 for NULL). */
unsigned p2mk_yaml_line(const yaml_node_t *n);

/** p2mk_yaml_what() - "a mapping", "a sequence", "'TEXT'" for @n. */
const char *p2mk_yaml_what(const yaml_node_t *n, char *buf, size_t len);

/** p2mk_yaml_is_map() / _is_seq() - the node's kind (false for NULL). */
bool p2mk_yaml_is_map(const yaml_node_t *n);
bool p2mk_yaml_is_seq(const yaml_node_t *n);

/** p2mk_yaml_scalar() - the text of a scalar node, NULL for other kinds. */
const char *p2mk_yaml_scalar(const yaml_node_t *n);

/**
 * p2mk_yaml_map() - check that @n is a mapping whose keys are plain
 * scalars, each listed in the NULL-terminated @keys and none repeated.
 * @what names the section in messages ("vm.firmware").  Errors: "expected
 * a mapping for WHAT, got ...", "unknown key 'K' in WHAT (did you mean
 * 'KEY'?)" (the suggestion only when one is close), "duplicate key 'K' in
 * WHAT".
 */
bool p2mk_yaml_map(struct p2mk_yaml *y, const yaml_node_t *n,
                   const char *const *keys, const char *what);

/** p2mk_yaml_get() - the value of @key in mapping @map, or NULL. */
yaml_node_t *p2mk_yaml_get(struct p2mk_yaml *y, const yaml_node_t *map,
                           const char *key);

/**
 * p2mk_yaml_need() - as p2mk_yaml_get() but a missing key is an error at
 * the mapping: "missing required key 'K' in WHAT".
 */
yaml_node_t *p2mk_yaml_need(struct p2mk_yaml *y, const yaml_node_t *map,
                            const char *key, const char *what);

/**
 * p2mk_yaml_seq() - check that @n is a sequence ("expected a sequence for
 * WHAT, got ...") and store its length in *@len.
 */
bool p2mk_yaml_seq(struct p2mk_yaml *y, const yaml_node_t *n, const char *what,
                   size_t *len);

/** p2mk_yaml_at() - item @i of sequence @n (NULL if out of range). */
yaml_node_t *p2mk_yaml_at(struct p2mk_yaml *y, const yaml_node_t *n, size_t i);

/* Scalar getters.  Each leaves *out unchanged when it fails. */

/**
 * p2mk_yaml_u64() - a whole decimal or 0x-hexadecimal number within
 * [@min, @max]: "expected a number, got 'X'", "N is out of range
 * (MIN..MAX)".
 */
bool p2mk_yaml_u64(struct p2mk_yaml *y, const yaml_node_t *n, uint64_t min,
                   uint64_t max, uint64_t *out);

/**
 * p2mk_yaml_size() - bytes: a number as for p2mk_yaml_u64() optionally
 * followed (with or without one space) by KiB, MiB, GiB or TiB: "expected a
 * size (bytes, or a number with KiB, MiB, GiB or TiB), got 'X'" (with
 * "did you mean 'NGiB'?" for the decimal units kB/MB/GB/TB), "size 'X' does
 * not fit in 64 bits".
 */
bool p2mk_yaml_size(struct p2mk_yaml *y, const yaml_node_t *n, uint64_t *out);

/** p2mk_yaml_bool() - true/false (also yes/no, on/off). */
bool p2mk_yaml_bool(struct p2mk_yaml *y, const yaml_node_t *n, bool *out);

/** p2mk_yaml_str() - any scalar's text (a mapping or sequence fails). */
bool p2mk_yaml_str(struct p2mk_yaml *y, const yaml_node_t *n, const char **out);

/**
 * p2mk_yaml_enum() - one of the @n names: "expected one of A, B, C, got
 * 'X'" (with a did-you-mean when one is close); *@out is the index.
 */
bool p2mk_yaml_enum(struct p2mk_yaml *y, const yaml_node_t *node,
                    const char *const *names, size_t n, unsigned *out);

/*
 * Optional-key forms: absent key -> true, *out untouched; present -> the
 * getter above.  They keep section parsers to one line per key.
 */
bool p2mk_yaml_opt_u64(struct p2mk_yaml *y, const yaml_node_t *map,
                       const char *key, uint64_t min, uint64_t max,
                       uint64_t *out);
bool p2mk_yaml_opt_size(struct p2mk_yaml *y, const yaml_node_t *map,
                        const char *key, uint64_t *out);
bool p2mk_yaml_opt_bool(struct p2mk_yaml *y, const yaml_node_t *map,
                        const char *key, bool *out);
bool p2mk_yaml_opt_str(struct p2mk_yaml *y, const yaml_node_t *map,
                       const char *key, const char **out);
bool p2mk_yaml_opt_enum(struct p2mk_yaml *y, const yaml_node_t *map,
                        const char *key, const char *const *names, size_t n,
                        unsigned *out);

/**
 * p2mk_did_you_mean() - the candidate closest to @word by edit distance if
 * it is close enough to be a plausible typo (at most 2 edits and fewer than
 * half of @word's letters), else NULL.
 */
const char *p2mk_did_you_mean(const char *word, const char *const *cands,
                              size_t n);

/**
 * p2mk_parse_size() - the size grammar of p2mk_yaml_size() on a C string;
 * false if @s is not a size or overflows.
 */
bool p2mk_parse_size(const char *s, uint64_t *out);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_SCENARIO_YAML_H */
