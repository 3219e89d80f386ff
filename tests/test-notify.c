// SPDX-License-Identifier: MIT
/*
 * The notify suite's entry point, and the API's contract: registering and
 * unregistering notifiers (which waits for calls in progress), and every
 * argument and failure gmap_mprotect_notify() refuses (-EINVAL, -EFAULT,
 * -ENOMEM) with the state it leaves.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "test-notify.h"

/* Snapshot of what mprotect_notify may change for a page: pte, PGSTE and
 * the gmap's segment entry. */
struct page_state {
	uint64_t pte, pgste, seg;
};

static struct page_state state_of(struct fx *f, uint64_t g)
{
	return (struct page_state){ pte_of(f, g), pgste_of(f, g), seg_of(f, g) };
}

static void assert_state(struct fx *f, uint64_t g, struct page_state s)
{
	assert_int_equal(pte_of(f, g), s.pte);
	assert_int_equal(pgste_of(f, g), s.pgste);
	assert_int_equal(seg_of(f, g), s.seg);
}

static void register_and_unregister_errors(void **state)
{
	struct fx *f = *state;
	struct gmap_notifier none = { .notifier_call = NULL };
	struct rec other;

	rec_init(&other);
	assert_int_equal(gmap_notifier_register(NULL, &other.nb), -EINVAL);
	assert_int_equal(gmap_notifier_register(f->gmap, NULL), -EINVAL);
	assert_int_equal(gmap_notifier_register(f->gmap, &none), -EINVAL);
	assert_int_equal(gmap_notifier_register(f->gmap, &f->rec.nb), -EEXIST);
	assert_int_equal(gmap_notifier_unregister(f->gmap, &other.nb), -ENOENT);
	assert_int_equal(gmap_notifier_unregister(f->gmap, NULL), -ENOENT);
	assert_int_equal(gmap_notifier_unregister(NULL, &f->rec.nb), -ENOENT);
	assert_int_equal(gmap_notifier_register(f->gmap, &other.nb), 0);
	assert_int_equal(gmap_notifier_unregister(f->gmap, &f->rec.nb), 0);
	assert_int_equal(gmap_notifier_unregister(f->gmap, &f->rec.nb), -ENOENT);
	assert_null(f->rec.nb.next);
	assert_int_equal(gmap_notifier_unregister(f->gmap, &other.nb), 0);
	assert_int_equal(gmap_notifier_register(f->gmap, &f->rec.nb), 0);
}

/* Every registered notifier gets each call; an unregistered one none. */
static void every_notifier_called_until_unregistered(void **state)
{
	struct fx *f = *state;
	uint64_t g = GBASE + 7 * PG;
	struct rec other;

	rec_init(&other);
	assert_int_equal(gmap_notifier_register(f->gmap, &other.nb), 0);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, RW), 0);
	assert_int_equal(gmap_mm_zap(f->mm, hva(g), PG), 0);
	assert_int_equal(f->rec.n, 1);
	expect_call(&f->rec, 0, f->gmap, g, PG);
	assert_int_equal(other.n, 1);
	expect_call(&other, 0, f->gmap, g, PG);

	assert_int_equal(gmap_notifier_unregister(f->gmap, &other.nb), 0);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, RW), 0);
	assert_int_equal(gmap_mm_zap(f->mm, hva(g), PG), 0);
	assert_int_equal(f->rec.n, 2);
	expect_call(&f->rec, 1, f->gmap, g, PG);
	assert_int_equal(other.n, 1);

	assert_int_equal(gmap_notifier_unregister(f->gmap, &f->rec.nb), 0);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, RW), 0);
	assert_int_equal(gmap_mm_zap(f->mm, hva(g), PG), 0);
	assert_int_equal(f->rec.n, 2);
	assert_int_equal(gmap_notifier_register(f->gmap, &f->rec.nb), 0);
}

