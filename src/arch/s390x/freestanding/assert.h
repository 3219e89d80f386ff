/* SPDX-License-Identifier: MIT */
/*
 * Freestanding build: C11 static_assert; run-time assert() compiles to
 * nothing, as with NDEBUG (there is no abort() to call).
 */
#ifndef GMAP_FREESTANDING_ASSERT_H
#define GMAP_FREESTANDING_ASSERT_H

#define static_assert _Static_assert
#define assert(expr) ((void)0)

#endif /* GMAP_FREESTANDING_ASSERT_H */
