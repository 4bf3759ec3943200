#define _GNU_SOURCE
#include "CallCounting.h"

#include <dlfcn.h>
#include <poll.h>
#include <time.h>

enum { maximumWatched = 8 };

static int watched[maximumWatched];
static int watchedCount;
static long calls;
static long immediateReady;

typedef int (*PollFunction)(struct pollfd *, nfds_t, int);

static PollFunction realPoll(void) {
    static PollFunction function;
    PollFunction found = __atomic_load_n(&function, __ATOMIC_ACQUIRE);
    if (!found) {
        found = (PollFunction)dlsym(RTLD_NEXT, "poll");
        __atomic_store_n(&function, found, __ATOMIC_RELEASE);
    }
    return found;
}

static int watches(const struct pollfd *fds, nfds_t count) {
    int total = __atomic_load_n(&watchedCount, __ATOMIC_ACQUIRE);
    for (nfds_t index = 0; index < count; index++) {
        for (int slot = 0; slot < total; slot++) {
            if (fds[index].fd == __atomic_load_n(&watched[slot], __ATOMIC_RELAXED)) return 1;
        }
    }
    return 0;
}

static double seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

int poll(struct pollfd *fds, nfds_t count, int timeout) {
    if (!watches(fds, count)) return realPoll()(fds, count, timeout);
    double before = seconds();
    int ready = realPoll()(fds, count, timeout);
    __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
    // Under 50 µs: the kernel did not put the thread to sleep waiting for the device.
    if (ready > 0 && seconds() - before < 50e-6) __atomic_add_fetch(&immediateReady, 1, __ATOMIC_RELAXED);
    return ready;
}

void CallCounting_watch(int fd) {
    int slot = __atomic_load_n(&watchedCount, __ATOMIC_ACQUIRE);
    if (slot >= maximumWatched) return;
    __atomic_store_n(&watched[slot], fd, __ATOMIC_RELAXED);
    __atomic_store_n(&watchedCount, slot + 1, __ATOMIC_RELEASE);
}

void CallCounting_reset(void) {
    __atomic_store_n(&watchedCount, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&calls, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&immediateReady, 0, __ATOMIC_RELAXED);
}

long CallCounting_calls(void) { return __atomic_load_n(&calls, __ATOMIC_RELAXED); }

/* Per thread: tests of other suites open PCMs at the same time in this process. */
static __thread long pcmOpens;

typedef int (*PCMOpenFunction)(void **, const char *, int, int);

/* Declared here with plain types so this file needs no ALSA headers; the ABI is alsa-lib's. */
int snd_pcm_open(void **pcm, const char *name, int stream, int mode) {
    static PCMOpenFunction function;
    PCMOpenFunction found = __atomic_load_n(&function, __ATOMIC_ACQUIRE);
    if (!found) {
        found = (PCMOpenFunction)dlsym(RTLD_NEXT, "snd_pcm_open");
        __atomic_store_n(&function, found, __ATOMIC_RELEASE);
    }
    pcmOpens += 1;
    return found(pcm, name, stream, mode);
}

long CallCounting_pcmOpens(void) { return pcmOpens; }

void CallCounting_resetOpens(void) { pcmOpens = 0; }

long CallCounting_immediateReady(void) { return __atomic_load_n(&immediateReady, __ATOMIC_RELAXED); }
