// Prints 1 when the addon is to be built with libFLAC (src/flac_decode.cc, which opens the library
// at run time, so only its headers are needed here): on Linux, when
// pkg-config finds the development files (Debian: libflac-dev). Elsewhere, or without them, 0:
// the audio workers then decode FLAC with the WASM build of libFLAC. GLASSMASTER_NO_LIBFLAC=1
// forces 0 (to build and test the addon as it is where libFLAC is absent).
import { execFileSync } from 'node:child_process';
let yes = false;
if (process.platform === 'linux' && process.env.GLASSMASTER_NO_LIBFLAC !== '1') {
  try {
    execFileSync('pkg-config', ['--exists', 'flac'], { stdio: 'ignore' });
    yes = true;
  } catch {
    yes = false;
  }
}
console.log(yes ? 1 : 0);
