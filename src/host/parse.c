// SPDX-License-Identifier: BSD-2-Clause
/*
 * Parsers for the text the Linux kernel exposes about memory types: every
 * one works on a (pointer, length) buffer that need not be NUL-terminated,
 * so the fuzz targets can feed it raw bytes, and reports each malformed
 * line as "file:line: why" instead of guessing.
 */
#include "host/host_internal.h"

#include <stdio.h>
#include <string.h>

/* Longest line any of these files has in practice (iomem names are short). */
#define MAX_LINE 512

/*
 * Line iterator: copies the next line of [*pos, len) into @line without its
 * newline.  Returns false at the end; *too_long is set for a line that did
 * not fit (it is then truncated).
 */
static bool next_line(const char *text, size_t len, size_t *pos, char *line,
                      size_t linesz, bool *too_long)
{
	if (*pos >= len)
		return false;
	size_t i = *pos, n = 0;
	*too_long = false;
	while (i < len && text[i] != '\n') {
		if (n + 1 < linesz)
			line[n++] = text[i];
		else
			*too_long = true;
		i++;
	}
	line[n] = '\0';
	*pos = i < len ? i + 1 : i;
	/* Embedded NUL bytes end the string early; treat that as garbage. */
	if (memchr(line, '\0', n) != NULL)
		*too_long = true;
	return true;
}

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool is_blank(const char *p)
{
	p = skip_spaces(p);
	return *p == '\0' || *p == '\r';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex number with optional 0x; false on no digits or overflow. */
static bool parse_hex(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	uint64_t v = 0;
	int d, n = 0;
	while ((d = hex_digit(*p)) >= 0) {
		if (v >> 60)
			return false;
		v = (v << 4) | (uint64_t)d;
		p++;
		n++;
	}
	if (n == 0)
		return false;
	*out = v;
	*pp = p;
	return true;
}

static bool parse_dec(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int n = 0;
	while (*p >= '0' && *p <= '9') {
		uint64_t d = (uint64_t)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		p++;
		n++;
	}
	if (n == 0)
		return false;
	*out = v;
	*pp = p;
	return true;
}

/* Consume @lit at *pp; false (and *pp untouched) if it is not there. */
static bool eat(const char **pp, const char *lit)
{
	size_t n = strlen(lit);
	if (strncmp(*pp, lit, n) != 0)
		return false;
	*pp += n;
	return true;
}

/* Copy a token ending at one of @stops (or end of string), trimmed. */
static void copy_token(const char *p, const char *stops, char *out,
                       size_t outsz)
{
	p = skip_spaces(p);
	size_t n = strcspn(p, stops);
	while (n > 0 &&
	       (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	if (n >= outsz)
		n = outsz - 1;
	memmove(out, p, n); /* @out may be @p itself */
	out[n] = '\0';
}

/* ---- /proc/cpuinfo ------------------------------------------------------ */

static bool has_word(const char *list, const char *word)
{
	size_t wl = strlen(word);
	const char *p = list;
	while ((p = strstr(p, word)) != NULL) {
		bool start = p == list || p[-1] == ' ' || p[-1] == '\t';
		bool end = p[wl] == '\0' || p[wl] == ' ' || p[wl] == '\r';
		if (start && end)
			return true;
		p += wl;
	}
	return false;
}

unsigned p2mk_host_parse_cpuinfo(struct p2mk_host *h, const char *text,
                                 size_t len, const char *file)
{
	char line[4096];
	size_t pos = 0;
	unsigned lineno = 0, bad = 0;
	bool too_long, any = false;
	struct p2mk_host_cpu *c = &h->cpu;
	memset(c, 0, sizeof(*c));
	while (next_line(text, len, &pos, line, sizeof(line), &too_long)) {
		lineno++;
		if (is_blank(line)) {
			if (any)
				break; /* end of the first processor's block */
			continue;
		}
		const char *colon = strchr(line, ':');
		if (colon == NULL || too_long) {
			host_diag(h, file, lineno, "expected \"key : value\"");
			bad++;
			continue;
		}
		any = true;
		char key[64];
		size_t kl = (size_t)(colon - line);
		if (kl >= sizeof(key))
			kl = sizeof(key) - 1;
		memcpy(key, line, kl);
		key[kl] = '\0';
		copy_token(key, "", key, sizeof(key));
		const char *val = skip_spaces(colon + 1);
		if (strcmp(key, "vendor_id") == 0) {
			copy_token(val, " \t", c->vendor_id,
			           sizeof(c->vendor_id));
		} else if (strcmp(key, "address sizes") == 0) {
			uint64_t bits = 0;
			const char *p = val;
			if (!parse_dec(&p, &bits) || bits < 32 || bits > 52) {
				host_diag(h, file, lineno,
				          "address sizes: expected \"N bits "
				          "physical\" with N in 32..52");
				bad++;
			} else {
				c->phys_bits = (unsigned)bits;
			}
		} else if (strcmp(key, "flags") == 0) {
			c->flags_seen = true;
			c->has_mtrr = has_word(val, "mtrr");
			c->has_pat = has_word(val, "pat");
			c->hypervisor = has_word(val, "hypervisor");
		}
	}
	if (strcmp(c->vendor_id, "GenuineIntel") == 0)
		c->vendor = P2MK_HOST_VENDOR_INTEL;
	else if (strcmp(c->vendor_id, "AuthenticAMD") == 0 ||
	         strcmp(c->vendor_id, "HygonGenuine") == 0)
		c->vendor = P2MK_HOST_VENDOR_AMD;
	else if (c->vendor_id[0] != '\0')
		c->vendor = P2MK_HOST_VENDOR_OTHER_X86;
	else if (any)
		/* x86 kernels always print vendor_id; arm64, riscv, ... do not.
		 */
		c->vendor = P2MK_HOST_VENDOR_NOT_X86;
	return bad;
}

/* ---- /proc/mtrr --------------------------------------------------------- */

/* A kernel spelling of a memory type and its x86 §2 encoding. */
struct type_word {
	const char *name;
	unsigned type;
};

/* Look @w up in @table of @n words; false (and *@type untouched) if absent. */
static bool type_word_lookup(const struct type_word *table, size_t n,
                             const char *w, unsigned *type)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(w, table[i].name) == 0) {
			*type = table[i].type;
			return true;
		}
	}
	return false;
}

