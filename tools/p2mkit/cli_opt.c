// SPDX-License-Identifier: BSD-2-Clause
/*
 * The option layer: lexing argv against the forms' option tables, choosing
 * the form, parsing each value into the form's argument structure and the
 * checks every form shares (docs/cli.md).
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli_opt.h"

int cli_fail(struct cli_ctx *c, int status, const char *fmt, ...)
{
	if (c->msg[0] != '\0') /* the first error is the one to report */
		return c->status;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	c->status = status;
	return status;
}

void cli_record(struct cli_ctx *c, json_t *rec)
{
	json_decref(c->record);
	c->record = rec;
}

void cli_form_title(const struct cli_form *f, char *buf, size_t len)
{
	if (f->word != NULL) {
		snprintf(buf, len, "%s %s", f->command, f->word);
	} else if (f->select != NULL) {
		/* "--arch arm64"; "--policy NAME" (a value); "--example". */
		const char *eq = strchr(f->select, '=');
		int n = eq ? (int)(eq - f->select) : (int)strlen(f->select);
		const struct cli_opt *o =
		    eq ? NULL : cli_find_opt(f, f->select, NULL, NULL);
		const char *val = eq                         ? eq + 1
		                  : o && o->type != CLI_FLAG ? o->metavar
		                                             : "";
		snprintf(buf, len, "%s --%.*s%s%s", f->command, n, f->select,
		         val[0] ? " " : "", val);
	} else {
		snprintf(buf, len, "%s", f->command);
	}
}

const struct cli_opt *cli_find_opt(const struct cli_form *f, const char *name,
                                   unsigned *index,
                                   const struct cli_group **group)
{
	unsigned k = 0;
	for (const struct cli_group *g = f->groups; g && g->opts; g++) {
		for (size_t i = 0; i < g->n; i++, k++) {
			const struct cli_opt *o = &g->opts[i];
			if (o->name == NULL || strcmp(o->name, name) != 0)
				continue;
			if (index != NULL)
				*index = k;
			if (group != NULL)
				*group = g;
			return o;
		}
	}
	return NULL;
}

bool cli_given(const struct cli_ctx *c, const char *name)
{
	unsigned k = 0;
	const struct cli_opt *o = cli_find_opt(c->form, name, &k, NULL);
	assert(o != NULL && "cli_given: option not in the form's tables");
	return o != NULL && c->given[k];
}

int cli_check_range(struct cli_ctx *c, const char *start_opt, uint64_t start,
                    const char *end_opt, uint64_t end)
{
	if (start <= end)
		return 0;
	return cli_fail(c, CLI_EXIT_USAGE,
	                "%s 0x%llx is above %s 0x%llx (start must not exceed "
	                "end)",
	                start_opt, (unsigned long long)start, end_opt,
	                (unsigned long long)end);
}

/* ---- lexing and choosing the form ------------------------------------ */

/* The option --@name in any form of @command (for its arity), or NULL. */
static const struct cli_opt *command_opt(const struct cli_ctx *c,
                                         const char *command, const char *name)
{
	for (const struct cli_form *const *f = c->forms; *f; f++) {
		if (strcmp((*f)->command, command) != 0)
			continue;
		const struct cli_opt *o = cli_find_opt(*f, name, NULL, NULL);
		if (o != NULL)
			return o;
	}
	return NULL;
}

/* Does option token @t select form @f ("name" or "name=value")? */
static bool selects(const struct cli_form *f, const struct cli_token *t)
{
	if (f->select == NULL || t->name == NULL)
		return false;
	size_t n = strcspn(f->select, "=");
	if (strncmp(f->select, t->name, n) != 0 || t->name[n] != '\0')
		return false;
	return f->select[n] == '\0' ||
	       (t->value && strcmp(f->select + n + 1, t->value) == 0);
}

static int choose_form(struct cli_ctx *c, const char *command)
{
	const struct cli_form *dflt = NULL, *chosen = NULL;
	char e[CLI_ECHO_MAX];
	for (const struct cli_form *const *f = c->forms; *f; f++) {
		if (strcmp((*f)->command, command) != 0)
			continue;
		if ((*f)->select == NULL && (*f)->word == NULL)
			dflt = *f;
		for (int i = 0; i < c->ntok; i++) {
			if (!selects(*f, &c->tok[i]) || chosen == *f)
				continue;
			if (chosen != NULL)
				return cli_fail(
				    c, CLI_EXIT_USAGE,
				    "--%s and --%s choose different "
				    "forms; give one",
				    cli_echo(chosen->select, e), (*f)->select);
			chosen = *f;
		}
	}
	c->form = chosen != NULL ? chosen : dflt;
	if (c->form == NULL)
		return cli_fail(c, CLI_EXIT_USAGE,
		                "which form? (p2mkit %s --help lists them)",
		                command);
	cli_form_title(c->form, c->name, sizeof(c->name));
	return 0;
}

