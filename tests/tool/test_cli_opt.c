// SPDX-License-Identifier: BSD-2-Clause
/*
 * The CLI's option layer (cli_opt.h) and output layer (report.h) on their
 * own: the value rules (hex needs 0x, decimal counts, sizes, memory-type
 * roles, MSR writes), lexing, rejection of other forms' options and of
 * repeats, required options, MAXPHYADDR, positionals, message hygiene and
 * checked output.
 */
#include "test_support.h"

#include <stdio.h>
#include <string.h>

#include "cli_opt.h"

static char why[256];

#define HEX_OK(s, v)                                                           \
	do {                                                                   \
		uint64_t got_ = 0;                                             \
		assert_true(cli_parse_hex("--x", s, &got_, why, sizeof(why))); \
		assert_int_equal(got_, v);                                     \
	} while (0)

static void hex_needs_0x_and_shows_it(void **state)
{
	(void)state;
	uint64_t v = 7;
	HEX_OK("0x1000", 0x1000);
	HEX_OK("0XfeD00000", 0xfed00000);
	HEX_OK("0xffffffffffffffff", UINT64_MAX);
	assert_false(cli_parse_hex("--addr", "fed00000", &v, why, sizeof(why)));
	assert_string_equal(why,
	                    "--addr is hex and needs 0x: write 0xfed00000");
	assert_false(cli_parse_hex("--addr", "4096", &v, why, sizeof(why)));
	assert_string_equal(why, "--addr is hex and needs 0x: write 0x4096");
	assert_false(cli_parse_hex("--x", "0x", &v, why, sizeof(why)));
	assert_false(cli_parse_hex("--x", "0x1g", &v, why, sizeof(why)));
	assert_false(cli_parse_hex("--x", "-0x1", &v, why, sizeof(why)));
	assert_false(cli_parse_hex("--x", " 0x1", &v, why, sizeof(why)));
	assert_false(
	    cli_parse_hex("--x", "0x10000000000000000", &v, why, sizeof(why)));
	assert_non_null(strstr(why, "64 bits"));
	assert_int_equal(v, 7); /* a failed parse stores nothing */
}

static void dec_rejects_hex_and_signs(void **state)
{
	(void)state;
	uint64_t v = 0;
	assert_true(cli_parse_dec("--n", "40", &v, why, sizeof(why)));
	assert_int_equal(v, 40);
	assert_false(cli_parse_dec("--n", "0x12", &v, why, sizeof(why)));
	assert_false(cli_parse_dec("--n", "+1", &v, why, sizeof(why)));
	assert_false(cli_parse_dec("--n", "", &v, why, sizeof(why)));
	assert_false(
	    cli_parse_dec("--n", "18446744073709551616", &v, why, sizeof(why)));
}

static void sizes_take_binary_suffixes(void **state)
{
	(void)state;
	uint64_t v = 0;
	assert_true(cli_parse_size("--s", "4096", &v, why, sizeof(why)));
	assert_int_equal(v, 4096);
	assert_true(cli_parse_size("--s", "2MiB", &v, why, sizeof(why)));
	assert_int_equal(v, UINT64_C(2) << 20);
	assert_true(cli_parse_size("--s", "1gib", &v, why, sizeof(why)));
	assert_int_equal(v, UINT64_C(1) << 30);
	assert_true(cli_parse_size("--s", "0x10KiB", &v, why, sizeof(why)));
	assert_int_equal(v, UINT64_C(16) << 10);
	assert_true(cli_parse_size("--s", "3TiB", &v, why, sizeof(why)));
	assert_int_equal(v, UINT64_C(3) << 40);
	assert_false(cli_parse_size("--s", "2MB", &v, why, sizeof(why)));
	assert_false(cli_parse_size("--s", "KiB", &v, why, sizeof(why)));
	assert_false(
	    cli_parse_size("--s", "16777216TiB", &v, why, sizeof(why)));
	assert_non_null(strstr(why, "64 bits"));
}