/* The kernel's names for MTRR types in /proc/mtrr (x86 §2 encodings). */
static bool mtrr_type_word(const char *w, unsigned *type)
{
	static const struct type_word names[] = {
	    {"uncachable", P2MK_MT_UC},      {"uncacheable", P2MK_MT_UC},
	    {"write-combining", P2MK_MT_WC}, {"write-through", P2MK_MT_WT},
	    {"write-protect", P2MK_MT_WP},   {"write-back", P2MK_MT_WB},
	};
	return type_word_lookup(names, sizeof(names) / sizeof(names[0]), w,
	                        type);
}

/* Parse one /proc/mtrr line; NULL on success, else why it is malformed. */
static const char *parse_mtrr_line(const char *line,
                                   struct p2mk_host_mtrr_var *v)
{
	const char *p = skip_spaces(line);
	uint64_t reg, base, size;
	if (!eat(&p, "reg") || !parse_dec(&p, &reg) || !eat(&p, ":"))
		return "expected \"regNN:\"";
	if (reg >= P2MK_MTRR_VCNT_MAX)
		return "register number above 39 (x86 §3.1)";
	p = skip_spaces(p);
	if (!eat(&p, "base=") || !parse_hex(&p, &base))
		return "expected \"base=0x...\"";
	p = skip_spaces(p);
	if (*p == '(') { /* "( 3072MB)": informative only */
		const char *close = strchr(p, ')');
		if (close == NULL)
			return "unclosed \"(\"";
		p = close + 1;
	}
	if (!eat(&p, ","))
		return "expected \",\" after the base";
	p = skip_spaces(p);
	if (!eat(&p, "size="))
		return "expected \"size=\"";
	p = skip_spaces(p);
	if (!parse_dec(&p, &size))
		return "expected a decimal size";
	unsigned shift;
	if (eat(&p, "KB"))
		shift = 10;
	else if (eat(&p, "MB"))
		shift = 20;
	else if (eat(&p, "GB"))
		shift = 30;
	else
		return "size unit must be KB, MB or GB";
	if (size == 0 || size > (UINT64_MAX >> shift))
		return "size out of range";
	size <<= shift;
	/* The type follows the last ':' ("count=1: uncachable"); older
	 * kernels print ": uncachable, count=1". */
	const char *colon = strrchr(p, ':');
	if (colon == NULL)
		return "expected \": type\"";
	char word[32];
	copy_token(colon + 1, ",", word, sizeof(word));
	if (strncmp(word, "count=", 6) == 0) {
		/* Old order: the type sits between the first ':' and ','. */
		const char *first = strchr(p, ':');
		copy_token(first + 1, ",", word, sizeof(word));
	}
	if (!mtrr_type_word(word, &v->type))
		return "unknown MTRR type name";
	/* A pair describes one power-of-two range aligned to its size
	 * (x86 §5.1); anything else cannot be one PHYSBASE/PHYSMASK pair. */
	if (size < P2MK_PAGE_SIZE || (size & (size - 1)) != 0)
		return "size is not a power of two of at least 4 KiB";
	if ((base & (size - 1)) != 0)
		return "base is not aligned to the size";
	if (base + (size - 1) < base)
		return "range wraps around";
	v->reg = (unsigned)reg;
	v->base = base;
	v->size = size;
	return NULL;
}

