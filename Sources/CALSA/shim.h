#ifndef AUDIOHAL_CALSA_SHIM_H
#define AUDIOHAL_CALSA_SHIM_H

#include <alsa/asoundlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <time.h>

/* alsa-lib reports problems through a variadic handler (snd_lib_error) that
 * prints to stderr by default. Swift cannot write a C-variadic function, so
 * the handler lives here: it formats the message into a per-thread buffer the
 * backend reads back after a failing call, and counts messages, so nothing is
 * ever printed to the program's stderr.
 *
 * The storage is function-local static data of static inline functions, which
 * Swift emits into each object file that calls them: call every CALSA_ message
 * helper from one Swift source file (ALSAError.swift) so there is one copy. */

static inline char *CALSA_messageBuffer(void) {
    static __thread char buffer[512];
    return buffer;
}

static inline unsigned long *CALSA_messageCounter(void) {
    static unsigned long counter;
    return &counter;
}

static void CALSA_errorHandler(const char *file, int line, const char *function, int err, const char *fmt, ...) {
    (void)file; (void)line;
    char text[400];
    va_list args;
    va_start(args, fmt);
    vsnprintf(text, sizeof text, fmt, args);
    va_end(args);
    if (err != 0) {
        snprintf(CALSA_messageBuffer(), 512, "%s: %s (%s)", function ? function : "alsa-lib", text, snd_strerror(err));
    } else {
        snprintf(CALSA_messageBuffer(), 512, "%s: %s", function ? function : "alsa-lib", text);
    }
    __atomic_add_fetch(CALSA_messageCounter(), 1, __ATOMIC_RELAXED);
}

/// Routes alsa-lib's error messages to the per-thread buffer instead of stderr.
static inline int CALSA_installErrorHandler(void) {
    return snd_lib_error_set_handler(CALSA_errorHandler);
}

/// Restores alsa-lib's default handler, which prints to stderr (for tests).
static inline int CALSA_restoreDefaultErrorHandler(void) {
    return snd_lib_error_set_handler(NULL);
}

/// The last message alsa-lib reported on the calling thread ("" if none).
static inline const char *CALSA_lastErrorMessage(void) {
    return CALSA_messageBuffer();
}

/// Forgets the calling thread's last message.
static inline void CALSA_clearLastErrorMessage(void) {
    CALSA_messageBuffer()[0] = 0;
}

/// How many messages alsa-lib reported since the handler was installed.
static inline unsigned long CALSA_errorMessageCount(void) {
    return __atomic_load_n(CALSA_messageCounter(), __ATOMIC_RELAXED);
}

/// Sends one message through alsa-lib's current handler, as alsa-lib itself would (for tests).
static inline void CALSA_reportForTesting(const char *text, int err) {
    snd_lib_error(__FILE__, __LINE__, "CALSA_reportForTesting", err, "%s", text);
}

/// Seconds of a timestamp as a double.
static inline double CALSA_timestampSeconds(const snd_htimestamp_t *stamp) {
    return (double)stamp->tv_sec + (double)stamp->tv_nsec * 1e-9;
}

/// The trigger and status timestamps of a status, in seconds (0 when unset).
static inline void CALSA_statusTimes(const snd_pcm_status_t *status, double *trigger, double *now) {
    snd_htimestamp_t t1, t2;
    snd_pcm_status_get_trigger_htstamp(status, &t1);
    snd_pcm_status_get_htstamp(status, &t2);
    *trigger = CALSA_timestampSeconds(&t1);
    *now = CALSA_timestampSeconds(&t2);
}

/// Seconds on CLOCK_MONOTONIC (a plain C call the real-time checker accepts).
static inline double CALSA_monotonicSeconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

/// A status's timestamp (seconds, 0 when unset) and the delay at that moment (frames).
static inline void CALSA_statusStampAndDelay(const snd_pcm_status_t *status, double *stamp, long *delay) {
    snd_htimestamp_t t;
    snd_pcm_status_get_htstamp(status, &t);
    *stamp = CALSA_timestampSeconds(&t);
    *delay = (long)snd_pcm_status_get_delay(status);
}

/// A non-blocking, close-on-exec eventfd (wakes the audio thread's poll for a stop).
static inline int CALSA_makeWakeDescriptor(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

#endif
