// SPDX-License-Identifier: BSD-2-Clause
/* The result record's renderings and checked output (report.h). */
#include "report/report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct rep_out rep_open(FILE *f)
{
	return (struct rep_out){f, 0};
}

/* Remember the first failure: later writes keep going (they fail too) but
 * the first errno is the one worth reporting. */
static void note(struct rep_out *o, bool failed)
{
	if (failed && o->err == 0)
		o->err = errno != 0 ? errno : EIO;
}

void rep_printf(struct rep_out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	errno = 0;
	int n = vfprintf(o->f, fmt, ap);
	va_end(ap);
	note(o, n < 0);
}

void rep_clean(struct rep_out *o, const char *s)
{
	errno = 0;
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		if (putc(ch < 0x20 || ch == 0x7f ? '?' : ch, o->f) == EOF) {
			note(o, true);
			return;
		}
	}
}

void rep_json(struct rep_out *o, const json_t *rec)
{
	char *text = json_dumps(rec, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text == NULL) {
		errno = ENOMEM;
		note(o, true);
		return;
	}
	rep_printf(o, "%s\n", text);
	free(text);
}

json_t *rep_error(const char *command, const char *message, int status)
{
	return json_pack("{s:{s:s, s:s, s:i}}", "error", "command", command,
	                 "message", message, "status", status);
}

int rep_finish(struct rep_out *o)
{
	errno = 0;
	note(o, fflush(o->f) != 0 || ferror(o->f));
	return o->err;
}

int rep_close_stdout(void)
{
	errno = 0;
	bool failed = fflush(stdout) != 0 || ferror(stdout);
	int err = failed ? (errno != 0 ? errno : EIO) : 0;
	errno = 0;
	/* Some failures (NFS, a full quota) only show at close. */
	if (fclose(stdout) != 0 && err == 0)
		err = errno != 0 ? errno : EIO;
	return err;
}

json_t *rep_hex(uint64_t v)
{
	return json_sprintf("0x%llx", (unsigned long long)v);
}

const json_t *rep_get(const json_t *rec, const char *key)
{
	return json_is_object(rec) ? json_object_get(rec, key) : NULL;
}

bool rep_has(const json_t *rec, const char *key)
{
	const json_t *v = rep_get(rec, key);
	return v != NULL && !json_is_null(v);
}

const char *rep_str(const json_t *rec, const char *key)
{
	const char *s = json_string_value(rep_get(rec, key));
	return s != NULL ? s : "";
}

long long rep_int(const json_t *rec, const char *key)
{
	return (long long)json_integer_value(rep_get(rec, key));
}

bool rep_bool(const json_t *rec, const char *key)
{
	return json_is_true(rep_get(rec, key));
}

uint64_t rep_u64(const json_t *rec, const char *key)
{
	const char *s = rep_str(rec, key);
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return 0;
	return strtoull(s + 2, NULL, 16);
}