unsigned p2mk_host_parse_proc_mtrr(struct p2mk_host *h, const char *text,
                                   size_t len, const char *file)
{
	char line[MAX_LINE];
	size_t pos = 0;
	unsigned lineno = 0, bad = 0;
	bool too_long;
	while (next_line(text, len, &pos, line, sizeof(line), &too_long)) {
		lineno++;
		if (is_blank(line) && !too_long)
			continue;
		struct p2mk_host_mtrr_var v = {.line = lineno};
		const char *why = too_long ? "line too long or contains NUL"
		                           : parse_mtrr_line(line, &v);
		for (size_t i = 0; why == NULL && i < h->nmtrr_vars; i++) {
			if (h->mtrr_vars[i].reg == v.reg)
				why = "register listed twice";
		}
		if (why != NULL) {
			host_diag(h, file, lineno, "%s", why);
			bad++;
			continue;
		}
		struct p2mk_host_mtrr_var *slot = HOST_PUSH(h, mtrr_vars);
		if (slot != NULL)
			*slot = v;
	}
	return bad;
}

/* ---- pat_memtype_list --------------------------------------------------- */

/* The kernel's cache-mode names (arch/x86/mm/pat: cattr_name()). */
static bool pat_type_word(const char *w, unsigned *type)
{
	static const struct type_word names[] = {
	    {"write-back", P2MK_MT_WB},      {"uncached", P2MK_MT_UC},
	    {"uncached-minus", P2MK_MT_UCM}, {"write-combining", P2MK_MT_WC},
	    {"write-through", P2MK_MT_WT},   {"write-protect", P2MK_MT_WP},
	};
	return type_word_lookup(names, sizeof(names) / sizeof(names[0]), w,
	                        type);
}

static const char *parse_pat_line(const char *line, struct p2mk_host_pat_map *m)
{
	const char *p = skip_spaces(line);
	char word[32];
	if (eat(&p, "PAT:")) {
		/* "PAT: [mem 0x...-0x...] write-combining" (Linux >= 5.x) */
		p = skip_spaces(p);
		if (!eat(&p, "[mem"))
			return "expected \"PAT: [mem 0xSTART-0xEND] type\"";
		p = skip_spaces(p);
		if (!parse_hex(&p, &m->start) || !eat(&p, "-") ||
		    !parse_hex(&p, &m->end) || !eat(&p, "]"))
			return "expected \"PAT: [mem 0xSTART-0xEND] type\"";
		copy_token(p, "", word, sizeof(word));
	} else {
		/* "write-combining @ 0x...-0x..." (older kernels) */
		copy_token(p, " @", word, sizeof(word));
		p = strchr(p, '@');
		if (p == NULL)
			return "expected \"PAT: [mem ...] type\" or \"type @ "
			       "0xSTART-0xEND\"";
		p = skip_spaces(p + 1);
		if (!parse_hex(&p, &m->start) || !eat(&p, "-") ||
		    !parse_hex(&p, &m->end) || !is_blank(p))
			return "expected \"type @ 0xSTART-0xEND\"";
	}
	if (!pat_type_word(word, &m->type))
		return "unknown cache-mode name";
	if (m->end <= m->start)
		return "empty or reversed range (end is exclusive)";
	return NULL;
}