static void memtype_roles_in_one_place(void **state)
{
	(void)state;
	unsigned mt = 0;
	assert_true(
	    cli_parse_memtype("--t", "uc-", CLI_MT_PAT, &mt, why, sizeof(why)));
	assert_int_equal(mt, 7);
	assert_false(cli_parse_memtype("--mtrr", "UC-", CLI_MT_MTRR, &mt, why,
	                               sizeof(why)));
	assert_non_null(strstr(why, "--mtrr wants an MTRR type"));
	assert_true(
	    cli_parse_memtype("--t", "2", CLI_MT_ANY, &mt, why, sizeof(why)));
	assert_int_equal(mt, 2);
	assert_false(
	    cli_parse_memtype("--t", "2", CLI_MT_PAT, &mt, why, sizeof(why)));
	assert_false(
	    cli_parse_memtype("--t", "8", CLI_MT_ANY, &mt, why, sizeof(why)));
	assert_false(
	    cli_parse_memtype("--t", "CD", CLI_MT_ANY, &mt, why, sizeof(why)));
	assert_false(
	    cli_parse_memtype("--t", "WC+", CLI_MT_ANY, &mt, why, sizeof(why)));
	assert_false(
	    cli_parse_memtype("--t", "06", CLI_MT_ANY, &mt, why, sizeof(why)));
}

static void msr_writes_are_hex_pairs(void **state)
{
	(void)state;
	uint32_t msr = 0;
	uint64_t v = 0;
	assert_true(
	    cli_parse_msr("--msr", "0x2ff=0xc06", &msr, &v, why, sizeof(why)));
	assert_int_equal(msr, 0x2ff);
	assert_int_equal(v, 0xc06);
	assert_false(
	    cli_parse_msr("--msr", "0x2ff=806", &msr, &v, why, sizeof(why)));
	assert_string_equal(why,
	                    "--msr value is hex and needs 0x: write 0x806");
	assert_false(
	    cli_parse_msr("--msr", "767=0x1", &msr, &v, why, sizeof(why)));
	assert_false(cli_parse_msr("--msr", "0x100000000=0x1", &msr, &v, why,
	                           sizeof(why)));
	assert_false(
	    cli_parse_msr("--msr", "0x2ff", &msr, &v, why, sizeof(why)));
	assert_false(
	    cli_parse_msr("--msr", "=0x1", &msr, &v, why, sizeof(why)));
}

static void echo_is_short_and_printable(void **state)
{
	(void)state;
	char buf[CLI_ECHO_MAX], big[200];
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(strlen(cli_echo(big, buf)), 43);
	assert_string_equal(buf + 40, "...");
	assert_string_equal(cli_echo("a\033[2Jb\n", buf), "a?[2Jb?");
}

/* ---- a test form -------------------------------------------------------- */

struct targs {
	uint64_t addr, frame;
	unsigned order, mt;
	bool flag;
	const char *file;
	struct cli_msr_list msrs;
	struct cli_str_list tags;
};

static const struct cli_opt t_opts[] = {
    {.name = "addr",
     .type = CLI_ADDR,
     .off = offsetof(struct targs, addr),
     .flags = CLI_REQUIRED,
     .metavar = "0xADDR",
     .help = "h"},
    {.name = "frame",
     .type = CLI_FRAME,
     .off = offsetof(struct targs, frame),
     .metavar = "0xF",
     .help = "h"},
    {.name = "order",
     .type = CLI_DEC,
     .off = offsetof(struct targs, order),
     .max = 18,
     .metavar = "K",
     .help = "h"},
    {.name = "flag",
     .type = CLI_FLAG,
     .off = offsetof(struct targs, flag),
     .help = "h"},
    {.name = "msr",
     .type = CLI_MSR,
     .off = offsetof(struct targs, msrs),
     .flags = CLI_REPEAT,
     .metavar = "M",
     .help = "h"},
    {.name = "tag",
     .type = CLI_STRINGS,
     .off = offsetof(struct targs, tags),
     .flags = CLI_REPEAT,
     .max = 8,
     .metavar = "K=V",
     .help = "h"},
    {.name = NULL,
     .type = CLI_STRING,
     .off = offsetof(struct targs, file),
     .flags = CLI_POS,
     .metavar = "FILE",
     .help = "h"},
};
static const struct cli_opt other_opts[] = {
    {.name = "mt",
     .type = CLI_MEMTYPE,
     .off = offsetof(struct targs, mt),
     .sub = CLI_MT_PAT,
     .metavar = "T",
     .help = "h"},
    {.name = "flag",
     .type = CLI_FLAG,
     .off = offsetof(struct targs, flag),
     .help = "h"},
};
static const struct cli_group t_groups[] = {CLI_GROUP(t_opts, 0), {NULL, 0, 0}};
static const struct cli_group o_groups[] = {CLI_GROUP(other_opts, 0),
                                            {NULL, 0, 0}};

