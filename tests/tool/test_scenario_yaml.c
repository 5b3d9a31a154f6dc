// SPDX-License-Identifier: BSD-2-Clause
/*
 * scenario/yaml: every error class of the one YAML reader with its exact
 * "file:line:column: message", and the accepted scalar forms.
 */
#include "test_support.h"

#include <string.h>

#include "scenario/yaml.h"

static const char *const keys[] = {"memory",  "vcpus",   "firmware",
                                   "enabled", "planner", NULL};

/* Load @text as "t.yaml", check the root against keys[]. */
static bool load(struct p2mk_yaml *y, const char *text)
{
	if (!p2mk_yaml_load_buf(y, "t.yaml", (const unsigned char *)text,
	                        strlen(text)))
		return false;
	return p2mk_yaml_map(y, p2mk_yaml_root(y), keys, "vm");
}

/* The first error of @text when reading key @key with @get. */
enum getter { G_U64, G_SIZE, G_BOOL, G_ENUM, G_STR };

static bool get(struct p2mk_yaml *y, const char *key, enum getter g,
                uint64_t *v)
{
	static const char *const planners[] = {"hvmloader", "improved", "ovmf"};
	yaml_node_t *n = p2mk_yaml_need(y, p2mk_yaml_root(y), key, "vm");
	bool b = false;
	unsigned e = 0;
	const char *s = NULL;
	if (n == NULL)
		return false;
	switch (g) {
	case G_U64:
		return p2mk_yaml_u64(y, n, 1, 64, v);
	case G_SIZE:
		return p2mk_yaml_size(y, n, v);
	case G_BOOL:
		if (!p2mk_yaml_bool(y, n, &b))
			return false;
		*v = b;
		return true;
	case G_ENUM:
		if (!p2mk_yaml_enum(y, n, planners, 3, &e))
			return false;
		*v = e;
		return true;
	case G_STR:
		return p2mk_yaml_str(y, n, &s);
	}
	return false;
}

static void expect_err(const char *text, const char *key, enum getter g,
                       const char *msg)
{
	struct p2mk_yaml y;
	uint64_t v = 12345;
	bool ok = load(&y, text) && get(&y, key, g, &v);
	assert_false(ok);
	assert_int_equal(v, 12345); /* failed getters leave *out alone */
	assert_string_equal(y.err, msg);
	p2mk_yaml_free(&y);
}

static uint64_t expect_ok(const char *text, const char *key, enum getter g)
{
	struct p2mk_yaml y;
	uint64_t v = 0;
	bool ok = load(&y, text) && get(&y, key, g, &v);
	if (!ok)
		fail_msg("unexpected error: %s", y.err);
	p2mk_yaml_free(&y);
	return v;
}

static void syntax_error_has_line_and_column(void **state)
{
	(void)state;
	expect_err("memory: 2GiB\nvcpus: [1, 2\n", "memory", G_SIZE,
	           "t.yaml:3:1: YAML syntax error: did not find expected ',' "
	           "or ']' while parsing a flow sequence");
}

static void empty_document_is_an_error(void **state)
{
	(void)state;
	expect_err("", "memory", G_SIZE, "t.yaml:1:1: empty document");
	expect_err("# only a comment\n", "memory", G_SIZE,
	           "t.yaml:1:1: empty document");
}

static void root_must_be_a_mapping(void **state)
{
	(void)state;
	expect_err("- 1\n- 2\n", "memory", G_SIZE,
	           "t.yaml:1:1: expected a mapping for vm, got a sequence");
	expect_err("hello\n", "memory", G_SIZE,
	           "t.yaml:1:1: expected a mapping for vm, got 'hello'");
}

static void unknown_key_suggests_the_close_one(void **state)
{
	(void)state;
	expect_err("vcpus: 2\nmemroy: 2GiB\n", "memory", G_SIZE,
	           "t.yaml:2:1: unknown key 'memroy' in vm (did you mean "
	           "'memory'?)");
	expect_err("vcpus: 2\n  \nzzzz: 1\n", "memory", G_SIZE,
	           "t.yaml:3:1: unknown key 'zzzz' in vm");
}

static void duplicate_key_is_an_error(void **state)
{
	(void)state;
	expect_err("vcpus: 2\nvcpus: 3\n", "vcpus", G_U64,
	           "t.yaml:2:1: duplicate key 'vcpus' in vm");
}

