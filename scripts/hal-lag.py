#!/usr/bin/env python3
"""Where a played signal sits in hal playrec recordings.

    hal-lag.py PLAYED LEAD RECORDING...

PLAYED is the file hal played: LEAD frames of silence, then the signal. For
each RECORDING, prints one line: the frame where the signal begins in it minus
LEAD (0: aligned to the sample; negative: the recording is early) and the
normalized correlation there. Exits 1 when a correlation is below 0.9 (the
signal did not come back).
"""
import sys

import numpy as np
import soundfile

played_path, lead, recordings = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
played, _ = soundfile.read(played_path, dtype="float64", always_2d=True)
signal = played[lead:].mean(axis=1)
signal = signal[: np.flatnonzero(signal)[-1] + 1]
status = 0
for path in recordings:
    recorded, _ = soundfile.read(path, dtype="float64", always_2d=True)
    mono = recorded.mean(axis=1)
    size = 1 << int(np.ceil(np.log2(len(mono) + len(signal))))
    spectrum = np.fft.rfft(mono, size) * np.conj(np.fft.rfft(signal, size))
    scores = np.fft.irfft(spectrum, size)[: max(1, len(mono) - len(signal) + 1)]
    start = int(np.argmax(np.abs(scores)))
    window = mono[start : start + len(signal)]
    correlation = float(np.dot(window, signal[: len(window)]) / (np.linalg.norm(window) * np.linalg.norm(signal[: len(window)]) or 1))
    print(f"{path}: residual {start - lead:+d} frames, correlation {correlation:.4f}")
    if correlation < 0.9:
        status = 1
sys.exit(status)
