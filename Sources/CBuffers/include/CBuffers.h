#ifndef CBUFFERS_H
#define CBUFFERS_H

// System calls the Buffers module needs that Swift's Glibc module does not
// import: they are declared only under _GNU_SOURCE.

/// Creates an anonymous memory file. The corresponding C function is `memfd_create`.
int cbuffers_memfd_create(const char *name, unsigned int flags);

/// The `MFD_CLOEXEC` flag of `memfd_create`.
extern const unsigned int cbuffers_MFD_CLOEXEC;

#endif