/* Lex one "--name[=value]" at argv[*i]; advances *i past its value. */
static int lex_option(struct cli_ctx *c, const char *command, int argc,
                      char **argv, int *i)
{
	char e[CLI_ECHO_MAX];
	char *arg = argv[*i] + 2;
	char *eq = strchr(arg, '=');
	struct cli_token *t = &c->tok[c->ntok];
	if (eq != NULL)
		*eq = '\0'; /* argv is ours to split, as getopt does */
	t->name = arg;
	t->value = eq != NULL ? eq + 1 : NULL;
	bool is_flag = strcmp(arg, "json") == 0 || strcmp(arg, "help") == 0;
	const struct cli_opt *o = is_flag ? NULL : command_opt(c, command, arg);
	if (!is_flag && o == NULL)
		return cli_fail(c, CLI_EXIT_USAGE,
		                "unknown option '--%s' (p2mkit %s --help lists "
		                "the options)",
		                cli_echo(arg, e), command);
	is_flag = is_flag || o->type == CLI_FLAG;
	if (is_flag && t->value != NULL)
		return cli_fail(c, CLI_EXIT_USAGE, "--%s takes no value", arg);
	if (!is_flag && t->value == NULL) {
		/* A value never starts with "--": "--policy --json" lacks one.
		 */
		if (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0)
			return cli_fail(c, CLI_EXIT_USAGE,
			                "--%s needs a value (%s)", arg,
			                o->metavar ? o->metavar : "VALUE");
		t->value = argv[++*i];
	}
	if (strcmp(arg, "json") == 0 && c->json)
		return cli_fail(c, CLI_EXIT_USAGE,
		                "--json given more than once");
	c->json |= strcmp(arg, "json") == 0;
	c->help |= strcmp(arg, "help") == 0;
	c->ntok++;
	return 0;
}

int cli_lex(struct cli_ctx *c, const char *command,
            const struct cli_form *word_form, int argc, char **argv)
{
	char e[CLI_ECHO_MAX];
	int err = 0;
	bool rest_positional = false;
	c->ntok = 0;
	/* Keep lexing after an error: a later --json or --help still counts. */
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!rest_positional && strcmp(a, "--") == 0) {
			rest_positional = true;
		} else if (!rest_positional && strncmp(a, "--", 2) == 0) {
			int r = lex_option(c, command, argc, argv, &i);
			err = err ? err : r;
		} else if (!rest_positional && strcmp(a, "-h") == 0) {
			c->help = true;
		} else if (!rest_positional && a[0] == '-' && a[1] != '\0') {
			int r = cli_fail(c, CLI_EXIT_USAGE,
			                 "unknown option '%s' (options are "
			                 "--long)",
			                 cli_echo(a, e));
			err = err ? err : r;
		} else {
			c->tok[c->ntok++] = (struct cli_token){NULL, a};
		}
	}
	if (word_form != NULL) {
		c->form = word_form;
		cli_form_title(c->form, c->name, sizeof(c->name));
		return err;
	}
	int r = choose_form(c, command);
	return err ? err : r;
}

/* ---- parsing values --------------------------------------------------- */

static bool parse_choice(const struct cli_opt *o, const char *opt,
                         const char *arg, unsigned *out, char *why, size_t len)
{
	for (const struct cli_choice *ch = o->choices; ch && ch->name; ch++) {
		if (strcasecmp(arg, ch->name) == 0) {
			*out = ch->value;
			return true;
		}
	}
	char e[CLI_ECHO_MAX], list[320] = ""; /* 16 p2m type names fit */
	for (const struct cli_choice *ch = o->choices; ch && ch->name; ch++) {
		size_t used = strlen(list);
		snprintf(list + used, sizeof(list) - used, "%s%s",
		         used ? ", " : "", ch->name);
	}
	snprintf(why, len, "%s wants one of %s%s; got '%s'", opt, list,
	         o->type == CLI_FLAGS ? " (comma-separated) or none" : "",
	         cli_echo(arg, e));
	return false;
}

static bool parse_flags(const struct cli_opt *o, const char *opt,
                        const char *arg, unsigned *out, char *why, size_t len)
{
	char buf[128], e[CLI_ECHO_MAX];
	if (strlen(arg) >= sizeof(buf) || arg[0] == '\0') {
		snprintf(why, len, "%s: bad list '%s'", opt, cli_echo(arg, e));
		return false;
	}
	memcpy(buf, arg, strlen(arg) + 1);
	unsigned mask = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		unsigned bit = 0;
		if (strcasecmp(tok, "none") == 0)
			continue;
		if (!parse_choice(o, opt, tok, &bit, why, len))
			return false;
		mask |= bit;
	}
	*out = mask;
	return true;
}

