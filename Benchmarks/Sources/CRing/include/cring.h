// A minimal single-producer, single-consumer byte ring in C, the reference
// the benchmarks hold our ring against: each index on a cache line of its
// own, each side caching the other's index, acquire/release atomics, at most
// two memcpy per call.
#ifndef CRING_H
#define CRING_H

#include <stddef.h>

/// An opaque ring; make it with cring_create, free it with cring_free.
typedef struct cring cring_t;

/// A ring of `bytes` bytes, rounded up to a power of two; NULL if out of memory.
cring_t *cring_create(size_t bytes);
/// Frees a ring made by cring_create.
void cring_free(cring_t *ring);
/// Producer: copies up to `bytes` bytes from `source`; returns the bytes written.
size_t cring_write(cring_t *ring, const void *source, size_t bytes);
/// Consumer: copies up to `bytes` bytes into `target`; returns the bytes read.
size_t cring_read(cring_t *ring, void *target, size_t bytes);

#endif
