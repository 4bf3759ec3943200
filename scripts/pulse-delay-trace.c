/* An LD_PRELOAD shim that shows why PortAudio's ALSA host API stops a duplex
 * stream on the `pulse` PCM: it reports every failing snd_pcm_delay (with
 * the PCM's state) and every failing pa_stream_get_latency (with
 * PulseAudio's error text) on stderr, then returns what the real call
 * returned. Nothing else changes.
 *
 *   cc -O2 -shared -fPIC -o pulse-delay-trace.so scripts/pulse-delay-trace.c -ldl -lasound -l:libpulse.so.0
 *   LD_PRELOAD=./pulse-delay-trace.so PROBE_RATE=22050 portaudio-probe pulse 2 0.1 0
 *
 * libpulse's headers are not needed: the two declarations below are its ABI.
 */
#define _GNU_SOURCE
#include <alsa/asoundlib.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

typedef struct pa_stream pa_stream;
typedef uint64_t pa_usec_t;
const char *pa_strerror(int error);

int snd_pcm_delay(snd_pcm_t *pcm, snd_pcm_sframes_t *delay) {
    static int (*next)(snd_pcm_t *, snd_pcm_sframes_t *);
    if (!next) next = (int (*)(snd_pcm_t *, snd_pcm_sframes_t *))dlsym(RTLD_NEXT, "snd_pcm_delay");
    snd_pcm_state_t before = snd_pcm_state(pcm);
    int result = next(pcm, delay);
    if (result < 0)
        fprintf(stderr, "trace: snd_pcm_delay(%s, %s) = %d (%s); state %s\n", snd_pcm_name(pcm),
                snd_pcm_stream(pcm) == SND_PCM_STREAM_PLAYBACK ? "playback" : "capture", result,
                snd_strerror(result), snd_pcm_state_name(before));
    return result;
}

int pa_stream_get_latency(pa_stream *stream, pa_usec_t *latency, int *negative) {
    static int (*next)(pa_stream *, pa_usec_t *, int *);
    if (!next) next = (int (*)(pa_stream *, pa_usec_t *, int *))dlsym(RTLD_NEXT, "pa_stream_get_latency");
    int result = next(stream, latency, negative);
    if (result != 0)
        fprintf(stderr, "trace: pa_stream_get_latency = %d (%s)\n", result, pa_strerror(-result));
    return result;
}
