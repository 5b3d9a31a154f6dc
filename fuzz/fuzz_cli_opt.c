// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the CLI's option layer alone (cli_opt.h): the input
 * is split at NUL bytes into an argv for a test command whose forms use
 * every argument type, a word form, a selected form, a default form and a
 * positional.  The layer must return 0 or 2; an error must be one printable
 * line naming something; a success must leave every value in its bounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_opt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_args {
	uint64_t hex, addr, frame, size;
	unsigned dec, mt, choice, flags, pat;
	const char *str, *file;
	bool flag;
	struct cli_msr_list msrs;
};

#define A(f) offsetof(struct fz_args, f)

static const struct cli_choice fz_choices[] = {
    {"alpha", 1}, {"beta", 2}, {"gamma", 4}, {NULL, 0}};

static const struct cli_opt fz_opts[] = {
    {.name = "hex",
     .type = CLI_HEX,
     .off = A(hex),
     .max = 0xff,
     .metavar = "0xNN",
     .help = "h"},
    {.name = "addr",
     .type = CLI_ADDR,
     .off = A(addr),
     .metavar = "0xA",
     .help = "h"},
    {.name = "frame",
     .type = CLI_FRAME,
     .off = A(frame),
     .metavar = "0xF",
     .help = "h"},
    {.name = "size",
     .type = CLI_SIZE,
     .off = A(size),
     .min = 4096,
     .max = UINT64_C(1) << 40,
     .metavar = "S",
     .help = "h"},
    {.name = "dec",
     .type = CLI_DEC,
     .off = A(dec),
     .min = 3,
     .max = 40,
     .metavar = "N",
     .help = "h"},
    {.name = "mt",
     .type = CLI_MEMTYPE,
     .off = A(mt),
     .sub = CLI_MT_MTRR,
     .metavar = "T",
     .help = "h"},
    {.name = "pat",
     .type = CLI_MEMTYPE,
     .off = A(pat),
     .sub = CLI_MT_PAT,
     .metavar = "T",
     .help = "h"},
    {.name = "choice",
     .type = CLI_CHOICE,
     .off = A(choice),
     .choices = fz_choices,
     .metavar = "C",
     .help = "h"},
    {.name = "flags",
     .type = CLI_FLAGS,
     .off = A(flags),
     .choices = fz_choices,
     .metavar = "L",
     .help = "h"},
    {.name = "str",
     .type = CLI_STRING,
     .off = A(str),
     .max = 16,
     .metavar = "S",
     .help = "h"},
    {.name = "flag", .type = CLI_FLAG, .off = A(flag), .help = "h"},
    {.name = "msr",
     .type = CLI_MSR,
     .off = A(msrs),
     .flags = CLI_REPEAT,
     .metavar = "M",
     .help = "h"},
    {.name = NULL,
     .type = CLI_STRING,
     .off = A(file),
     .flags = CLI_POS,
     .metavar = "FILE",
     .help = "h"},
};
static const struct cli_group fz_groups[] = {CLI_GROUP(fz_opts, 0),
                                             {NULL, 0, 0}};

static int fz_run(struct cli_ctx *c, void *args)
{
	(void)c;
	(void)args;
	return 0;
}

static unsigned fz_maxphyaddr(const void *args)
{
	(void)args;
	return 40;
}

#define FZ_FORM(w, s)                                                          \
	{                                                                      \
		.command = "fz", .word = (w), .select = (s), .summary = "s",   \
		.exits = "0", .groups = fz_groups,                             \
		.args_size = sizeof(struct fz_args), .run = fz_run,            \
		.maxphyaddr = fz_maxphyaddr                                    \
	}

static const struct cli_form fz_word = FZ_FORM("w", NULL);
static const struct cli_form fz_default = FZ_FORM(NULL, NULL);
static const struct cli_form fz_sel = FZ_FORM(NULL, "choice=beta");
static const struct cli_form fz_flag = FZ_FORM(NULL, "flag");
static const struct cli_form *const fz_forms[] = {&fz_default, &fz_sel,
                                                  &fz_flag, NULL};
static const struct cli_form *const fz_word_forms[] = {&fz_word, NULL};

static void check_error(const struct cli_ctx *c, int rc)
{
	size_t n = strlen(c->msg);
	if (rc != CLI_EXIT_USAGE || n == 0 || n >= sizeof(c->msg) - 1)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)c->msg[i];
		if (ch < 0x20 || ch == 0x7f)
			abort(); /* one line, nothing for a terminal to obey */
	}
}

static void check_values(const struct fz_args *a)
{
	if (a->hex > 0xff || a->addr >> 40 || a->frame >> 28 ||
	    (a->size && (a->size < 4096 || a->size > (UINT64_C(1) << 40))) ||
	    (a->dec && (a->dec < 3 || a->dec > 40)) || a->flags & ~7u ||
	    (a->str && (strlen(a->str) == 0 || strlen(a->str) > 16)) ||
	    a->msrs.n > CLI_MSR_MAX || a->mt > 7 || a->mt == 2 || a->mt == 3 ||
	    a->pat == 2 || a->pat == 3)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > 4096)
		return 0;
	char *buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	char *argv[130];
	int argc = 0;
	for (char *p = buf; p < buf + size - 1 && argc < 128;
	     p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	static struct cli_ctx c;
	static struct fz_args a;
	struct cli_token tok[130];
	bool word = data[0] & 1;
	memset(&c, 0, sizeof(c));
	memset(&a, 0, sizeof(a));
	c.forms = word ? fz_word_forms : fz_forms;
	c.tok = tok;
	int rc = cli_lex(&c, "fz", word ? &fz_word : NULL, argc, argv);
	if (rc == 0)
		rc = cli_parse(&c, &a);
	if (rc != 0)
		check_error(&c, rc);
	else
		check_values(&a);
	free(buf);
	return 0;
}