/* A notifier that blocks inside its call until released. */
struct blocker {
	struct gmap_notifier nb;
	int entered;
	int release;
};

static void block(struct gmap *gmap, uint64_t start, uint64_t end, void *priv)
{
	struct blocker *b = priv;

	(void)gmap;
	(void)start;
	(void)end;
	__atomic_store_n(&b->entered, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&b->release, __ATOMIC_SEQ_CST))
		sched_yield();
}

struct unregister_job {
	struct fx *f;
	struct gmap_notifier *nb;
	int rc;
	int done;
};

struct zap_job {
	struct fx *f;
	int rc;
};

/* CMocka's asserts belong to the main thread: jobs return their result. */
static void *zap_page(void *priv)
{
	struct zap_job *z = priv;

	z->rc = gmap_mm_zap(z->f->mm, hva(GBASE), PG);
	return NULL;
}

static void *unregister_job(void *priv)
{
	struct unregister_job *u = priv;

	u->rc = gmap_notifier_unregister(u->f->gmap, u->nb);
	__atomic_store_n(&u->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* gmap_notifier_unregister() returns only after a call that may still
 * use the notifier has returned. */
static void unregister_waits_for_running_calls(void **state)
{
	struct fx *f = *state;
	struct blocker b = { .nb = { .notifier_call = block } };
	struct unregister_job u = { .f = f, .nb = &b.nb };
	struct zap_job z = { .f = f, .rc = 1 };
	const struct timespec pause = { .tv_nsec = 50 * 1000 * 1000 };
	pthread_t zapper, unregisterer;
	int early;

	b.nb.priv = &b;
	assert_int_equal(gmap_notifier_register(f->gmap, &b.nb), 0);
	assert_int_equal(gmap_mprotect_notify(f->gmap, GBASE, PG, RW), 0);
	assert_int_equal(pthread_create(&zapper, NULL, zap_page, &z), 0);
	while (!__atomic_load_n(&b.entered, __ATOMIC_SEQ_CST))
		sched_yield();
	assert_int_equal(pthread_create(&unregisterer, NULL, unregister_job, &u), 0);
	nanosleep(&pause, NULL);
	early = __atomic_load_n(&u.done, __ATOMIC_SEQ_CST);
	__atomic_store_n(&b.release, 1, __ATOMIC_SEQ_CST);
	assert_int_equal(pthread_join(unregisterer, NULL), 0);
	assert_int_equal(pthread_join(zapper, NULL), 0);
	assert_false(early);
	assert_int_equal(u.rc, 0);
	assert_int_equal(z.rc, 0);
	assert_int_equal(f->rec.n, 1);
	expect_call(&f->rec, 0, f->gmap, GBASE, PG);
}

static void mprotect_notify_bad_arguments_change_nothing(void **state)
{
	struct fx *f = *state;
	uint64_t g = GBASE + SEG;
	struct page_state s0, s1;
	uint64_t top = UINT64_MAX & ~(PG - 1);

	assert_int_equal(guest_access(f, g, GMAP_DAT_STORE), 1);
	assert_int_equal(guest_access(f, g + PG, GMAP_DAT_FETCH), 1);
	s0 = state_of(f, g);
	s1 = state_of(f, g + PG);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g + 8, PG, RW), -EINVAL);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG + 8, GMAP_MM_PROT_READ), -EINVAL);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, 0, GMAP_MM_PROT_NONE), -EINVAL);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, 4), -EINVAL);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, 2 * PG, RW | 8), -EINVAL);
	/* Beyond the limit, and wrapping around the address space. */
	assert_int_equal(gmap_mprotect_notify(f->gmap, GLIMIT + 1 - PG, 2 * PG, RW), -EINVAL);
	assert_int_equal(gmap_mprotect_notify(f->gmap, GLIMIT + 1, PG, RW), -EINVAL);
	assert_int_equal(gmap_mprotect_notify(f->gmap, top, 2 * PG, RW), -EINVAL);
	assert_state(f, g, s0);
	assert_state(f, g + PG, s1);
	assert_int_equal(f->rec.n, 0);
	/* The same range with good arguments does change it. */
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, 2 * PG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(pgste_of(f, g), s0.pgste | GMAP_PGSTE_IN);
	assert_int_equal(pgste_of(f, g + PG), s1.pgste | GMAP_PGSTE_IN);
}

