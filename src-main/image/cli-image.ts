// Moved: argument parsing and the command live in cli/ (cli/image-args.ts, cli/image-build.ts);
// images are built by the one image-output service, ImageEngine. This re-export keeps the facet
// tests that drive the command (eltorito/, preflight/, multisession/ …) working until they import
// from cli/ directly; nothing new should import it.
export { runImageCommand, type ImageCommandIo } from '../cli/image-build';
export { parseImageArgs, parseBootSpec, type ImageCommandArgs } from '../cli/image-args';
