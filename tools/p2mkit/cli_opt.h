/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The option layer of the p2mkit CLI (docs/cli.md).
 *
 * Every command form ("combine intel", "explain --policy", "mtrr lookup")
 * is one `struct cli_form`: its option tables, its argument structure, a
 * check for cross-option rules and a run function that builds one result
 * record (src/report/).  The layer parses argv against the tables, rejects
 * options the form does not take and repeated options, parses every value
 * (the only place numbers are parsed), generates the usage text, and
 * renders the record as text or JSON.
 *
 * Number rules, identical everywhere:
 *   addresses, frame numbers, MSR indexes and values, register values: hex
 *   with 0x (a bare number is an error that shows the 0x form);
 *   counts, orders and widths: decimal;
 *   sizes: decimal or 0x-hex bytes, optionally with KiB, MiB, GiB or TiB.
 */
#ifndef P2MKIT_CLI_OPT_H
#define P2MKIT_CLI_OPT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

/** The argument type of an option, and what its destination field is. */
enum cli_type {
	CLI_FLAG,    /* no value; bool */
	CLI_HEX,     /* 0x-hex in [min, max]; uint64_t */
	CLI_ADDR,    /* 0x-hex physical address below MAXPHYADDR; uint64_t */
	CLI_FRAME,   /* 0x-hex 4 KiB frame number below MAXPHYADDR; uint64_t */
	CLI_DEC,     /* decimal in [min, max]; unsigned */
	CLI_SIZE,    /* bytes, [min, max], KiB/MiB/GiB/TiB suffix; uint64_t */
	CLI_MEMTYPE, /* x86 memory type, role in .sub; unsigned */
	CLI_MSR,     /* 0xIDX=0xVAL appended in order; struct cli_msr_list */
	CLI_CHOICE,  /* one name of .choices; unsigned (its value) */
	CLI_FLAGS,   /* comma list of .choices names (or none); OR of values */
	CLI_STRING,  /* text of 1 to .max bytes (default 4095); const char * */
	CLI_STRINGS, /* CLI_STRING appended in order; struct cli_str_list */
};

/** Roles for CLI_MEMTYPE (.sub): which encodings are accepted. */
enum cli_mt_role {
	CLI_MT_ANY,  /* any 3-bit encoding 0-7, reserved ones included */
	CLI_MT_PAT,  /* a PAT type: UC WC WT WP WB UC- (x86 §2) */
	CLI_MT_MTRR, /* an MTRR type: UC WC WT WP WB (x86 §2) */
};

/** Option flags. */
enum {
	CLI_REPEAT = 1u << 0,   /* may be given more than once */
	CLI_REQUIRED = 1u << 1, /* the form needs it */
	CLI_POS = 1u << 2,      /* a positional argument, named by .metavar */
};

/** One name of a CLI_CHOICE or CLI_FLAGS option and its value. */
struct cli_choice {
	const char *name;
	unsigned value;
};

/** One option of a form's table. */
struct cli_opt {
	const char *name;    /* without "--"; NULL for CLI_POS entries */
	const char *metavar; /* e.g. "T", "0xADDR", "N"; NULL for flags */
	const char *help;    /* one line for --help */
	const struct cli_choice *choices; /* CHOICE/FLAGS, NULL-terminated */
	size_t off;        /* offsetof() the destination in the group */
	uint64_t min, max; /* bounds (HEX, DEC, SIZE; STRING max length) */
	enum cli_type type;
	unsigned flags; /* CLI_REPEAT, CLI_REQUIRED, CLI_POS */
	unsigned sub;   /* CLI_MEMTYPE: enum cli_mt_role */
};

/** A table of options whose destinations are at @base in the arguments. */
struct cli_group {
	const struct cli_opt *opts;
	size_t n;
	size_t base;
};

#define CLI_GROUP(table, base_off)                                             \
	{                                                                      \
		(table), sizeof(table) / sizeof((table)[0]), (base_off)        \
	}

/** Repeated --msr 0xIDX=0xVAL arguments, kept in the order given. */
#define CLI_MSR_MAX 256
struct cli_msr_list {
	unsigned n;
	uint32_t msr[CLI_MSR_MAX];
	uint64_t value[CLI_MSR_MAX];
	const char *text[CLI_MSR_MAX];
};

/* Repeated CLI_STRINGS arguments (--set KEY=V,...), in the order given. */
#define CLI_STR_MAX 64
struct cli_str_list {
	unsigned n;
	const char *v[CLI_STR_MAX];
};

struct cli_ctx;

/**
 * One command form.  Forms of the same command are told apart by @word
 * (the word after the command: "combine intel") or by @select, an option
 * that picks the form ("policy": --policy with any value; "arch=arm64":
 * --arch with that value; "example": the flag).  A form with neither is the
 * command's default form.  --help and --json are accepted by every form.
 */