static void non_scalar_key_is_an_error(void **state)
{
	(void)state;
	expect_err("? [a]\n: 1\n", "vcpus", G_U64,
	           "t.yaml:1:3: expected a key in vm, got a sequence");
}

static void missing_required_key_points_at_the_mapping(void **state)
{
	(void)state;
	expect_err("\nvcpus: 2\n", "memory", G_SIZE,
	           "t.yaml:2:1: missing required key 'memory' in vm");
}

static void numbers_decimal_hex_and_range(void **state)
{
	(void)state;
	assert_int_equal(expect_ok("vcpus: 8\n", "vcpus", G_U64), 8);
	assert_int_equal(expect_ok("vcpus: 0x10\n", "vcpus", G_U64), 16);
	expect_err("vcpus: two\n", "vcpus", G_U64,
	           "t.yaml:1:8: expected a number, got 'two'");
	expect_err("vcpus: 2.5\n", "vcpus", G_U64,
	           "t.yaml:1:8: expected a number, got '2.5'");
	expect_err("vcpus: 65\n", "vcpus", G_U64,
	           "t.yaml:1:8: 65 is out of range (1..64)");
	expect_err("vcpus: 0\n", "vcpus", G_U64,
	           "t.yaml:1:8: 0 is out of range (1..64)");
	expect_err("vcpus: 99999999999999999999\n", "vcpus", G_U64,
	           "t.yaml:1:8: expected a number, got "
	           "'99999999999999999999'");
	expect_err("vcpus: {a: 1}\n", "vcpus", G_U64,
	           "t.yaml:1:8: expected a number, got a mapping");
	expect_err("vcpus:\n", "vcpus", G_U64,
	           "t.yaml:1:7: expected a number, got an empty value");
}

static void sizes_with_binary_units(void **state)
{
	(void)state;
	assert_int_equal(expect_ok("memory: 4096\n", "memory", G_SIZE), 4096);
	assert_int_equal(expect_ok("memory: 0x1000\n", "memory", G_SIZE), 4096);
	assert_int_equal(expect_ok("memory: 4KiB\n", "memory", G_SIZE), 4096);
	assert_int_equal(expect_ok("memory: 256MiB\n", "memory", G_SIZE),
	                 256ull << 20);
	assert_int_equal(expect_ok("memory: 2 GiB\n", "memory", G_SIZE),
	                 2ull << 30);
	assert_int_equal(expect_ok("memory: 1TiB\n", "memory", G_SIZE),
	                 1ull << 40);
	assert_int_equal(expect_ok("memory: 1_024MiB\n", "memory", G_SIZE),
	                 1ull << 30);
}

static void size_errors_and_decimal_unit_hint(void **state)
{
	(void)state;
	expect_err("memory: 2GB\n", "memory", G_SIZE,
	           "t.yaml:1:9: expected a size (bytes, or a number with KiB, "
	           "MiB, GiB or TiB), got '2GB' (did you mean '2GiB'?)");
	expect_err("memory: lots\n", "memory", G_SIZE,
	           "t.yaml:1:9: expected a size (bytes, or a number with KiB, "
	           "MiB, GiB or TiB), got 'lots'");
	expect_err("memory: 2  KiB\n", "memory", G_SIZE,
	           "t.yaml:1:9: expected a size (bytes, or a number with KiB, "
	           "MiB, GiB or TiB), got '2  KiB'");
	expect_err("memory: 20000000TiB\n", "memory", G_SIZE,
	           "t.yaml:1:9: size '20000000TiB' does not fit in 64 bits");
}

static void booleans(void **state)
{
	(void)state;
	assert_int_equal(expect_ok("enabled: true\n", "enabled", G_BOOL), 1);
	assert_int_equal(expect_ok("enabled: off\n", "enabled", G_BOOL), 0);
	expect_err("enabled: maybe\n", "enabled", G_BOOL,
	           "t.yaml:1:10: expected true or false, got 'maybe'");
}