/* Without ESOP a writable pte is made dirty up front, so READ is refused
 * (as the kernel does); NONE and WRITE still work. */
static void prot_read_needs_esop(void **state)
{
	struct fx *f = *state;
	uint64_t g = GBASE + 2 * SEG;
	struct page_state s;

	assert_int_equal(guest_access(f, g, GMAP_DAT_STORE), 1);
	s = state_of(f, g);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, GMAP_MM_PROT_READ), -EINVAL);
	assert_state(f, g, s);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, RW), 0);
	assert_int_equal(pte_of(f, g), s.pte);
	assert_int_equal(pgste_of(f, g), s.pgste | GMAP_PGSTE_IN);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g + PG, PG, GMAP_MM_PROT_NONE), 0);
	assert_true(pte_of(f, g + PG) & GMAP_PTE_I);
	assert_true(pgste_of(f, g + PG) & GMAP_PGSTE_IN);
	assert_int_equal(f->rec.n, 0);
}

/* An unmapped page ends the walk with -EFAULT: pages before it stay
 * armed, pages after it are not touched. */
static void unmapped_guest_pages_fault(void **state)
{
	struct fx *f = *state;
	uint64_t end = GBASE + NSEG * SEG;

	assert_int_equal(gmap_mprotect_notify(f->gmap, GBASE - PG, 2 * PG, RW), -EFAULT);
	assert_int_equal(seg_of(f, GBASE), GMAP_SEG_EMPTY);
	assert_int_equal(gmap_mm_read_pte(f->mm, HBASE, NULL, NULL), -EFAULT);
	assert_int_equal(gmap_mprotect_notify(f->gmap, end - PG, 2 * PG, RW), -EFAULT);
	assert_int_equal(pte_of(f, end - PG), host_frame(f, end - PG) | RW_DIRTY_YOUNG);
	assert_int_equal(pgste_of(f, end - PG), GMAP_PGSTE_UC | GMAP_PGSTE_IN);
	assert_int_equal(gmap_mprotect_notify(f->gmap, 0, PG, GMAP_MM_PROT_NONE), -EFAULT);
	assert_int_equal(f->rec.n, 0);
}

/* The host refuses what the protection needs: a store to a read-only
 * mapping, any access to a PROT_NONE one. In a linked segment PROT_NONE
 * needs no access: it arms even an empty pte, as ptep_force_prot() does. */
static void host_refusal_faults(void **state)
{
	struct fx *f = *state;
	uint64_t g = GBASE + 3 * SEG, g2 = GBASE + 2 * SEG;

	assert_int_equal(gmap_mm_mprotect(f->mm, hva(g), SEG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, RW), -EFAULT);
	assert_int_equal(seg_of(f, g), GMAP_SEG_EMPTY);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(pte_of(f, g), host_frame(f, g) | RO_CLEAN_YOUNG);
	assert_int_equal(pgste_of(f, g), GMAP_PGSTE_IN);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g + PG, PG, RW), -EFAULT);
	assert_int_equal(pte_of(f, g + PG), GMAP_MM_PTE_NONE);
	assert_int_equal(pgste_of(f, g + PG), 0);
	assert_int_equal(gmap_mm_mprotect(f->mm, hva(g), SEG, GMAP_MM_PROT_NONE), 0);
	assert_int_equal(f->rec.n, 1);
	expect_call(&f->rec, 0, f->gmap, g, PG);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g + PG, PG, GMAP_MM_PROT_READ), -EFAULT);
	assert_int_equal(pgste_of(f, g + PG), 0);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g + PG, PG, GMAP_MM_PROT_NONE), 0);
	assert_int_equal(pte_of(f, g + PG), GMAP_MM_PTE_NONE);
	assert_int_equal(pgste_of(f, g + PG), GMAP_PGSTE_IN);

	assert_int_equal(gmap_mm_mprotect(f->mm, hva(g2), SEG, GMAP_MM_PROT_NONE), 0);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g2, PG, GMAP_MM_PROT_NONE), -EFAULT);
	assert_int_equal(seg_of(f, g2), GMAP_SEG_EMPTY);
	assert_int_equal(f->rec.n, 1);
}

