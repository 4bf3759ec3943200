/* A duplex PortAudio stream with nothing of AudioHAL in it, to tell what
 * PortAudio itself does on a device from what our backend does.
 *
 * It plays a frame counter (s16 stereo: low and high 15 bits) and checks
 * that the counter comes back in order on the input of the same stream.
 * Every jump is counted: frames lost (the counter skips ahead) or frames
 * inserted (zeros or a repeat), and every status flag PortAudio passed.
 *
 *   cc -O2 -o portaudio-probe scripts/portaudio-probe.c $(pkg-config --cflags --libs portaudio-2.0)
 *   [PROBE_RATE=HZ] portaudio-probe DEVICE [SECONDS] [LATENCY_S|low|high] [FRAMES|0] [never-drop] [stall-ms]
 *
 * FRAMES 0 is paFramesPerBufferUnspecified; never-drop adds paNeverDropInput;
 * stall-ms makes one callback sleep that long 1 s in. Exit code 0 when the
 * counter came back whole after its first appearance, 1 otherwise.
 */
#include <portaudio.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double RATE = 48000;

struct probe {
    long played;           /* counter value of the next output frame */
    long expected;         /* next counter value expected on input, -1 before the first */
    long lost, inserted, jumps, zeroFramesAfterStart;
    long callbacks, flagged[5], minFrames, maxFrames;
    long stallAt;
    int stallMs;
    long firstSeen, firstValue;
    long inputFrames;
};

static int callback(const void *in, void *out, unsigned long frames, const PaStreamCallbackTimeInfo *time,
                    PaStreamCallbackFlags flags, void *data) {
    struct probe *p = data;
    (void)time;
    p->callbacks++;
    if (p->minFrames == 0 || (long)frames < p->minFrames) p->minFrames = frames;
    if ((long)frames > p->maxFrames) p->maxFrames = frames;
    for (int bit = 0; bit < 5; bit++)
        if (flags & (1UL << bit)) p->flagged[bit]++;
    short *o = out;
    for (unsigned long i = 0; i < frames; i++) {
        long v = p->played++;
        o[2 * i] = (short)(v & 0x7fff);
        o[2 * i + 1] = (short)((v >> 15) & 0x7fff);
    }
    const short *s = in;
    for (unsigned long i = 0; i < frames; i++) {
        long v = (long)s[2 * i] | ((long)s[2 * i + 1] << 15);
        p->inputFrames++;
        if (p->expected < 0) {
            if (v != 0) { p->expected = v + 1; p->firstSeen = p->inputFrames; p->firstValue = v; }
            continue;
        }
        if (v == p->expected) { p->expected++; continue; }
        if (v == 0) { p->zeroFramesAfterStart++; p->inserted++; continue; }
        p->jumps++;
        if (v > p->expected) p->lost += v - p->expected; else p->inserted += p->expected - v;
        p->expected = v + 1;
    }
    if (p->stallMs > 0 && p->played >= p->stallAt) {
        struct timespec t = {p->stallMs / 1000, (p->stallMs % 1000) * 1000000L};
        nanosleep(&t, NULL);
        p->stallMs = 0;
    }
    return paContinue;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DEVICE [SECONDS] [LATENCY_S|low|high] [FRAMES|0] [never-drop] [stall-ms]\n", argv[0]);
        return 2;
    }
    const char *name = argv[1];
    double seconds = argc > 2 ? atof(argv[2]) : 10;
    const char *latencyText = argc > 3 ? argv[3] : "low";
    unsigned long frames = argc > 4 ? strtoul(argv[4], NULL, 10) : 0;
    int neverDrop = argc > 5 && strcmp(argv[5], "never-drop") == 0;
    int stallMs = argc > 6 ? atoi(argv[6]) : 0;
    if (getenv("PROBE_RATE")) RATE = atof(getenv("PROBE_RATE"));
    if (Pa_Initialize() != paNoError) return 2;
    int device = -1;
    for (int i = 0; i < Pa_GetDeviceCount(); i++) {
        const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
        if (strcmp(info->name, name) == 0 || strstr(info->name, name)) { device = i; break; }
    }
    if (device < 0) { fprintf(stderr, "no device named %s\n", name); return 2; }
    const PaDeviceInfo *info = Pa_GetDeviceInfo(device);
    char deviceName[256];
    snprintf(deviceName, sizeof deviceName, "%s", info->name);
    double lowLatency = info->defaultLowOutputLatency, highLatency = info->defaultHighOutputLatency;
    double latency = strcmp(latencyText, "low") == 0 ? lowLatency
                   : strcmp(latencyText, "high") == 0 ? highLatency : atof(latencyText);
    PaStreamParameters inP = {device, 2, paInt16, latency, NULL}, outP = {device, 2, paInt16, latency, NULL};
    struct probe p = {0};
    p.expected = -1;
    p.stallAt = RATE;
    p.stallMs = stallMs;
    PaStream *stream;
    PaStreamFlags flags = paClipOff | paDitherOff | (neverDrop ? paNeverDropInput : 0);
    PaError e = Pa_OpenStream(&stream, &inP, &outP, RATE, frames ? frames : paFramesPerBufferUnspecified, flags, callback, &p);
    if (e != paNoError) { fprintf(stderr, "Pa_OpenStream: %s\n", Pa_GetErrorText(e)); return 2; }
    const PaStreamInfo *si = Pa_GetStreamInfo(stream);
    Pa_StartStream(stream);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (Pa_IsStreamActive(stream) == 1) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9 >= seconds) break;
        Pa_Sleep(50);
    }
    int active = Pa_IsStreamActive(stream);
    Pa_StopStream(stream);
    Pa_CloseStream(stream);
    Pa_Terminate();
    printf("device %s, latency asked %.4f s, granted in %.4f out %.4f s, frames %s, %s\n", deviceName, latency,
           si->inputLatency, si->outputLatency, frames ? argv[4] : "unspecified", neverDrop ? "paNeverDropInput" : "input may be dropped");
    printf("rate %.0f Hz: %ld frames played in %.3f s of wall time\n", RATE, p.played,
           t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    printf("callbacks %ld (frames %ld..%ld), played %ld, counter first back at input frame %ld as value %ld, still active %d\n",
           p.callbacks, p.minFrames, p.maxFrames, p.played, p.firstSeen, p.firstValue, active);
    printf("flags: input-underflow %ld, input-overflow %ld, output-underflow %ld, output-overflow %ld, priming %ld\n",
           p.flagged[0], p.flagged[1], p.flagged[2], p.flagged[3], p.flagged[4]);
    printf("after first: jumps %ld, frames lost %ld, frames inserted %ld (zeros %ld)\n", p.jumps, p.lost, p.inserted,
           p.zeroFramesAfterStart);
    return (p.expected >= 0 && p.lost == 0 && p.inserted == 0) ? 0 : 1;
}