unsigned p2mk_host_parse_pat_list(struct p2mk_host *h, const char *text,
                                  size_t len, const char *file)
{
	char line[MAX_LINE];
	size_t pos = 0;
	unsigned lineno = 0, bad = 0;
	bool too_long;
	while (next_line(text, len, &pos, line, sizeof(line), &too_long)) {
		lineno++;
		if ((is_blank(line) && !too_long) ||
		    (lineno == 1 && strncmp(line, "PAT memtype list", 16) == 0))
			continue;
		struct p2mk_host_pat_map m = {.line = lineno};
		const char *why = too_long ? "line too long or contains NUL"
		                           : parse_pat_line(line, &m);
		if (why != NULL) {
			host_diag(h, file, lineno, "%s", why);
			bad++;
			continue;
		}
		struct p2mk_host_pat_map *slot = HOST_PUSH(h, pat_maps);
		if (slot != NULL)
			*slot = m;
	}
	return bad;
}

/* ---- /proc/iomem -------------------------------------------------------- */

/* Deepest nesting accepted; real trees stay below 8. */
#define IOMEM_MAX_DEPTH 32

unsigned p2mk_host_parse_iomem(struct p2mk_host *h, const char *text,
                               size_t len, const char *file)
{
	char line[MAX_LINE];
	size_t pos = 0;
	unsigned lineno = 0, bad = 0;
	bool too_long;
	int stack[IOMEM_MAX_DEPTH]; /* last entry seen at each depth */
	int depth_prev = -1;
	while (next_line(text, len, &pos, line, sizeof(line), &too_long)) {
		lineno++;
		if (is_blank(line) && !too_long)
			continue;
		const char *why = NULL;
		struct p2mk_host_iomem e = {.line = lineno, .parent = -1};
		size_t sp = strspn(line, " ");
		const char *p = line + sp;
		if (too_long)
			why = "line too long or contains NUL";
		else if (sp % 2 != 0)
			why = "indentation is not a multiple of two spaces";
		else if (sp / 2 >= IOMEM_MAX_DEPTH)
			why = "nested too deeply";
		else if ((int)(sp / 2) > depth_prev + 1)
			why = "indented deeper than its parent allows";
		else if (!parse_hex(&p, &e.start) || !eat(&p, "-") ||
		         !parse_hex(&p, &e.end) || !eat(&p, " : "))
			why = "expected \"START-END : name\"";
		else if (e.end < e.start)
			why = "end below start";
		if (why == NULL) {
			e.depth = (unsigned)(sp / 2);
			copy_token(p, "\r", e.name, sizeof(e.name));
			if (e.name[0] == '\0')
				why = "empty name";
		}
		if (why == NULL && e.depth > 0) {
			e.parent = stack[e.depth - 1];
			const struct p2mk_host_iomem *par = &h->iomem[e.parent];
			if (e.start < par->start || e.end > par->end)
				why = "not inside its parent";
		}
		if (why != NULL) {
			host_diag(h, file, lineno, "%s", why);
			bad++;
			continue;
		}
		struct p2mk_host_iomem *slot = HOST_PUSH(h, iomem);
		if (slot == NULL)
			break;
		*slot = e;
		stack[e.depth] = (int)(h->niomem - 1);
		depth_prev = (int)e.depth;
	}
	return bad;
}

/* ---- sysfs resource and config ------------------------------------------ */

