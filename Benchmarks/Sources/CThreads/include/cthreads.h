// CPU affinity for the benchmarks' threads: the glibc calls need
// _GNU_SOURCE, which Swift's Glibc module does not define.
#ifndef CTHREADS_H
#define CTHREADS_H

/// The first `count` CPUs this process may run on, written to `cpus`;
/// returns how many were found (fewer when fewer are allowed), -1 on error.
int cthreads_allowed_cpus(int *cpus, int count);
/// Pins the calling thread to `cpu`; returns 0 or an errno value.
int cthreads_pin_to_cpu(int cpu);

#endif
