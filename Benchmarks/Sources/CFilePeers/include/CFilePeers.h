#ifndef AUDIOHAL_CFILEPEERS_H
#define AUDIOHAL_CFILEPEERS_H
#include <stddef.h>

/* The C peers WaveMap and BufferedArray are measured against. Each returns a
   checksum of what it converted (so nothing can be optimised away), or NaN on
   a failure. */

/* open + mmap a 16-bit WAV whose samples start at data_offset and convert all
   frames to float in blocks of block_frames (into block), scaled by 1/32768. */
double cpeer_mmap_convert_s16(const char *path, long data_offset, long frames, int channels,
                              float *block, long block_frames);

/* The same through libsndfile: sf_open, then sf_readf_float in blocks. */
double cpeer_sndfile_read_float(const char *path, float *block, long block_frames);

/* open + fstat + mmap + munmap + close: the least opening a file can cost. */
double cpeer_mmap_open(const char *path);

/* A mapping kept open for random access. */
typedef struct cpeer_map {
    const unsigned char *base;
    size_t length;
    int descriptor;
} cpeer_map;

int cpeer_map_open(cpeer_map *map, const char *path);
void cpeer_map_close(cpeer_map *map);

/* Converts the window of window_frames frames at each of starts[0..count) to
   float, the way a program reading random windows of a mapped file would. */
double cpeer_random_windows_s16(const cpeer_map *map, long data_offset, int channels, const long *starts,
                                long count, long window_frames, float *window);
#endif
