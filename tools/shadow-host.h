/* SPDX-License-Identifier: MIT */
/*
 * gmaptool - a host that runs a dump's guest as guest 1: the dump's
 * storage copied into host memory, mapped into an mm with PGSTEs and into
 * a parent gmap as guest-1 absolute storage, so that libgmap can shadow
 * the guest's own DAT tables (gmaptool check --shadow, gmaptool replay).
 *
 * The copy is 1 MB aligned and each byte of it is mapped at the host
 * address that equals its own address: host virtual (the mm's address),
 * host real (the soft backend's frame address) and the pointer to the
 * byte are one number, so a shadow's host address converts back to a
 * guest-1 absolute address by a subtraction.
 */
#ifndef GMAPTOOL_SHADOW_HOST_H
#define GMAPTOOL_SHADOW_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include <libgmap/libgmap.h>

#include "dump.h"

/* Backend CPU the parent gmap runs on (guest access through it). */
#define SHADOW_HOST_PARENT_CPU	0

/**
 * struct shadow_host - the host of one dump's guest.
 * @arch: the soft backend
 * @mm: the host mm (PGSTEs, five levels: any host address)
 * @parent: the gmap of guest 1, enabled on SHADOW_HOST_PARENT_CPU
 * @store: guest-1 absolute address 0 (1 MB aligned)
 * @size: bytes of guest-1 storage from @store (a multiple of 1 MB)
 * @map: the anonymous mapping that holds @store
 * @map_len: its length
 * @facilities: GMAP_FAC_* of the backend (and of guest 1's tables)
 * @edat_level: the EDAT level shadows get: 2, 1 or 0 as @facilities has
 *	EDAT-2, EDAT-1 or neither
 * @g1mem: guest-1 storage as the walker reads it: every entry read through
 *	the parent (gmap_translate()), so a write through the parent shows
 * @shadow_mem: the backend's own tables: shadow tables as the walker
 *	reads them
 */
struct shadow_host {
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	struct gmap *parent;
	unsigned char *store;
	uint64_t size;
	void *map;
	size_t map_len;
	uint32_t facilities;
	int edat_level;
	struct gmap_dat_mem g1mem;
	struct gmap_dat_mem shadow_mem;
};

/**
 * struct shadow_host_opts - how to set a host up.
 * @facilities: GMAP_FAC_* for the backend (the guest's)
 * @large: back guest 1 with 1 MB host frames (GMAP_MM_MAP_LARGE)
 * @ncpus: backend CPUs (1 to GMAP_ARCH_MAX_CPUS)
 * @strict: strict TLB mode of the soft backend
 */
struct shadow_host_opts {
	uint32_t facilities;
	bool large;
	unsigned int ncpus;
	bool strict;
};

/**
 * shadow_host_up() - copy a dump's storage and map it as guest 1.
 * @dump: the dump; not needed after the call
 * @opts: the backend and mapping options
 * @h: out: the host
 *
 * Every range of the dump, widened to whole megabytes, is copied (only the
 * 4 KB pages that are not zero are written, so memory follows what the
 * dump holds), mapped into the mm over the copy as caller frames, read and
 * write, and into the parent at its absolute address.
 *
 * Context: allocates; prints a message to stderr on failure.
 * Return: 0; -EINVAL for options the backend refuses (e.g. @large without
 * EDAT-1); -ENOMEM; another negative errno from libgmap.
 */
int shadow_host_up(struct gmap_dump *dump, const struct shadow_host_opts *opts,
		   struct shadow_host *h);

/**
 * shadow_host_down() - remove the parent (and its shadows) and free all.
 * @h: the host; shadows must have been put by their users
 */
void shadow_host_down(struct shadow_host *h);

/**
 * shadow_host_gaddr() - the guest-1 absolute address of a host address.
 * @h: the host
 * @haddr: a host address (real, virtual: they are equal here)
 * @gaddr: out: the guest-1 absolute address
 *
 * Return: 0; -EFAULT when @haddr is not in guest-1 storage.
 */
int shadow_host_gaddr(const struct shadow_host *h, uint64_t haddr, uint64_t *gaddr);

/**
 * shadow_host_get() - gmap_shadow_get(), called again while it says
 * -EAGAIN.
 * @h: the host
 * @asce: the guest-1 ASCE
 * @sg: out: the shadow (one reference)
 *
 * Return: as gmap_shadow_get(); -EAGAIN when it kept failing so.
 */
int shadow_host_get(struct shadow_host *h, uint64_t asce, struct gmap **sg);

/**
 * shadow_host_fault() - gmap_shadow_fault(), called again while it says
 * -EAGAIN.
 * @sg: the shadow
 * @vaddr: the guest-2 address
 * @access: enum gmap_dat_access
 * @res: out: the fault's result
 *
 * Return: as gmap_shadow_fault() (-ESTALE: get the shadow anew); -EAGAIN
 * when it kept failing so.
 */
int shadow_host_fault(struct gmap *sg, uint64_t vaddr, enum gmap_dat_access access,
		      struct gmap_dat_result *res);

/**
 * shadow_host_resolve() - translate a guest-2 address through a shadow's
 * own tables, two ways.
 * @h: the host
 * @sg: the shadow
 * @vaddr: the guest-2 address
 * @res: out: the fetch walk of the shadow tables (gmap_dat_translate()
 *	over @h->shadow_mem with gmap_asce(@sg)); on 0, @res->addr is the
 *	guest-1 absolute address of the byte and @res->prot tells whether
 *	the shadow tables protect it
 *
 * The walk and gmap_translate(@sg) must agree on whether and where the
 * address translates.
 *
 * Return: 0 when both translate it to the same address in guest-1
 * storage; -EFAULT when neither translates it; -EPROTO when they
 * disagree or the address is not in guest-1 storage.
 */
int shadow_host_resolve(struct shadow_host *h, struct gmap *sg, uint64_t vaddr,
			struct gmap_dat_result *res);

/**
 * shadow_host_guest1() - what guest 1's tables say for a guest-2 address,
 * as a shadow fault should see them.
 * @h: the host
 * @asce: the guest-1 ASCE
 * @vaddr: the guest-2 address
 * @res: out: gmap_dat_translate() over @h->g1mem: a fetch, primary space,
 *	prefix 0, the host's facilities
 * @path: out: the entries read
 */
void shadow_host_guest1(const struct shadow_host *h, uint64_t asce, uint64_t vaddr,
			struct gmap_dat_result *res, struct gmap_dat_path *path);

#endif /* GMAPTOOL_SHADOW_HOST_H */
