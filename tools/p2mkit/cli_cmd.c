// SPDX-License-Identifier: BSD-2-Clause
/*
 * The command driver: finds the command and form, runs the option layer,
 * the form and the renderer, prints help generated from the option tables,
 * and turns a failed write to stdout into exit status 1 (docs/cli.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_opt.h"

/* ---- generated help --------------------------------------------------- */

/* Appends @word to the synopsis line in @line, wrapping at 79 columns. */
static void syn_word(struct rep_out *out, size_t *col, size_t indent,
                     const char *word)
{
	size_t n = strlen(word);
	if (*col + 1 + n > 79) {
		rep_printf(out, "\n%*s", (int)indent, "");
		*col = indent;
	} else {
		rep_printf(out, " ");
		(*col)++;
	}
	rep_printf(out, "%s", word);
	*col += n;
}

/* Is @o the selector already spelled out by the form's title? */
static bool in_title(const struct cli_form *f, const struct cli_opt *o)
{
	if (f->select == NULL || o->name == NULL)
		return false;
	size_t n = strcspn(f->select, "=");
	return strncmp(f->select, o->name, n) == 0 && o->name[n] == '\0' &&
	       (f->select[n] == '=' || o->type == CLI_FLAG);
}

static void synopsis(struct rep_out *out, const struct cli_form *f)
{
	char title[64], w[96];
	cli_form_title(f, title, sizeof(title));
	rep_printf(out, "usage: p2mkit %s", title);
	size_t indent = strlen("usage: p2mkit ") + strlen(f->command);
	size_t col = indent + strlen(title) - strlen(f->command);
	for (const struct cli_group *g = f->groups; g && g->opts; g++) {
		for (size_t i = 0; i < g->n; i++) {
			const struct cli_opt *o = &g->opts[i];
			bool req = o->flags & CLI_REQUIRED;
			const char *rep = (o->flags & CLI_REPEAT) ? "..." : "";
			if (o->flags & CLI_POS)
				snprintf(w, sizeof(w), "%s%s%s%s",
				         req ? "" : "[", o->metavar,
				         req ? "" : "]", rep);
			else
				snprintf(w, sizeof(w), "%s--%s%s%s%s%s",
				         req ? "" : "[", o->name,
				         o->metavar ? " " : "",
				         o->metavar ? o->metavar : "",
				         req ? "" : "]", rep);
			if (!in_title(f, o))
				syn_word(out, &col, indent, w);
		}
	}
	syn_word(out, &col, indent, "[--json]");
	rep_printf(out, "\n");
}

static void opt_line(struct rep_out *out, const char *left, const char *help)
{
	if (strlen(left) <= 22)
		rep_printf(out, "  %-22s %s\n", left, help);
	else
		rep_printf(out, "  %s\n  %-22s %s\n", left, "", help);
}

void cli_usage(struct rep_out *out, const struct cli_form *f)
{
	char left[96];
	synopsis(out, f);
	rep_printf(out, "\n%s.\n\n", f->summary);
	for (const struct cli_group *g = f->groups; g && g->opts; g++) {
		for (size_t i = 0; i < g->n; i++) {
			const struct cli_opt *o = &g->opts[i];
			if (o->flags & CLI_POS)
				snprintf(left, sizeof(left), "%s", o->metavar);
			else
				snprintf(left, sizeof(left), "--%s%s%s",
				         o->name, o->metavar ? " " : "",
				         o->metavar ? o->metavar : "");
			opt_line(out, left, o->help);
		}
	}
	opt_line(out, "--json", "print the result (or the error) as JSON");
	opt_line(out, "--help", "print this help");
	if (f->about != NULL)
		rep_printf(out, "\n%s", f->about);
	rep_printf(out, "\nExit status: %s\n", f->exits);
}

/* The forms of @command, one per line (command help, top-level help). */
static void form_list(struct rep_out *out, const struct cli_form *const *forms,
                      const char *command)
{
	char title[64];
	for (const struct cli_form *const *f = forms; *f; f++) {
		if (command != NULL && strcmp((*f)->command, command) != 0)
			continue;
		cli_form_title(*f, title, sizeof(title));
		rep_printf(out, "  %-24s %s\n", title, (*f)->summary);
	}
}

static void top_usage(struct rep_out *out, const struct cli_form *const *forms)
{
	rep_printf(out, "usage: p2mkit COMMAND [FORM] [OPTIONS...]   "
	                "(p2mkit COMMAND [FORM] --help for details)\n\n"
	                "commands:\n");
	form_list(out, forms, NULL);
	rep_printf(out, "\nEvery form takes --help and --json.  Exit status: "
	                "0 ok, 1 the operation failed, 2 bad usage or "
	                "input.\n");
}

