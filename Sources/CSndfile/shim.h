#ifndef AUDIOHAL_CSNDFILE_SHIM_H
#define AUDIOHAL_CSNDFILE_SHIM_H
#include <sndfile.h>
#endif
