// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mkit bench run [--quick] [--json]: examples/scale-1tib (a 1 TiB guest
 * with four 128 GiB BARs) through the simulator at 1 GiB and 2 MiB MMIO
 * entries, each run in a child process so that its peak memory is its own
 * (getrusage of the child), against two floors measured in the same run:
 * a memset of 8 bytes per entry the run wrote (time) and the page-table
 * pages it allocated (memory).  docs/run.md "Scale".
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd_run.h"

struct bench_run_args {
	bool quick;
};

static const struct cli_opt bench_run_opts[] = {
    {.name = "quick",
     .type = CLI_FLAG,
     .off = offsetof(struct bench_run_args, quick),
     .help = "the 1 GiB run only, once (for CI)"},
};
static const struct cli_group bench_run_groups[] = {
    CLI_GROUP(bench_run_opts, 0), {NULL, 0, 0}};

/* What a child reports through its pipe. */
struct bench_counts {
	uint64_t entries, table_pages;
	double simulated;
	int ok;
};

/* One measured run. */
struct bench_one {
	struct bench_counts n;
	double wall, cpu, floor;
	long peak_kib;
};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* In the child: load @file with mmio_max_order @order (NULL: as written),
 * run policy 0, report the counts on @fd. */
static void child(const char *file, const char *order, int fd)
{
	struct p2mk_sc_set set = {"hypervisor.mmio_max_order", order};
	struct p2mk_scenario *s = malloc(sizeof(*s));
	struct p2mk_sim_result *r = calloc(1, sizeof(*r));
	struct bench_counts n = {0};
	if (s != NULL && r != NULL &&
	    p2mk_scenario_load(s, file, &set, order ? 1 : 0)) {
		n.ok = p2mk_sim_run(s, 0, r, NULL, NULL);
		n.entries = r->total.leaf_entries;
		n.table_pages = r->total.table_pages;
		n.simulated = r->total.seconds;
	}
	ssize_t w = write(fd, &n, sizeof(n));
	_exit(w == (ssize_t)sizeof(n) && n.ok ? 0 : 1);
}

/* Fork, run, wait: wall time, the child's CPU time and peak RSS.  With
 * @file NULL the child only exits (the process's own baseline). */
