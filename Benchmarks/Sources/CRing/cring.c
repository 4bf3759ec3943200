#include "cring.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define LINE 64

struct cring {
    alignas(LINE) _Atomic size_t write; // producer's position, published
    alignas(LINE) size_t read_seen;     // producer's copy of `read`
    alignas(LINE) _Atomic size_t read;  // consumer's position, published
    alignas(LINE) size_t write_seen;    // consumer's copy of `write`
    alignas(LINE) char *data;           // read-only after creation
    size_t size;
    size_t mask;
};

cring_t *cring_create(size_t bytes) {
    size_t size = 1;
    while (size < bytes) size <<= 1;
    cring_t *ring = aligned_alloc(LINE, sizeof(cring_t));
    if (ring == NULL) return NULL;
    memset(ring, 0, sizeof *ring);
    ring->data = aligned_alloc(LINE, size);
    if (ring->data == NULL) { free(ring); return NULL; }
    ring->size = size;
    ring->mask = size - 1;
    return ring;
}

void cring_free(cring_t *ring) {
    free(ring->data);
    free(ring);
}

size_t cring_write(cring_t *ring, const void *source, size_t bytes) {
    size_t w = atomic_load_explicit(&ring->write, memory_order_relaxed);
    size_t room = ring->size - (w - ring->read_seen);
    if (room < bytes) {
        ring->read_seen = atomic_load_explicit(&ring->read, memory_order_acquire);
        room = ring->size - (w - ring->read_seen);
    }
    size_t n = bytes < room ? bytes : room;
    if (n == 0) return 0;
    size_t offset = w & ring->mask;
    size_t first = ring->size - offset < n ? ring->size - offset : n;
    memcpy(ring->data + offset, source, first);
    if (n > first) memcpy(ring->data, (const char *)source + first, n - first);
    atomic_store_explicit(&ring->write, w + n, memory_order_release);
    return n;
}

size_t cring_read(cring_t *ring, void *target, size_t bytes) {
    size_t r = atomic_load_explicit(&ring->read, memory_order_relaxed);
    size_t filled = ring->write_seen - r;
    if (filled < bytes) {
        ring->write_seen = atomic_load_explicit(&ring->write, memory_order_acquire);
        filled = ring->write_seen - r;
    }
    size_t n = bytes < filled ? bytes : filled;
    if (n == 0) return 0;
    size_t offset = r & ring->mask;
    size_t first = ring->size - offset < n ? ring->size - offset : n;
    memcpy(target, ring->data + offset, first);
    if (n > first) memcpy((char *)target + first, ring->data, n - first);
    atomic_store_explicit(&ring->read, r + n, memory_order_release);
    return n;
}
