#define _GNU_SOURCE
#include <sys/mman.h>
#include "CBuffers.h"

const unsigned int cbuffers_MFD_CLOEXEC = MFD_CLOEXEC;

int cbuffers_memfd_create(const char *name, unsigned int flags) {
    return memfd_create(name, flags);
}