static int t_run(struct cli_ctx *c, void *args)
{
	(void)c;
	(void)args;
	return 0;
}

static unsigned t_maxphyaddr(const void *args)
{
	(void)args;
	return 36;
}

static const struct cli_form t_form = {.command = "t",
                                       .word = "one",
                                       .summary = "s",
                                       .exits = "0",
                                       .groups = t_groups,
                                       .args_size = sizeof(struct targs),
                                       .run = t_run,
                                       .maxphyaddr = t_maxphyaddr};
static const struct cli_form t_other = {.command = "t",
                                        .word = "two",
                                        .summary = "s",
                                        .exits = "0",
                                        .groups = o_groups,
                                        .args_size = sizeof(struct targs),
                                        .run = t_run};
static const struct cli_form *const t_forms[] = {&t_form, &t_other, NULL};

static struct cli_ctx ctx;
static struct targs targs;
static struct cli_token toks[16];

/* Parse "t one ARGS..." (a NULL-terminated array); returns the status. */
static int parse_argv(const char *const *args)
{
	static char store[16][80];
	char *argv[16];
	int argc = 0;
	for (; argc < 16 && args[argc] != NULL; argc++) {
		snprintf(store[argc], sizeof(store[argc]), "%s", args[argc]);
		argv[argc] = store[argc];
	}
	memset(&ctx, 0, sizeof(ctx));
	memset(&targs, 0, sizeof(targs));
	ctx.forms = t_forms;
	ctx.tok = toks;
	int rc = cli_lex(&ctx, "t", &t_form, argc, argv);
	return rc ? rc : cli_parse(&ctx, &targs);
}
#define PARSE(...) parse_argv((const char *const[]){__VA_ARGS__, NULL})

static void parses_values_and_forms(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--addr", "0x1000", "--order=9", "--flag",
	                       "--msr", "0x2ff=0x6", "--msr", "0x277=0x0",
	                       "file.yaml"),
	                 0);
	assert_int_equal(targs.addr, 0x1000);
	assert_int_equal(targs.order, 9);
	assert_true(targs.flag);
	assert_int_equal(targs.msrs.n, 2); /* repeatable, kept in order */
	assert_int_equal(targs.msrs.msr[1], 0x277);
	assert_string_equal(targs.file, "file.yaml");
	assert_true(cli_given(&ctx, "order"));
	assert_false(cli_given(&ctx, "frame"));
}

/* The status is 2 and the message contains @want. */
static void expect_error(int rc, const char *want);

/* A repeatable string option keeps every value in order; a bad one is
 * rejected without being kept. */
static void repeated_strings_are_kept_in_order(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--addr", "0x0", "--tag", "a=1,2", "--tag=b=3"),
	                 0);
	assert_int_equal(targs.tags.n, 2);
	assert_string_equal(targs.tags.v[0], "a=1,2");
	assert_string_equal(targs.tags.v[1], "b=3");
	expect_error(PARSE("--addr", "0x0", "--tag", "a", "--tag", ""),
	             "--tag wants 1 to 8 characters, got 0");
	assert_int_equal(targs.tags.n, 1);
	expect_error(PARSE("--addr", "0x0", "--tag", "123456789"),
	             "--tag wants 1 to 8 characters, got 9");
	assert_int_equal(targs.tags.n, 0);
}

/* The status is 2 and the message contains @want. */
static void expect_error(int rc, const char *want)
{
	assert_int_equal(rc, CLI_EXIT_USAGE);
	if (strstr(ctx.msg, want) == NULL)
		fail_msg("message '%s' lacks '%s'", ctx.msg, want);
	assert_null(strchr(ctx.msg, '\n'));
}