static bool measure(const char *file, const char *order, struct bench_one *o)
{
	int fd[2];
	struct rusage ru;
	int st = 0;
	memset(o, 0, sizeof(*o));
	if (pipe(fd) != 0)
		return false;
	double t0 = now();
	pid_t pid = fork();
	if (pid == 0) {
		close(fd[0]);
		if (file == NULL)
			_exit(0);
		child(file, order, fd[1]);
	}
	close(fd[1]);
	bool ok = pid > 0 &&
	          (file == NULL ||
	           read(fd[0], &o->n, sizeof(o->n)) == (ssize_t)sizeof(o->n));
	close(fd[0]);
	if (pid <= 0 || wait4(pid, &st, 0, &ru) != pid)
		return false;
	o->wall = now() - t0;
	o->cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
	o->peak_kib = ru.ru_maxrss;
	return ok && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* The time floor: a memset of 8 bytes per entry written, best of 3. */
static double floor_seconds(uint64_t entries)
{
	size_t bytes = (size_t)(entries ? entries : 1) * 8;
	unsigned char *b = malloc(bytes);
	double best = 0;
	for (int i = 0; b != NULL && i < 3; i++) {
		double t0 = now();
		memset(b, i + 1, bytes);
		__asm__ volatile(""
		                 :
		                 : "r"(b)
		                 : "memory"); /* keep the stores */
		double t = now() - t0;
		best = i == 0 || t < best ? t : best;
	}
	free(b);
	return best;
}

static json_t *one_json(const char *order, const struct bench_one *o,
                        long base_kib)
{
	return json_pack("{s:s,s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:f,s:f}",
	                 "mmio_max_order", order, "wall_s", o->wall, "cpu_s",
	                 o->cpu, "peak_kib", (json_int_t)o->peak_kib,
	                 "above_baseline_kib",
	                 (json_int_t)(o->peak_kib - base_kib), "entries",
	                 (json_int_t)o->n.entries, "table_pages",
	                 (json_int_t)o->n.table_pages, "table_kib",
	                 (json_int_t)(o->n.table_pages * 4), "floor_s",
	                 o->floor, "simulated_s", o->n.simulated);
}

static int bench_run_run(struct cli_ctx *c, void *argp)
{
	const struct bench_run_args *a = argp;
	static const char *const orders[] = {"1GiB", "2MiB"};
	char path[4096];
	struct bench_one base, best, o;
	if (!run_find_example("scale-1tib", path, sizeof(path)))
		return cli_fail(c, CLI_EXIT_FAIL,
		                "examples/scale-1tib not found");
	if (!measure(NULL, NULL, &base))
		return cli_fail(c, CLI_EXIT_FAIL, "cannot fork");
	json_t *runs = json_array();
	for (size_t k = 0; k < (a->quick ? 1u : 2u); k++) {
		for (int rep = 0; rep < (a->quick ? 1 : 3); rep++) {
			if (!measure(path, orders[k], &o)) {
				json_decref(runs);
				return cli_fail(c, CLI_EXIT_FAIL,
				                "the %s run failed", orders[k]);
			}
			if (rep == 0 || o.cpu < best.cpu)
				best = o; /* best of 3: the least disturbed */
		}
		best.floor = floor_seconds(best.n.entries);
		json_array_append_new(
		    runs, one_json(orders[k], &best, base.peak_kib));
	}
	cli_record(c,
	           json_pack("{s:s,s:I,s:o}", "scenario", path, "baseline_kib",
	                     (json_int_t)base.peak_kib, "runs", runs));
	return CLI_EXIT_OK;
}

static void bench_run_text(struct rep_out *out, const json_t *rec)
{
	const json_t *runs = rep_get(rec, "runs");
	rep_printf(out, "p2mkit bench run: ");
	rep_clean(out, rep_str(rec, "scenario"));
	rep_printf(out, "\n(process baseline %lld KiB peak)\n",
	           rep_int(rec, "baseline_kib"));
	rep_printf(out, "%-6s %8s %8s %9s %9s %10s %9s %10s %8s %10s\n",
	           "order", "wall s", "cpu s", "peak KiB", "+KiB", "entries",
	           "table KiB", "floor s", "ratio", "simulated");
	for (size_t i = 0; i < json_array_size(runs); i++) {
		const json_t *r = json_array_get(runs, i);
		double cpu = json_real_value(rep_get(r, "cpu_s"));
		double fl = json_real_value(rep_get(r, "floor_s"));
		rep_printf(out,
		           "%-6s %8.3f %8.3f %9lld %9lld %10lld %9lld %10.3g "
		           "%7.0fx %9.2fs\n",
		           rep_str(r, "mmio_max_order"),
		           json_real_value(rep_get(r, "wall_s")), cpu,
		           rep_int(r, "peak_kib"),
		           rep_int(r, "above_baseline_kib"),
		           rep_int(r, "entries"), rep_int(r, "table_kib"), fl,
		           fl > 0 ? cpu / fl : 0,
		           json_real_value(rep_get(r, "simulated_s")));
	}
}

const struct cli_form cli_form_bench_run = {
    .command = "bench",
    .word = "run",
    .summary = "p2mkit run on examples/scale-1tib: time and peak memory",
    .about =
        "Runs examples/scale-1tib (1 TiB of RAM, four 128 GiB BARs) with\n"
        "1 GiB and 2 MiB MMIO entries, the least CPU of 3 each, every run in\n"
        "its own child process: wall and CPU time, peak resident memory\n"
        "(getrusage of the child; +KiB above a child that only exits), the\n"
        "leaf entries and page-table memory the run wrote, and the time\n"
        "floor measured in the same run (a memset of 8 bytes per entry\n"
        "written) with the ratio of CPU time to it (wall time depends on\n"
        "the other jobs of a shared machine).  docs/run.md \"Scale\".\n",
    .exits = "0 ok, 1 the benchmark could not run, 2 bad usage.",
    .groups = bench_run_groups,
    .args_size = sizeof(struct bench_run_args),
    .run = bench_run_run,
    .text = bench_run_text,
};