static void enums_list_the_choices_and_suggest(void **state)
{
	(void)state;
	assert_int_equal(expect_ok("planner: ovmf\n", "planner", G_ENUM), 2);
	expect_err("planner: hvmlaoder\n", "planner", G_ENUM,
	           "t.yaml:1:10: expected one of hvmloader, improved, ovmf, "
	           "got 'hvmlaoder' (did you mean 'hvmloader'?)");
	expect_err("planner: seabios\n", "planner", G_ENUM,
	           "t.yaml:1:10: expected one of hvmloader, improved, ovmf, "
	           "got 'seabios'");
}

static void strings_reject_collections(void **state)
{
	(void)state;
	expect_err("planner: [a]\n", "planner", G_STR,
	           "t.yaml:1:10: expected a string, got a sequence");
}

static void sequences_are_checked(void **state)
{
	(void)state;
	struct p2mk_yaml y;
	size_t n = 99;
	assert_true(load(&y, "firmware: [1, 2, 3]\nvcpus: 1\n"));
	yaml_node_t *s = p2mk_yaml_get(&y, p2mk_yaml_root(&y), "firmware");
	assert_true(p2mk_yaml_seq(&y, s, "vm.firmware", &n));
	assert_int_equal(n, 3);
	assert_string_equal(p2mk_yaml_scalar(p2mk_yaml_at(&y, s, 2)), "3");
	assert_null(p2mk_yaml_at(&y, s, 3));
	yaml_node_t *v = p2mk_yaml_get(&y, p2mk_yaml_root(&y), "vcpus");
	assert_false(p2mk_yaml_seq(&y, v, "vm.vcpus", &n));
	assert_string_equal(
	    y.err, "t.yaml:2:8: expected a sequence for vm.vcpus, got '1'");
	p2mk_yaml_free(&y);
}

static void only_the_first_error_is_kept(void **state)
{
	(void)state;
	struct p2mk_yaml y;
	assert_true(load(&y, "vcpus: x\nmemory: y\n"));
	yaml_node_t *r = p2mk_yaml_root(&y);
	uint64_t v;
	assert_false(p2mk_yaml_opt_u64(&y, r, "vcpus", 0, 9, &v));
	assert_false(p2mk_yaml_opt_size(&y, r, "memory", &v));
	assert_string_equal(y.err, "t.yaml:1:8: expected a number, got 'x'");
	p2mk_yaml_free(&y);
}

static void missing_file_names_the_path(void **state)
{
	(void)state;
	struct p2mk_yaml y;
	assert_false(p2mk_yaml_load_file(&y, "/nonexistent/x.yaml"));
	assert_string_equal(y.err, "/nonexistent/x.yaml: cannot open: No such "
	                           "file or directory");
	p2mk_yaml_free(&y);
}

static void did_you_mean_needs_a_close_word(void **state)
{
	(void)state;
	static const char *const c[] = {"memory", "vcpus", "devices"};
	assert_string_equal(p2mk_did_you_mean("memroy", c, 3), "memory");
	assert_string_equal(p2mk_did_you_mean("vcpu", c, 3), "vcpus");
	assert_string_equal(p2mk_did_you_mean("device", c, 3), "devices");
	assert_null(p2mk_did_you_mean("cpu", c, 3));
	assert_null(p2mk_did_you_mean("xyzzy", c, 3));
	assert_null(p2mk_did_you_mean("memory", c, 3)); /* exact: no hint */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(syntax_error_has_line_and_column),
	    cmocka_unit_test(empty_document_is_an_error),
	    cmocka_unit_test(root_must_be_a_mapping),
	    cmocka_unit_test(unknown_key_suggests_the_close_one),
	    cmocka_unit_test(duplicate_key_is_an_error),
	    cmocka_unit_test(non_scalar_key_is_an_error),
	    cmocka_unit_test(missing_required_key_points_at_the_mapping),
	    cmocka_unit_test(numbers_decimal_hex_and_range),
	    cmocka_unit_test(sizes_with_binary_units),
	    cmocka_unit_test(size_errors_and_decimal_unit_hint),
	    cmocka_unit_test(booleans),
	    cmocka_unit_test(enums_list_the_choices_and_suggest),
	    cmocka_unit_test(strings_reject_collections),
	    cmocka_unit_test(sequences_are_checked),
	    cmocka_unit_test(only_the_first_error_is_kept),
	    cmocka_unit_test(missing_file_names_the_path),
	    cmocka_unit_test(did_you_mean_needs_a_close_word),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