/* The arguments that reach form @f: its command and word or selector
 * (a selector with any value gets its option's sample value). */
static void sample(const struct cli_opt *o, char *buf, size_t len);
static void invocation(const struct cli_form *f, char *buf, size_t len)
{
	const struct cli_opt *o = f->select && !strchr(f->select, '=')
	                              ? cli_find_opt(f, f->select, NULL, NULL)
	                              : NULL;
	if (o == NULL || o->type == CLI_FLAG) {
		cli_form_title(f, buf, len);
		return;
	}
	char val[64];
	sample(o, val, sizeof(val));
	snprintf(buf, len, "%s --%s %s", f->command, f->select, val);
}

/* A value every option of type @o accepts (for the table tests). */
static void sample(const struct cli_opt *o, char *buf, size_t len)
{
	switch (o->type) {
	case CLI_HEX:
	case CLI_ADDR:
	case CLI_FRAME:
		snprintf(buf, len, "0x%llx", (unsigned long long)o->min);
		break;
	case CLI_DEC:
	case CLI_SIZE:
		snprintf(buf, len, "%llu", (unsigned long long)o->min);
		break;
	case CLI_MEMTYPE:
		snprintf(buf, len, "WB");
		break;
	case CLI_MSR:
		snprintf(buf, len, "0x277=0x7040600070406");
		break;
	case CLI_CHOICE:
	case CLI_FLAGS:
		snprintf(buf, len, "%s", o->choices[0].name);
		break;
	default:
		snprintf(buf, len, "x");
		break;
	}
}

/*
 * `p2mkit help --table`: one line per option of every form, tab-separated:
 * invocation, --option, "flag" or "value", "repeat" or "once", a sample
 * value.  The table-driven tests read it; it is not a user interface.
 */
static void table(struct rep_out *out, const struct cli_form *const *forms)
{
	char inv[96], val[64];
	for (const struct cli_form *const *f = forms; *f; f++) {
		invocation(*f, inv, sizeof(inv));
		for (const struct cli_group *g = (*f)->groups; g && g->opts;
		     g++) {
			for (size_t i = 0; i < g->n; i++) {
				const struct cli_opt *o = &g->opts[i];
				if (o->flags & CLI_POS)
					continue;
				sample(o, val, sizeof(val));
				rep_printf(
				    out, "%s\t--%s\t%s\t%s\t%s\n", inv, o->name,
				    o->type == CLI_FLAG ? "flag" : "value",
				    (o->flags & CLI_REPEAT) ? "repeat" : "once",
				    val);
			}
		}
	}
}

/* `p2mkit help --markdown`: README's command list, from the forms. */
static void markdown(struct rep_out *out, const struct cli_form *const *forms)
{
	char title[64];
	rep_printf(out, "| Command | What it does |\n|---|---|\n");
	for (const struct cli_form *const *f = forms; *f; f++) {
		cli_form_title(*f, title, sizeof(title));
		rep_printf(out, "| `p2mkit %s` | %s |\n", title, (*f)->summary);
	}
}

/* ---- running a form --------------------------------------------------- */

/* Print the error or the record, then check every write to stdout. */
static int finish(struct cli_ctx *c, int status, struct rep_out *out)
{
	if (c->msg[0] != '\0' && c->json) {
		json_t *e = rep_error(c->name, c->msg, status);
		if (e != NULL)
			rep_json(out, e);
		json_decref(e);
	} else if (c->msg[0] != '\0') {
		fprintf(stderr, "p2mkit%s%s: %s\n", c->name[0] ? " " : "",
		        c->name, c->msg);
	} else if (c->record != NULL) {
		if (c->json && c->form->json != NULL)
			c->form->json(out, c->record);
		else if (c->json || c->form->text == NULL)
			rep_json(out, c->record);
		else
			c->form->text(out, c->record);
	}
	json_decref(c->record);
	c->record = NULL;
	int err = rep_finish(out);
	if (err != 0) {
		fprintf(stderr, "p2mkit: cannot write standard output: %s\n",
		        strerror(err));
		clearerr(out->f); /* reported once; cli_exit() need not */
		return CLI_EXIT_FAIL;
	}
	return status;
}