/* Bounds of HEX/DEC/SIZE: a zero .max means "no bound beyond the type". */
static bool in_bounds(const struct cli_opt *o, const char *opt, uint64_t v,
                      const char *arg, char *why, size_t len)
{
	uint64_t max = o->max               ? o->max
	               : o->type == CLI_DEC ? UINT32_MAX
	                                    : UINT64_MAX;
	if (v >= o->min && v <= max)
		return true;
	char e[CLI_ECHO_MAX];
	if (o->type == CLI_DEC)
		snprintf(why, len, "%s wants %llu to %llu, got '%s'", opt,
		         (unsigned long long)o->min, (unsigned long long)max,
		         cli_echo(arg, e));
	else
		snprintf(why, len, "%s wants 0x%llx to 0x%llx, got '%s'", opt,
		         (unsigned long long)o->min, (unsigned long long)max,
		         cli_echo(arg, e));
	return false;
}

static bool parse_msr_opt(const char *opt, const char *arg,
                          struct cli_msr_list *l, char *why, size_t len)
{
	if (l->n == CLI_MSR_MAX) {
		snprintf(why, len, "at most %d %s options", CLI_MSR_MAX, opt);
		return false;
	}
	if (!cli_parse_msr(opt, arg, &l->msr[l->n], &l->value[l->n], why, len))
		return false;
	l->text[l->n++] = arg;
	return true;
}

static bool parse_string(const struct cli_opt *o, const char *opt,
                         const char *arg, const char **out, char *why,
                         size_t len)
{
	size_t max = o->max ? (size_t)o->max : 4095;
	size_t n = strlen(arg);
	if (n == 0 || n > max) {
		snprintf(why, len, "%s wants 1 to %zu characters, got %zu", opt,
		         max, n);
		return false;
	}
	*out = arg;
	return true;
}

static bool parse_strings(const struct cli_opt *o, const char *opt,
                          const char *arg, struct cli_str_list *l, char *why,
                          size_t len)
{
	if (l->n == CLI_STR_MAX) {
		snprintf(why, len, "at most %d %s options", CLI_STR_MAX, opt);
		return false;
	}
	if (!parse_string(o, opt, arg, &l->v[l->n], why, len))
		return false;
	l->n++;
	return true;
}

/* Parse @arg for option @o into @dest; false with a message in @why. */
static bool parse_value(const struct cli_opt *o, const char *opt,
                        const char *arg, void *dest, char *why, size_t len)
{
	uint64_t v = 0;
	switch (o->type) {
	case CLI_FLAG:
		*(bool *)dest = true;
		return true;
	case CLI_HEX:
	case CLI_ADDR:
	case CLI_FRAME:
		if (!cli_parse_hex(opt, arg, &v, why, len) ||
		    !in_bounds(o, opt, v, arg, why, len))
			return false;
		*(uint64_t *)dest = v;
		return true;
	case CLI_DEC:
		if (!cli_parse_dec(opt, arg, &v, why, len) ||
		    !in_bounds(o, opt, v, arg, why, len))
			return false;
		*(unsigned *)dest = (unsigned)v;
		return true;
	case CLI_SIZE:
		if (!cli_parse_size(opt, arg, &v, why, len) ||
		    !in_bounds(o, opt, v, arg, why, len))
			return false;
		*(uint64_t *)dest = v;
		return true;
	case CLI_MEMTYPE:
		return cli_parse_memtype(opt, arg, (enum cli_mt_role)o->sub,
		                         dest, why, len);
	case CLI_MSR:
		return parse_msr_opt(opt, arg, dest, why, len);
	case CLI_CHOICE:
		return parse_choice(o, opt, arg, dest, why, len);
	case CLI_FLAGS:
		return parse_flags(o, opt, arg, dest, why, len);
	case CLI_STRING:
		return parse_string(o, opt, arg, dest, why, len);
	case CLI_STRINGS:
		return parse_strings(o, opt, arg, dest, why, len);
	}
	return false;
}

/* The titles of the other forms of the command that take --@name. */
static void owners(const struct cli_ctx *c, const char *name, char *buf,
                   size_t len)
{
	buf[0] = '\0';
	for (const struct cli_form *const *f = c->forms; *f; f++) {
		if (strcmp((*f)->command, c->form->command) != 0 ||
		    cli_find_opt(*f, name, NULL, NULL) == NULL)
			continue;
		char t[64];
		size_t used = strlen(buf);
		cli_form_title(*f, t, sizeof(t));
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "", t);
	}
}

