#define _GNU_SOURCE
#include "cthreads.h"

#include <errno.h>
#include <sched.h>

int cthreads_allowed_cpus(int *cpus, int count) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    int found = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && found < count; cpu++) {
        if (CPU_ISSET(cpu, &set)) cpus[found++] = cpu;
    }
    return found;
}

int cthreads_pin_to_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? 0 : errno;
}