/* Bytes allocated but for the reverse maps' radix nodes, which a failed
 * call may leave reserved (they are freed with the gmap). */
static long bytes_but_radix(struct fx *f)
{
	return f->hook.bytes - (long)(f->gmap->guest_to_host.bytes + f->gmap->host_to_guest.bytes);
}

/* Failing the Nth allocation (once, or for good) of an mprotect_notify
 * that must link a segment and fault the page in: -ENOMEM leaves no
 * memory, table, link or armed pte behind. */
static void mprotect_notify_nomem_changes_nothing(void **state)
{
	const uint64_t g = GBASE + SEG + 3 * PG;
	unsigned long n;
	int rc = -ENOMEM;

	(void)state;
	for (n = 1; rc; n++) {
		for (int for_good = 0; for_good < 2 && rc; for_good++) {
			void *st = NULL;
			struct fx *f;
			size_t gbytes, mbytes;
			long bytes;

			fx_setup(&st);
			f = st;
			bytes = bytes_but_radix(f);
			gbytes = gmap_table_bytes(f->gmap);
			mbytes = gmap_mm_table_bytes(f->mm);
			f->hook.fail_at = f->hook.calls + n;
			f->hook.for_good = for_good;
			rc = gmap_mprotect_notify(f->gmap, g, PG, GMAP_MM_PROT_READ);
			f->hook.fail_at = 0;
			if (rc) {
				assert_int_equal(rc, -ENOMEM);
				assert_int_equal(bytes_but_radix(f), bytes);
				assert_int_equal(gmap_table_bytes(f->gmap), gbytes);
				assert_int_equal(gmap_mm_table_bytes(f->mm), mbytes);
				assert_int_equal(seg_of(f, g), GMAP_SEG_EMPTY);
				assert_int_equal(gmap_mm_read_pte(f->mm, hva(g), NULL, NULL), -EFAULT);
			} else {
				assert_int_equal(pgste_of(f, g), GMAP_PGSTE_IN);
			}
			fx_teardown(&st);
		}
	}
	/* Tables, a frame and reverse-map nodes: several allocations failed. */
	assert_true(n > 3);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(register_and_unregister_errors, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(every_notifier_called_until_unregistered, fx_setup,
					fx_teardown),
	cmocka_unit_test_setup_teardown(unregister_waits_for_running_calls, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(mprotect_notify_bad_arguments_change_nothing, fx_setup,
					fx_teardown),
	cmocka_unit_test_prestate_setup_teardown(prot_read_needs_esop, fx_setup, fx_teardown,
						 (void *)&params_noesop),
	cmocka_unit_test_setup_teardown(unmapped_guest_pages_fault, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(host_refusal_faults, fx_setup, fx_teardown),
	cmocka_unit_test(mprotect_notify_nomem_changes_nothing),
};

const struct test_group notify_api_tests = { tests, sizeof(tests) / sizeof(tests[0]) };

int main(void)
{
	const struct test_group groups[] = {
		notify_api_tests, notify_prot_tests, notify_trigger_tests, notify_large_tests,
		notify_race_tests,
	};

	return test_run_groups("notify", groups, sizeof(groups) / sizeof(groups[0]));
}
