/* SPDX-License-Identifier: MIT */
/*
 * Freestanding build: the error numbers libgmap returns, with Linux's
 * values, in place of libc's <errno.h> (there is no errno variable).
 */
#ifndef GMAP_FREESTANDING_ERRNO_H
#define GMAP_FREESTANDING_ERRNO_H

#define EPERM		1
#define ENOENT		2
#define EAGAIN		11
#define ENOMEM		12
#define EFAULT		14
#define EBUSY		16
#define EEXIST		17
#define EINVAL		22
#define ENOSPC		28
#define ERANGE		34
#define EOPNOTSUPP	95

#endif /* GMAP_FREESTANDING_ERRNO_H */