struct cli_form {
	const char *command;
	const char *word;
	const char *select;
	const char *summary; /* one line: top-level help and README */
	const char *about;   /* --help text after the option list, or NULL */
	const char *exits;   /* the exit statuses this form uses */
	const struct cli_group *groups; /* terminated by {NULL, 0, 0} */
	size_t args_size;
	void (*init)(void *args); /* defaults; NULL: all zero */
	/* Cross-option rules; returns 0 or a status after cli_fail(). */
	int (*check)(struct cli_ctx *c, void *args);
	/* Does the work: cli_record() the result and return the status, or
	 * return cli_fail(). */
	int (*run)(struct cli_ctx *c, void *args);
	/* Renders the record as text (NULL: JSON is the only rendering). */
	void (*text)(struct rep_out *out, const json_t *rec);
	/* Renders the record with --json (NULL: rep_json, one indented
	 * object); a form whose record is a list of results may print JSON
	 * Lines instead. */
	void (*json)(struct rep_out *out, const json_t *rec);
	/* MAXPHYADDR the addresses are checked against (NULL: 52). */
	unsigned (*maxphyaddr)(const void *args);
};

/* The most options one form may have (its groups together). */
#define CLI_OPT_MAX 64

/** One option occurrence on the command line, after lexing. */
struct cli_token {
	const char *name;  /* option name without "--"; NULL: positional */
	const char *value; /* its value, NULL for flags */
};

/** State of one invocation; forms read it through the functions below. */
struct cli_ctx {
	const struct cli_form *const *forms; /* every form, NULL-terminated */
	const struct cli_form *form;         /* the chosen form */
	char name[64];                       /* its title: message prefix */
	bool json, help;
	struct cli_token *tok;
	int ntok;
	bool given[CLI_OPT_MAX];
	json_t *record;
	int status;
	char msg[320];
};

/**
 * cli_main() - run p2mkit with @argv against the NULL-terminated form list
 * @forms: dispatch, parse, run, render, check stdout.  Returns the exit
 * status (0 ok, 1 failed, 2 bad usage or input).
 */
int cli_main(const struct cli_form *const *forms, int argc, char **argv);

/**
 * cli_exit() - close stdout at the end of the program: returns @status, or
 * 1 with a message if anything written to stdout was lost.
 */
int cli_exit(int status);

/**
 * cli_lex() - split @argv (the arguments after the command and form words)
 * into options and values using the tables of @command's forms, then
 * choose the form: @word_form if given, else the one an option selects,
 * else the command's default form.  Sets @c->form, @c->json, @c->help.
 * @c->tok must have room for @argc tokens.  Returns 0 or the status after
 * cli_fail().
 */
int cli_lex(struct cli_ctx *c, const char *command,
            const struct cli_form *word_form, int argc, char **argv);

/**
 * cli_parse() - parse every lexed option of @c->form into @args (already
 * initialised with the form's defaults): rejects options of other forms,
 * repeats, bad values, missing required options, addresses beyond
 * MAXPHYADDR, then runs the form's check.  Returns 0 or the status after
 * cli_fail().
 */
int cli_parse(struct cli_ctx *c, void *args);

/**
 * cli_find_opt() - the option --@name of @f (its flat index in *@index if
 * @index is non-NULL, its group in *@group if non-NULL), or NULL.
 */
const struct cli_opt *cli_find_opt(const struct cli_form *f, const char *name,
                                   unsigned *index,
                                   const struct cli_group **group);

/**
 * cli_fail() - record error @status with a one-line message (printf-style)
 * for the form; returns @status.  The driver prints it prefixed with
 * "p2mkit FORM: " on stderr, or as a JSON error object on stdout with
 * --json.
 */
int cli_fail(struct cli_ctx *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** cli_record() - set the form's result record (takes the reference). */
void cli_record(struct cli_ctx *c, json_t *rec);

/**
 * cli_given() - true if option --@name was on the command line.  @name must
 * be in the form's tables (an internal invariant).
 */
bool cli_given(const struct cli_ctx *c, const char *name);

/**
 * cli_echo() - @arg made safe to echo in a one-line message: control and
 * non-ASCII bytes as '?', cut to 40 bytes with "..." appended.  Returns
 * @buf (at least CLI_ECHO_MAX bytes).
 */
#define CLI_ECHO_MAX 48
const char *cli_echo(const char *arg, char *buf);

/*
 * Value parsers, the only place numbers are parsed.  Each returns true and
 * stores the value, or false with a one-line reason in @why (naming @opt).
 */
bool cli_parse_hex(const char *opt, const char *arg, uint64_t *out, char *why,
                   size_t len);
bool cli_parse_dec(const char *opt, const char *arg, uint64_t *out, char *why,
                   size_t len);
bool cli_parse_size(const char *opt, const char *arg, uint64_t *out, char *why,
                    size_t len);
bool cli_parse_memtype(const char *opt, const char *arg, enum cli_mt_role role,
                       unsigned *out, char *why, size_t len);
bool cli_parse_msr(const char *opt, const char *arg, uint32_t *msr,
                   uint64_t *value, char *why, size_t len);

/**
 * cli_check_range() - the one "start <= end" rule: 0 if @start <= @end,
 * else cli_fail() naming both options.
 */
int cli_check_range(struct cli_ctx *c, const char *start_opt, uint64_t start,
                    const char *end_opt, uint64_t end);

/** cli_usage() - write the generated --help text of @form to @out. */
void cli_usage(struct rep_out *out, const struct cli_form *form);

/** cli_form_title() - "combine intel", "explain --policy NAME", ... */
void cli_form_title(const struct cli_form *f, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* P2MKIT_CLI_OPT_H */
