#ifndef AUDIOHAL_CPORTAUDIO_SHIM_H
#define AUDIOHAL_CPORTAUDIO_SHIM_H

// PortAudio's API and its ALSA host API extensions (real-time scheduling of
// the callback thread).
#include <portaudio.h>
#include <pa_linux_alsa.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* PortAudio (PaUtil_DebugPrint, whose log handler Debian's build does not
 * export) and alsa-lib's default error handler print with stdio on `stderr`,
 * from whatever thread hit the problem, including PortAudio's callback thread.
 * CPortAudio_routeLibraryMessages replaces the process's `stderr` FILE by one
 * whose writes are sorted line by line, in the writing thread: a line that
 * begins as those libraries' messages begin goes into a non-blocking pipe
 * (read by the backend's message thread, which logs it); every other byte is
 * written to file descriptor 2 at once, as before. Nothing here allocates or
 * takes a lock of ours; a message that finds the pipe full is dropped and
 * counted.
 *
 * The state is function-local static data of static inline functions, which
 * Swift emits into each object file that calls them: call every
 * CPortAudio_ message helper from one Swift file (LibraryMessages.swift). */

struct CPortAudio_messageRoute {
    int pipeRead;
    int pipeWrite;
    int atLineStart;
    int inLibraryLine;
    unsigned long dropped;
};

static inline struct CPortAudio_messageRoute *CPortAudio_route(void) {
    static struct CPortAudio_messageRoute route = { -1, -1, 1, 0, 0 };
    return &route;
}

/// Whether `text` (of `size` bytes) begins as a line of alsa-lib's or PortAudio's does.
static inline int CPortAudio_isLibraryLine(const char *text, size_t size) {
    static const char *const starts[] = {
        "ALSA lib ",                  /* alsa-lib's default error handler */
        "Expression '",               /* PortAudio's PA_ENSURE / PA_UNLESS */
        "Cannot connect to server",   /* libjack, probing */
        "jack server is not running", /* libjack, probing */
        "JackShmReadWritePtr",        /* libjack, probing */
    };
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        size_t length = strlen(starts[i]);
        if (size >= length && memcmp(text, starts[i], length) == 0) return 1;
    }
    return 0;
}

static inline void CPortAudio_writeAll(int fd, const char *text, size_t size) {
    while (size > 0) {
        ssize_t done = write(fd, text, size);
        if (done < 0 && errno == EINTR) continue;
        if (done <= 0) return;
        text += done;
        size -= (size_t)done;
    }
}

static ssize_t CPortAudio_stderrWrite(void *cookie, const char *text, size_t size) {
    struct CPortAudio_messageRoute *route = cookie;
    size_t at = 0;
    while (at < size) {
        if (route->atLineStart) route->inLibraryLine = CPortAudio_isLibraryLine(text + at, size - at);
        const char *newline = memchr(text + at, '\n', size - at);
        size_t piece = newline ? (size_t)(newline - (text + at)) + 1 : size - at;
        if (route->inLibraryLine) {
            ssize_t done = write(route->pipeWrite, text + at, piece);
            if (done != (ssize_t)piece) __atomic_add_fetch(&route->dropped, 1, __ATOMIC_RELAXED);
        } else {
            CPortAudio_writeAll(STDERR_FILENO, text + at, piece);
        }
        route->atLineStart = newline != NULL;
        at += piece;
    }
    return (ssize_t)size;
}

/* glibc's cookie_io_functions_t, declared here because the C library's module
 * is built without _GNU_SOURCE; fopencookie is looked up at run time. */
typedef struct {
    ssize_t (*read)(void *, char *, size_t);
    ssize_t (*write)(void *, const char *, size_t);
    int (*seek)(void *, off_t *, int);
    int (*close)(void *);
} CPortAudio_cookieFunctions;

/// Replaces `stderr` as described above (once per process; later calls do
/// nothing). Returns the pipe's read end, or -1 when it could not be set up
/// (then `stderr` is left alone).
static inline int CPortAudio_routeLibraryMessages(void) {
    struct CPortAudio_messageRoute *route = CPortAudio_route();
    if (route->pipeRead >= 0) return route->pipeRead;
    typedef FILE *(*Opener)(void *, const char *, CPortAudio_cookieFunctions);
    Opener open = (Opener)dlsym(RTLD_DEFAULT, "fopencookie");
    int ends[2];
    if (open == NULL || pipe2(ends, O_CLOEXEC) != 0) return -1;
    fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK);
    CPortAudio_cookieFunctions functions = { NULL, CPortAudio_stderrWrite, NULL, NULL };
    FILE *file = open(route, "w", functions);
    if (file == NULL) {
        close(ends[0]);
        close(ends[1]);
        return -1;
    }
    setvbuf(file, NULL, _IONBF, 0);
    route->pipeRead = ends[0];
    route->pipeWrite = ends[1];
    fflush(stderr);
    stderr = file;
    return route->pipeRead;
}

/// Messages dropped because the pipe was full.
static inline unsigned long CPortAudio_droppedLibraryMessages(void) {
    return __atomic_load_n(&CPortAudio_route()->dropped, __ATOMIC_RELAXED);
}

#endif
