// FLAC → CD-DA through the system's libFLAC (the library `flac -d` runs), for the audio workers
// (src-main/audio/flac-libflac.ts). Built only on Linux where pkg-config finds libFLAC's headers
// (binding.gyp defines GM_HAVE_LIBFLAC), and exported only when the shared library opens at load
// time (dlopen); elsewhere RegisterFlacDecoder adds nothing and the audio workers use the WASM
// build of libFLAC instead.
#pragma once

#include <napi.h>

namespace gm {

// Adds the FlacDecoder class to `exports` when built with libFLAC; otherwise does nothing.
void RegisterFlacDecoder(Napi::Env env, Napi::Object exports);

}  // namespace gm