/* The next positional entry of the form after flat index @after. */
static const struct cli_opt *next_positional(const struct cli_form *f,
                                             int after, unsigned *index,
                                             const struct cli_group **grp)
{
	unsigned k = 0;
	for (const struct cli_group *g = f->groups; g && g->opts; g++) {
		for (size_t i = 0; i < g->n; i++, k++) {
			if ((g->opts[i].flags & CLI_POS) && (int)k > after) {
				*index = k;
				*grp = g;
				return &g->opts[i];
			}
		}
	}
	return NULL;
}

static int parse_token(struct cli_ctx *c, const struct cli_token *t, void *args,
                       int *last_pos)
{
	char e[CLI_ECHO_MAX], why[384], opt[80];
	unsigned k = 0;
	const struct cli_group *g = NULL;
	const struct cli_opt *o =
	    t->name ? cli_find_opt(c->form, t->name, &k, &g)
	            : next_positional(c->form, *last_pos, &k, &g);
	if (o == NULL && t->name == NULL)
		return cli_fail(c, CLI_EXIT_USAGE, "unexpected argument '%s'",
		                cli_echo(t->value, e));
	if (o == NULL) {
		owners(c, t->name, why, sizeof(why));
		return cli_fail(c, CLI_EXIT_USAGE,
		                "--%s does not apply here (it is an option of "
		                "%s)",
		                t->name, why);
	}
	if (t->name == NULL)
		*last_pos = (int)k;
	if (c->given[k] && !(o->flags & CLI_REPEAT))
		return cli_fail(
		    c, CLI_EXIT_USAGE,
		    "--%s given more than once (it takes one value)", t->name);
	c->given[k] = true;
	if (t->name)
		snprintf(opt, sizeof(opt), "--%s", t->name);
	else
		snprintf(opt, sizeof(opt), "%s", o->metavar);
	if (!parse_value(o, opt, t->value, (char *)args + g->base + o->off, why,
	                 sizeof(why)))
		return cli_fail(c, CLI_EXIT_USAGE, "%s", why);
	return 0;
}

/* Required options and positionals, in table order. */
static int check_required(struct cli_ctx *c)
{
	unsigned k = 0;
	for (const struct cli_group *g = c->form->groups; g && g->opts; g++) {
		for (size_t i = 0; i < g->n; i++, k++) {
			const struct cli_opt *o = &g->opts[i];
			if (!(o->flags & CLI_REQUIRED) || c->given[k])
				continue;
			return cli_fail(c, CLI_EXIT_USAGE, "needs %s%s%s%s",
			                o->name ? "--" : "",
			                o->name ? o->name : "",
			                o->name && o->metavar ? " " : "",
			                o->metavar ? o->metavar : "");
		}
	}
	return 0;
}

/* Addresses and frames against MAXPHYADDR, instead of wrapping later. */
static int check_addresses(struct cli_ctx *c, const void *args)
{
	unsigned bits = c->form->maxphyaddr ? c->form->maxphyaddr(args) : 52;
	unsigned k = 0;
	for (const struct cli_group *g = c->form->groups; g && g->opts; g++) {
		for (size_t i = 0; i < g->n; i++, k++) {
			const struct cli_opt *o = &g->opts[i];
			if (!c->given[k] ||
			    (o->type != CLI_ADDR && o->type != CLI_FRAME))
				continue;
			unsigned w = o->type == CLI_FRAME ? bits - 12 : bits;
			uint64_t v = *(const uint64_t *)((const char *)args +
			                                 g->base + o->off);
			if (v >> w)
				return cli_fail(
				    c, CLI_EXIT_USAGE,
				    "--%s 0x%llx is beyond MAXPHYADDR %u "
				    "(highest %s 0x%llx)",
				    o->name, (unsigned long long)v, bits,
				    o->type == CLI_FRAME ? "frame" : "address",
				    (unsigned long long)((UINT64_C(1) << w) -
				                         1));
		}
	}
	return 0;
}

int cli_parse(struct cli_ctx *c, void *args)
{
	int last_pos = -1;
	for (int i = 0; i < c->ntok; i++) {
		const struct cli_token *t = &c->tok[i];
		if (t->name && (strcmp(t->name, "json") == 0 ||
		                strcmp(t->name, "help") == 0))
			continue;
		int err = parse_token(c, t, args, &last_pos);
		if (err)
			return err;
	}
	int err = check_required(c);
	if (!err)
		err = check_addresses(c, args);
	if (!err && c->form->check != NULL)
		err = c->form->check(c, args);
	return err;
}
