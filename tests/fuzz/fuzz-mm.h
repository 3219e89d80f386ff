/* SPDX-License-Identifier: MIT */
/*
 * The pgste fuzz target's model and checks (fuzz-mm.c runs the
 * operations, fuzz-mm-check.c compares the model with the API).
 */
#ifndef GMAP_FUZZ_MM_H
#define GMAP_FUZZ_MM_H

#include <stdbool.h>
#include <stdint.h>

#include <libgmap/pgste.h>

#include "../alloc-hook.h"

#define MM_PAGES	16
#define MM_BASE		0xf8000ULL	/* pages 0-7 and 8-15 in two segments */
#define PG		GMAP_PAGE_SIZE
#define KEY_AF		(GMAP_SKEY_ACC_MASK | GMAP_SKEY_F)

/* Unknown UC or key state: an operation the model does not follow. */
enum { UNKNOWN = -1 };

/* The model of one host page. */
struct page {
	bool mapped, present;
	unsigned int prot;
	uint64_t frame;		/* caller frame, 0 for anonymous memory */
	int acc;		/* ACC/F of the guest key, or UNKNOWN */
	int uc;			/* 0, 1 or UNKNOWN */
};

/* What the public API shows of the pages: read_pte's return code, pte
 * and PGSTE (without PCL), the guest key; the table bytes and live
 * allocations. */
struct snap {
	int rc[MM_PAGES];
	uint64_t pte[MM_PAGES], pgste[MM_PAGES];
	uint8_t key[MM_PAGES];
	size_t table_bytes;
	long live;
};

struct mm_fz;

/* A notifier, and whether the model has it registered. */
struct nb {
	struct gmap_mm_notifier n;
	struct mm_fz *m;
	bool registered;
};

/* One run: the backend, the mm and the model. */
struct mm_fz {
	struct alloc_hook hook;
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	bool strict, esop;
	struct page pg[MM_PAGES];
	struct nb nb[2];
	uint8_t *frames;
};


/* Host address of page @i. */
static inline uint64_t haddr(unsigned int i)
{
	return MM_BASE + (uint64_t)i * PG;
}

static inline bool has_pgste(const struct mm_fz *m)
{
	return gmap_mm_has_pgste(m->mm);
}

/**
 * mm_notify() - the notifiers' callback: checks the range it is given.
 * @mm: the mm
 * @start: first host address
 * @end: end of the range
 * @priv: the struct nb
 */
void mm_notify(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv);

/**
 * take_snap() - read what the API shows of every page.
 * @m: the run
 * @s: out: the snapshot
 */
void take_snap(struct mm_fz *m, struct snap *s);

/**
 * check_rc() - check an operation's return code.
 * @m: the run
 * @before: the snapshot taken before the operation
 * @op: its name, for the failure report
 * @rc: what it returned
 * @want: the model's errno, or 0 when it expects success
 * @max_ok: the highest success value documented
 *
 * -ENOMEM is accepted once the armed allocation failed; every failure
 * must leave the snapshot unchanged.
 *
 * Return: true when the call succeeded.
 */
bool check_rc(struct mm_fz *m, const struct snap *before, const char *op, long rc, long want,
	      long max_ok);

/**
 * check_page() - the model of page @i against the API and CPU 0.
 * @m: the run
 * @s: a snapshot taken after the last operation (and deferred purge)
 * @i: the page
 */
void check_page(struct mm_fz *m, const struct snap *s, unsigned int i);

#endif /* GMAP_FUZZ_MM_H */
