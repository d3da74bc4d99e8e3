// Which FLAC decoder this process uses (flac-libflac.ts): the system's libFLAC through the native
// addon where the addon has it, else the WASM build. Kept apart from the decoders so the pool's
// host side can ask without loading them.
import { loadNativeAddonIfBuilt, type NativeFlacDecoderClass } from '../transport/native/native-addon';

/** 'libflac' when the addon has libFLAC (and GLASSMASTER_WASM_FLAC=1 does not ask for the WASM build). */
export function flacBackend(): 'libflac' | 'wasm' {
  return libFlacClass() ? 'libflac' : 'wasm';
}

/** The addon's FlacDecoder, or undefined where the WASM build is to be used. */
export function libFlacClass(): NativeFlacDecoderClass | undefined {
  if (process.env.GLASSMASTER_WASM_FLAC === '1') return undefined;
  return loadNativeAddonIfBuilt()?.FlacDecoder;
}
