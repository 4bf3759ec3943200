#include "CFilePeers.h"
#include <fcntl.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void convert_s16(const int16_t *source, float *target, long count) {
    for (long i = 0; i < count; i++) target[i] = (float)source[i] * (1.0f / 32768.0f);
}

double cpeer_mmap_convert_s16(const char *path, long data_offset, long frames, int channels,
                              float *block, long block_frames) {
    cpeer_map map;
    if (cpeer_map_open(&map, path) != 0) return NAN;
    const int16_t *samples = (const int16_t *)(map.base + data_offset);
    double checksum = 0;
    for (long start = 0; start < frames; start += block_frames) {
        long count = frames - start < block_frames ? frames - start : block_frames;
        convert_s16(samples + start * channels, block, count * channels);
        checksum += block[0];
    }
    cpeer_map_close(&map);
    return checksum;
}

double cpeer_sndfile_read_float(const char *path, float *block, long block_frames) {
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *file = sf_open(path, SFM_READ, &info);
    if (file == NULL) return NAN;
    double checksum = 0;
    sf_count_t got;
    while ((got = sf_readf_float(file, block, block_frames)) > 0) checksum += block[0];
    sf_close(file);
    return checksum;
}

int cpeer_map_open(cpeer_map *map, const char *path) {
    map->descriptor = open(path, O_RDONLY);
    if (map->descriptor < 0) return -1;
    struct stat status;
    void *base = MAP_FAILED;
    if (fstat(map->descriptor, &status) == 0) {
        map->length = (size_t)status.st_size;
        base = mmap(NULL, map->length, PROT_READ, MAP_SHARED, map->descriptor, 0);
    }
    if (base == MAP_FAILED) { close(map->descriptor); return -1; }
    map->base = base;
    return 0;
}

double cpeer_mmap_open(const char *path) {
    cpeer_map map;
    if (cpeer_map_open(&map, path) != 0) return NAN;
    double first = map.base[0];
    cpeer_map_close(&map);
    return first;
}

void cpeer_map_close(cpeer_map *map) {
    munmap((void *)map->base, map->length);
    close(map->descriptor);
}

double cpeer_random_windows_s16(const cpeer_map *map, long data_offset, int channels, const long *starts,
                                long count, long window_frames, float *window) {
    const int16_t *samples = (const int16_t *)(map->base + data_offset);
    double checksum = 0;
    for (long i = 0; i < count; i++) {
        convert_s16(samples + starts[i] * channels, window, window_frames * channels);
        checksum += window[0];
    }
    return checksum;
}