static int run_form(struct cli_ctx *c, const char *command,
                    const struct cli_form *word_form, int argc, char **argv,
                    struct rep_out *out)
{
	c->tok = calloc(argc > 0 ? (size_t)argc : 1, sizeof(*c->tok));
	if (c->tok == NULL)
		return cli_fail(c, CLI_EXIT_FAIL, "out of memory");
	int status = cli_lex(c, command, word_form, argc, argv);
	if (c->help && c->form != NULL) {
		cli_usage(out, c->form);
		c->msg[0] = '\0';
		return CLI_EXIT_OK;
	}
	void *args = NULL;
	if (status == 0 && c->form != NULL) {
		args = calloc(1, c->form->args_size ? c->form->args_size : 1);
		if (args == NULL)
			return cli_fail(c, CLI_EXIT_FAIL, "out of memory");
		if (c->form->init != NULL)
			c->form->init(args);
		status = cli_parse(c, args);
	}
	if (status == 0 && args != NULL)
		status = c->form->run(c, args);
	free(args);
	return status;
}

/* The word form @word of @command; NULL after cli_fail() if none. */
static const struct cli_form *find_word(struct cli_ctx *c, const char *command,
                                        const char *word)
{
	char e[CLI_ECHO_MAX], list[160] = "";
	for (const struct cli_form *const *f = c->forms; *f; f++) {
		if (strcmp((*f)->command, command) != 0 || !(*f)->word)
			continue;
		if (word != NULL && strcmp((*f)->word, word) == 0)
			return *f;
		size_t used = strlen(list);
		snprintf(list + used, sizeof(list) - used, "%s%s",
		         used ? ", " : "", (*f)->word);
	}
	snprintf(c->name, sizeof(c->name), "%s", command);
	if (word == NULL || word[0] == '-')
		cli_fail(c, CLI_EXIT_USAGE, "which form? (%s)", list);
	else
		cli_fail(c, CLI_EXIT_USAGE, "unknown form '%s' (%s)",
		         cli_echo(word, e), list);
	return NULL;
}

static bool has_words(const struct cli_form *const *forms, const char *command)
{
	for (const struct cli_form *const *f = forms; *f; f++) {
		if (strcmp((*f)->command, command) == 0 && (*f)->word)
			return true;
	}
	return false;
}

static bool is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

static int command(struct cli_ctx *c, int argc, char **argv,
                   struct rep_out *out)
{
	const char *cmd = argv[1];
	if (!has_words(c->forms, cmd))
		return run_form(c, cmd, NULL, argc - 2, argv + 2, out);
	if (argc >= 3 && is_help(argv[2])) {
		rep_printf(out,
		           "usage: p2mkit %s FORM ...   (p2mkit %s FORM "
		           "--help for details)\n\nforms:\n",
		           cmd, cmd);
		form_list(out, c->forms, cmd);
		return CLI_EXIT_OK;
	}
	const struct cli_form *f =
	    find_word(c, cmd, argc >= 3 ? argv[2] : NULL);
	if (f == NULL)
		return c->status;
	return run_form(c, cmd, f, argc - 3, argv + 3, out);
}

static bool known_command(const struct cli_form *const *forms, const char *s)
{
	for (const struct cli_form *const *f = forms; *f; f++) {
		if (strcmp((*f)->command, s) == 0)
			return true;
	}
	return false;
}

int cli_exit(int status)
{
	int err = rep_close_stdout();
	if (err == 0)
		return status;
	fprintf(stderr, "p2mkit: cannot write standard output: %s\n",
	        strerror(err));
	return CLI_EXIT_FAIL;
}

int cli_main(const struct cli_form *const *forms, int argc, char **argv)
{
	struct cli_ctx c = {.forms = forms};
	struct rep_out out = rep_open(stdout);
	char e[CLI_ECHO_MAX];
	int status = CLI_EXIT_OK;
	if (argc < 2) {
		status = cli_fail(&c, CLI_EXIT_USAGE,
		                  "which command? (p2mkit --help lists them)");
	} else if (is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[2], "--table") == 0)
			table(&out, forms);
		else if (argc > 2 && strcmp(argv[2], "--markdown") == 0)
			markdown(&out, forms);
		else
			top_usage(&out, forms);
	} else if (strcmp(argv[1], "--version") == 0) {
		rep_printf(&out, "p2mkit 0.1.0\n");
	} else if (!known_command(forms, argv[1])) {
		status = cli_fail(&c, CLI_EXIT_USAGE,
		                  "unknown command '%s' (p2mkit --help lists "
		                  "them)",
		                  cli_echo(argv[1], e));
	} else {
		status = command(&c, argc, argv, &out);
	}
	status = finish(&c, status, &out);
	free(c.tok);
	return status;
}
