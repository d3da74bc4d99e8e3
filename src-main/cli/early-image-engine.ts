// An image engine whose worker starts before the command line has loaded. `glassmaster image`
// spends its first ~0.2 s loading the command line (commander, zod, every command's services), and
// the image worker (a Node environment of its own, then the image code) only started after that;
// started first, the worker loads on the other core meanwhile and the build starts that much sooner.
// The executable's entry (cli-entry.ts) starts it for `image … -o OUT`; runImageCommand takes it.
import { ImageEngine } from '../image/image-engine';
import { imageWorkerScript } from '../app/image-worker-script';

let early: ImageEngine | undefined;

/** Starts the engine's worker now (`script`: the worker entry, default the app's). */
export function startImageEngineEarly(script?: string | URL): void {
  early ??= new ImageEngine({ script: script ?? imageWorkerScript() }).prestart();
}

/** The early engine, once (its taker closes it); undefined when none was started. */
export function takeEarlyImageEngine(): ImageEngine | undefined {
  const e = early;
  early = undefined;
  return e;
}
