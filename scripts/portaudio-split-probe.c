/* Two PortAudio streams on one device, input-only and output-only, with
 * nothing of AudioHAL in them: what the PortAudio backend's split duplex
 * stream does on a sound server, done by PortAudio alone.
 *
 * The output stream plays a frame counter (s16 stereo: low and high 15
 * bits); the input stream, started first, checks that it comes back in order
 * (meaningful only where the server does not resample: at its own rate).
 * Each stream's callbacks, host buffer sizes and status flags are counted.
 *
 *   cc -O2 -o portaudio-split-probe scripts/portaudio-split-probe.c $(pkg-config --cflags --libs portaudio-2.0)
 *   [PROBE_RATE=HZ] [OUTPUT_ONLY=1] [BLOCKING=FIRST] portaudio-split-probe DEVICE [SECONDS] [LATENCY_S]
 *
 * OUTPUT_ONLY=1 opens the output stream alone. BLOCKING=FIRST makes the
 * output a blocking stream written from this thread: a first Pa_WriteStream
 * of FIRST frames of silence (0: all the stream has room for), then 256
 * frames at a time; an underflowed write counts as an output underflow.
 * Prints one line per stream and the frames played against the wall clock;
 * exit code 0.
 */
#include <portaudio.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct side {
    long callbacks, minFrames, maxFrames, flagged[4];
};

static struct side in, out;
static long played, expected = -1, firstSeen = -1, inputFrames, jumps;
static atomic_long captured;

static void count(struct side *s, unsigned long frames, PaStreamCallbackFlags flags) {
    s->callbacks++;
    if (s->minFrames == 0 || (long)frames < s->minFrames) s->minFrames = (long)frames;
    if ((long)frames > s->maxFrames) s->maxFrames = (long)frames;
    for (int bit = 0; bit < 4; bit++)
        if (flags & (1UL << bit)) s->flagged[bit]++;
}

static int playback(const void *input, void *output, unsigned long frames, const PaStreamCallbackTimeInfo *time,
                    PaStreamCallbackFlags flags, void *data) {
    (void)input, (void)time, (void)data;
    count(&out, frames, flags);
    short *o = output;
    for (unsigned long i = 0; i < frames; i++, played++) {
        o[2 * i] = (short)(played & 0x7fff);
        o[2 * i + 1] = (short)((played >> 15) & 0x7fff);
    }
    return paContinue;
}

static int capture(const void *input, void *output, unsigned long frames, const PaStreamCallbackTimeInfo *time,
                   PaStreamCallbackFlags flags, void *data) {
    (void)output, (void)time, (void)data;
    count(&in, frames, flags);
    const short *s = input;
    for (unsigned long i = 0; i < frames; i++) {
        long value = (long)s[2 * i] | ((long)s[2 * i + 1] << 15);
        inputFrames++;
        if (expected < 0) {
            if (value != 0) { expected = value + 1; firstSeen = inputFrames; }
        } else if (value == expected) {
            expected++;
        } else if (value != 0) {
            jumps++;
            expected = value + 1;
        }
    }
    atomic_fetch_add(&captured, (long)frames);
    return paContinue;
}

static void report(const char *name, const struct side *s) {
    printf("%s: %ld callbacks (%ld..%ld frames), flags: input underflow %ld, input overflow %ld, output underflow %ld, output overflow %ld\n",
           name, s->callbacks, s->minFrames, s->maxFrames, s->flagged[0], s->flagged[1], s->flagged[2], s->flagged[3]);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DEVICE [SECONDS] [LATENCY_S]\n", argv[0]);
        return 2;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 3, latency = argc > 3 ? atof(argv[3]) : 0.1;
    double rate = getenv("PROBE_RATE") ? atof(getenv("PROBE_RATE")) : 48000;
    int outputOnly = getenv("OUTPUT_ONLY") != NULL;
    long firstWrite = getenv("BLOCKING") ? atol(getenv("BLOCKING")) : -1;
    if (Pa_Initialize() != paNoError) return 2;
    int device = -1;
    for (int i = 0; i < Pa_GetDeviceCount(); i++)
        if (strcmp(Pa_GetDeviceInfo(i)->name, argv[1]) == 0) { device = i; break; }
    if (device < 0) { fprintf(stderr, "no device named %s\n", argv[1]); return 2; }
    PaStreamParameters inP = {device, 2, paInt16, latency, NULL}, outP = {device, 2, paInt16, latency, NULL};
    PaStream *inStream = NULL, *outStream = NULL;
    PaStreamFlags flags = paClipOff | paDitherOff;
    PaError e;
    if (!outputOnly && (e = Pa_OpenStream(&inStream, &inP, NULL, rate, paFramesPerBufferUnspecified, flags, capture, NULL))) {
        fprintf(stderr, "input: %s\n", Pa_GetErrorText(e));
        return 2;
    }
    if ((e = Pa_OpenStream(&outStream, NULL, &outP, rate, paFramesPerBufferUnspecified, flags, firstWrite >= 0 ? NULL : playback,
                           NULL))) {
        fprintf(stderr, "output: %s\n", Pa_GetErrorText(e));
        return 2;
    }
    struct timespec t0, t1;
    if (inStream) {
        Pa_StartStream(inStream);
        while (atomic_load(&captured) == 0) Pa_Sleep(1);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    Pa_StartStream(outStream);
    if (firstWrite >= 0) {
        static short block[2 * 65536];
        long first = firstWrite > 0 ? firstWrite : Pa_GetStreamWriteAvailable(outStream);
        if (first > 65536) first = 65536;
        for (long frames = first;; frames = 256) {
            short *o = block;
            for (long i = 0; i < frames && frames == 256; i++, played++) {
                o[2 * i] = (short)(played & 0x7fff);
                o[2 * i + 1] = (short)((played >> 15) & 0x7fff);
            }
            if (Pa_WriteStream(outStream, block, (unsigned long)frames) == paOutputUnderflowed) out.flagged[2]++;
            out.callbacks++;
            clock_gettime(CLOCK_MONOTONIC, &t1);
            if ((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9 >= seconds) break;
        }
    } else {
        Pa_Sleep((long)(seconds * 1000));
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int outputActive = Pa_IsStreamActive(outStream), inputActive = inStream ? Pa_IsStreamActive(inStream) : 0;
    long playedAtEnd = played;
    Pa_StopStream(outStream);
    if (inStream) Pa_StopStream(inStream);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("rate %.0f Hz, latency asked %.3f s: output granted %.4f s, still active %d", rate, latency,
           Pa_GetStreamInfo(outStream)->outputLatency, outputActive);
    if (inStream) printf("; input granted %.4f s, still active %d", Pa_GetStreamInfo(inStream)->inputLatency, inputActive);
    printf("\n");
    report("output", &out);
    if (inStream) report("input", &in);
    printf("played %ld frames in %.3f s (%.1f %% of the rate)", playedAtEnd, wall, 100.0 * (double)playedAtEnd / (wall * rate));
    if (inStream) printf("; counter first back at input frame %ld, %ld jumps after it", firstSeen, jumps);
    printf("\n");
    if (inStream) Pa_CloseStream(inStream);
    Pa_CloseStream(outStream);
    Pa_Terminate();
    return 0;
}
