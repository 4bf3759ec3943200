#ifndef AUDIOHAL_CALL_COUNTING_H
#define AUDIOHAL_CALL_COUNTING_H

/* Counts calls the tests need to see from outside the code under test, by
 * defining the functions themselves: the executable's definition takes
 * precedence over the shared library's for every library linked with it,
 * and forwards to the library's (found with dlsym RTLD_NEXT).
 *
 * poll(): the calls that wait on chosen descriptors (a PCM's), wherever they
 * are made, in AudioHAL's driver or inside alsa-lib (snd_pcm_wait), to tell
 * a thread that sleeps until a period is ready from one that spins.
 * snd_pcm_open(): how many PCMs the backend opens to answer a question, per thread. */

/// Starts counting polls that include `fd` (up to 8 descriptors watched at once).
void CallCounting_watch(int fd);
/// Stops watching every descriptor and sets both counts to zero.
void CallCounting_reset(void);
/// Polls that included a watched descriptor since the last reset.
long CallCounting_calls(void);
/// Of those, the ones that returned at once with a descriptor ready (no sleep in between).
long CallCounting_immediateReady(void);

/// snd_pcm_open calls made by the calling thread since it last called CallCounting_resetOpens.
long CallCounting_pcmOpens(void);
/// Sets the calling thread's snd_pcm_open count to zero.
void CallCounting_resetOpens(void);

#endif
