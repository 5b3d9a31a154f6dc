/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The output layer (ARCHITECTURE.md "report"): a command builds one result
 * record, a jansson object; JSON is that record dumped, text is a renderer
 * that reads only the record, so the two cannot say different things.
 * Every write goes through a struct rep_out, which remembers the first
 * failure so the caller can exit 1 instead of reporting success.
 */
#ifndef P2MKIT_REPORT_H
#define P2MKIT_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A checked output stream: @err is the errno of the first failed write. */
struct rep_out {
	FILE *f;
	int err;
};

/** rep_open() - a checked stream writing to @f, no failure yet. */
struct rep_out rep_open(FILE *f);

/** rep_printf() - formatted write; a failure is remembered in @o->err. */
void rep_printf(struct rep_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * rep_clean() - write @s with every control byte (and DEL) shown as '?',
 * so text that came from input cannot drive a terminal.
 */
void rep_clean(struct rep_out *o, const char *s);

/**
 * rep_json() - write @rec as indented JSON (keys in insertion order) and a
 * newline.  Allocation failure counts as a write failure (ENOMEM).
 */
void rep_json(struct rep_out *o, const json_t *rec);

/**
 * rep_error() - the JSON error record: {"error": {"command", "message",
 * "status"}}.  NULL only if jansson cannot allocate.
 */
json_t *rep_error(const char *command, const char *message, int status);

/**
 * rep_finish() - flush @o's stream; returns 0, or the errno of the first
 * failed write or of the flush.
 */
int rep_finish(struct rep_out *o);

/**
 * rep_close_stdout() - flush and close stdout (the last thing a program
 * does); returns 0 or the errno of an earlier write error, the flush or the
 * close.
 */
int rep_close_stdout(void);

/** rep_hex() - @v as a JSON string "0x...", lower-case hex. */
json_t *rep_hex(uint64_t v);

/*
 * Readers for text renderers: the field @key of object @rec, or a neutral
 * value ("" / 0 / false / NULL) if it is missing or of another type, so a
 * renderer never dereferences NULL.
 */
const char *rep_str(const json_t *rec, const char *key);
long long rep_int(const json_t *rec, const char *key);
bool rep_bool(const json_t *rec, const char *key);
bool rep_has(const json_t *rec, const char *key);
const json_t *rep_get(const json_t *rec, const char *key);

/** rep_u64() - a field written by rep_hex() back as a number (0 if not). */
uint64_t rep_u64(const json_t *rec, const char *key);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_REPORT_H */
