#ifndef AUDIOHAL_POLL_COUNTING_H
#define AUDIOHAL_POLL_COUNTING_H

/* Counts the process's poll() calls that wait on chosen descriptors (a PCM's
 * poll descriptors), wherever they are made: in AudioHAL's driver or inside
 * alsa-lib (snd_pcm_wait). This file defines poll() itself; the executable's
 * definition takes precedence over libc's for every library linked with it,
 * and forwards to libc's. Tests use it to tell a thread that sleeps until a
 * period is ready from one that spins through poll calls that return at once. */

/// Starts counting polls that include `fd` (up to 8 descriptors watched at once).
void PollCounting_watch(int fd);
/// Stops watching every descriptor and sets both counts to zero.
void PollCounting_reset(void);
/// Polls that included a watched descriptor since the last reset.
long PollCounting_calls(void);
/// Of those, the ones that returned at once with a descriptor ready (no sleep in between).
long PollCounting_immediateReady(void);

#endif