static void rejects_with_one_line_naming_the_option(void **state)
{
	(void)state;
	expect_error(PARSE("--addr", "0x0", "--order", "1", "--order", "2"),
	             "--order given more than once");
	expect_error(PARSE("--addr", "0x0", "--mt", "WB"),
	             "--mt does not apply here (it is an option of t two)");
	expect_error(PARSE("--addr", "0x0", "--bogus"),
	             "unknown option '--bogus'");
	expect_error(PARSE("--addr"), "--addr needs a value (0xADDR)");
	expect_error(PARSE("--addr", "--flag"),
	             "--addr needs a value (0xADDR)");
	expect_error(PARSE("--flag=1", "--addr", "0x0"),
	             "--flag takes no value");
	expect_error(PARSE("--flag"), "needs --addr 0xADDR");
	expect_error(PARSE("--addr", "0x0", "a", "b"),
	             "unexpected argument 'b'");
	expect_error(PARSE("--addr", "0x0", "--order", "19"),
	             "--order wants 0 to 18, got '19'");
	expect_error(PARSE("--addr", "0x0", "-x"), "unknown option '-x'");
	expect_error(PARSE("--addr", "0x0", "--json", "--json"),
	             "--json given more than once");
	assert_true(ctx.json); /* so the error is rendered as JSON */
}

static void addresses_checked_against_maxphyaddr(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--addr", "0xfffffffff"), 0);
	expect_error(PARSE("--addr", "0x1000000000"),
	             "--addr 0x1000000000 is beyond MAXPHYADDR 36 (highest "
	             "address 0xfffffffff)");
	assert_int_equal(PARSE("--addr", "0x0", "--frame", "0xffffff"), 0);
	expect_error(PARSE("--addr", "0x0", "--frame", "0x1000000"),
	             "highest frame 0xffffff");
}

static void check_range_names_both_ends(void **state)
{
	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	assert_int_equal(cli_check_range(&ctx, "--start", 1, "--end", 1), 0);
	assert_int_equal(cli_check_range(&ctx, "--start", 2, "--end", 1), 2);
	assert_string_equal(ctx.msg, "--start 0x2 is above --end 0x1 (start "
	                             "must not exceed end)");
}

/* ---- output ------------------------------------------------------------- */

static void failed_writes_are_reported(void **state)
{
	(void)state;
	FILE *f = fopen("/dev/full", "w");
	if (f == NULL)
		skip();
	struct rep_out o = rep_open(f);
	json_t *rec = json_pack("{s:s}", "a", "b");
	for (int i = 0; i < 2000; i++)
		rep_json(&o, rec);
	json_decref(rec);
	assert_int_not_equal(rep_finish(&o), 0);
	fclose(f);
}

static void clean_text_has_no_control_bytes(void **state)
{
	(void)state;
	char buf[64] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	struct rep_out o = rep_open(f);
	rep_clean(&o, "dev\033]0;x\007\tname\x7f");
	assert_int_equal(rep_finish(&o), 0);
	fclose(f);
	assert_string_equal(buf, "dev?]0;x??name?");
}

static void record_readers_are_null_safe(void **state)
{
	(void)state;
	json_t *r = json_pack("{s:s, s:i, s:b, s:o}", "s", "x", "i", 5, "b", 1,
	                      "h", rep_hex(0xabc));
	assert_string_equal(rep_str(r, "s"), "x");
	assert_string_equal(rep_str(r, "missing"), "");
	assert_string_equal(rep_str(NULL, "s"), "");
	assert_int_equal(rep_int(r, "i"), 5);
	assert_true(rep_bool(r, "b"));
	assert_false(rep_bool(r, "s"));
	assert_int_equal(rep_u64(r, "h"), 0xabc);
	assert_string_equal(rep_str(r, "h"), "0xabc");
	json_t *e = rep_error("combine ept", "needs --pat T", 2);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(e, "error"), "status")),
	                 2);
	json_decref(e);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hex_needs_0x_and_shows_it),
	    cmocka_unit_test(dec_rejects_hex_and_signs),
	    cmocka_unit_test(sizes_take_binary_suffixes),
	    cmocka_unit_test(memtype_roles_in_one_place),
	    cmocka_unit_test(msr_writes_are_hex_pairs),
	    cmocka_unit_test(echo_is_short_and_printable),
	    cmocka_unit_test(parses_values_and_forms),
	    cmocka_unit_test(repeated_strings_are_kept_in_order),
	    cmocka_unit_test(rejects_with_one_line_naming_the_option),
	    cmocka_unit_test(addresses_checked_against_maxphyaddr),
	    cmocka_unit_test(check_range_names_both_ends),
	    cmocka_unit_test(failed_writes_are_reported),
	    cmocka_unit_test(clean_text_has_no_control_bytes),
	    cmocka_unit_test(record_readers_are_null_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