unsigned p2mk_host_parse_resource(struct p2mk_host *h, const char *text,
                                  size_t len, const char *file, const char *bdf)
{
	char line[MAX_LINE];
	size_t pos = 0;
	unsigned lineno = 0, bad = 0;
	bool too_long;
	while (next_line(text, len, &pos, line, sizeof(line), &too_long)) {
		lineno++;
		if (is_blank(line) && !too_long)
			continue;
		uint64_t v[3];
		const char *p = line;
		bool ok = !too_long;
		for (int k = 0; ok && k < 3; k++) {
			p = skip_spaces(p);
			ok = parse_hex(&p, &v[k]);
		}
		if (!ok || !is_blank(p)) {
			host_diag(
			    h, file, lineno,
			    "expected three hex numbers: start end flags");
			bad++;
			continue;
		}
		uint64_t start = v[0], end = v[1], flags = v[2];
		if (start == 0 && end == 0)
			continue; /* unimplemented BAR */
		if (end < start) {
			host_diag(h, file, lineno, "end below start");
			bad++;
			continue;
		}
		/* Lines 1-6 are BARs 0-5; the ROM and bridge windows are not
		 * mapped by drivers through PAT and are left out. */
		if (lineno > 6 || !(flags & P2MK_HOST_IORES_MEM) ||
		    (flags &
		     (P2MK_HOST_IORES_UNSET | P2MK_HOST_IORES_DISABLED)))
			continue;
		struct p2mk_host_bar *b = HOST_PUSH(h, bars);
		if (b == NULL)
			break;
		snprintf(b->bdf, sizeof(b->bdf), "%s", bdf);
		b->index = lineno - 1;
		b->start = start;
		b->end = end;
		b->flags = flags;
		b->is64 = (flags & P2MK_HOST_IORES_MEM_64) != 0;
		b->prefetch = (flags & P2MK_HOST_IORES_PREFETCH) != 0;
	}
	return bad;
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

unsigned p2mk_host_parse_config(struct p2mk_host *h, const uint8_t *buf,
                                size_t len, const char *file,
                                struct p2mk_host_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	/* The BAR registers end at 0x27; sysfs gives unprivileged readers
	 * the first 64 bytes, which is enough. */
	if (len < 0x28) {
		host_diag(h, file, 0,
		          "config space image too short (%zu bytes, need 40)",
		          len);
		return 1;
	}
	if (buf[0] == 0xff && buf[1] == 0xff) {
		host_diag(h, file, 0, "vendor ID 0xffff: no device answered");
		return 1;
	}
	cfg->vendor = (uint16_t)(buf[0] | buf[1] << 8);
	cfg->device = (uint16_t)(buf[2] | buf[3] << 8);
	cfg->header_type = buf[0x0e] & 0x7fu;
	static const unsigned nbars[] = {6, 2, 1};
	if (cfg->header_type > 2) {
		host_diag(h, file, 0, "unknown header type %u",
		          cfg->header_type);
		return 1;
	}
	unsigned n = nbars[cfg->header_type], bad = 0;
	cfg->nbars = n;
	for (unsigned i = 0; i < n; i++) {
		uint32_t v = le32(buf + 0x10 + (size_t)4 * i);
		struct p2mk_host_cfg_bar *b = &cfg->bar[i];
		b->present = true;
		if (v & 1u) {
			b->io = true;
			continue;
		}
		/* Memory BAR: bits 2:1 type (0 = 32-bit, 2 = 64-bit),
		 * bit 3 prefetchable (PCI 3.0 §6.2.5.1). */
		unsigned type = (v >> 1) & 3u;
		b->prefetch = (v & 8u) != 0;
		if (type == 2) {
			b->is64 = true;
			if (i + 1 == n) {
				host_diag(h, file, 0,
				          "64-bit BAR %u has no upper half", i);
				bad++;
				b->present = false;
			}
			i++; /* the next register is the upper 32 bits */
		} else if (type != 0) {
			host_diag(h, file, 0,
			          "BAR %u uses reserved memory type %u", i,
			          type);
			bad++;
			b->present = false;
		}
	}
	return bad;
}

/* ---- MSR capture text --------------------------------------------------- */

static const char *parse_msr_line(const char *p, uint64_t *msr, uint64_t *value)
{
	if (!eat(&p, "0x") || !parse_hex(&p, msr) || *msr > UINT32_MAX)
		return "expected \"0xMSR 0xVALUE\"";
	p = skip_spaces(p);
	if (!eat(&p, "0x") || !parse_hex(&p, value))
		return "expected \"0xMSR 0xVALUE\"";
	p = skip_spaces(p);
	if (*p != '\0' && *p != '#' && *p != '\r')
		return "trailing text after the value";
	return NULL;
}

unsigned p2mk_host_parse_msr_text(struct p2mk_host *h, const char *text,
                                  size_t len, const char *file)
{
	char line[MAX_LINE];
	size_t pos = 0;
	unsigned lineno = 0, bad = 0;
	bool too_long;
	while (next_line(text, len, &pos, line, sizeof(line), &too_long)) {
		lineno++;
		const char *p = skip_spaces(line);
		if ((*p == '#' || is_blank(p)) && !too_long)
			continue;
		uint64_t msr = 0, value = 0;
		const char *why = too_long ? "line too long or contains NUL"
		                           : parse_msr_line(p, &msr, &value);
		for (unsigned i = 0; why == NULL && i < h->msrs.n; i++) {
			if (h->msrs.msr[i] == msr)
				why = "MSR listed twice";
		}
		if (why == NULL && h->msrs.n == P2MK_HOST_MAX_MSRS)
			why = "too many MSRs";
		if (why != NULL) {
			host_diag(h, file, lineno, "%s", why);
			bad++;
			continue;
		}
		h->msrs.msr[h->msrs.n] = (uint32_t)msr;
		h->msrs.value[h->msrs.n] = value;
		h->msrs.n++;
	}
	return bad;
}

/* ---- capture manifest --------------------------------------------------- */

unsigned p2mk_host_parse_manifest(struct p2mk_host *h, const char *text,
                                  size_t len, const char *file)
{
	char line[MAX_LINE];
	size_t pos = 0;
	unsigned lineno = 0, bad = 0;
	bool too_long;
	while (next_line(text, len, &pos, line, sizeof(line), &too_long)) {
		lineno++;
		if ((line[0] == '#' || is_blank(line)) && !too_long)
			continue;
		char name[32], status[32];
		const char *t1 = strchr(line, '\t');
		const char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		int src = -1, st = -1;
		if (!too_long && t2 != NULL &&
		    (size_t)(t1 - line) < sizeof(name) &&
		    (size_t)(t2 - t1 - 1) < sizeof(status)) {
			memcpy(name, line, (size_t)(t1 - line));
			name[t1 - line] = '\0';
			memcpy(status, t1 + 1, (size_t)(t2 - t1 - 1));
			status[t2 - t1 - 1] = '\0';
			for (int i = 0; i < P2MK_HOST_NSOURCES; i++) {
				if (strcmp(name, h->src[i].name) == 0)
					src = i;
			}
			for (int i = P2MK_HOST_NOT_TRIED;
			     i <= P2MK_HOST_REFUSED; i++) {
				if (strcmp(status,
				           p2mk_host_status_token(
				               (enum p2mk_host_status)i)) == 0)
					st = i;
			}
		}
		if (src < 0 || st < 0) {
			host_diag(h, file, lineno,
			          "expected \"source<TAB>status<TAB>reason\" "
			          "with a known source and status");
			bad++;
			continue;
		}
		h->manifest_seen[src] = true;
		h->manifest_status[src] = (enum p2mk_host_status)st;
		copy_token(t2 + 1, "\r", h->manifest_reason[src],
		           sizeof(h->manifest_reason[src]));
	}
	return bad;
}

/* ---- one-value files (guest identification) ----------------------------- */

unsigned p2mk_host_parse_word(const char *text, size_t len, char *out,
                              size_t outsz)
{
	size_t i = 0, n = 0;
	unsigned bad = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	for (; i < len && text[i] != '\n' && n + 1 < outsz; i++) {
		unsigned char c = (unsigned char)text[i];
		bool ok = c >= 0x20 && c < 0x7f;
		bad |= !ok;
		out[n++] = ok ? (char)c : '?';
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	if (outsz > 0)
		out[n] = '\0';
	return bad;
}
