#ifndef AUDIOHAL_CPORTAUDIO_SHIM_H
#define AUDIOHAL_CPORTAUDIO_SHIM_H

// PortAudio's API and its ALSA host API extensions (real-time scheduling of
// the callback thread).
#include <portaudio.h>
#include <pa_linux_alsa.h>

#endif
