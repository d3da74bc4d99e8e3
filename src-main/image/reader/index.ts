// Public surface of the image reader/inspector.
export { type BlockReader, type ClosableBlockReader, fileBlockReader, bufferBlockReader, offsetBlockReader, SECTOR } from './block-reader';
export { openImage, type ImageInfo, type OpenImageOptions } from './image';
export { listSessions } from './sessions';
export { readBootCatalog, type BootCatalog, type BootEntry, type Emulation } from './eltorito';
export { DEFAULT_LIMITS, type ReaderLimits, type RawDescriptor } from './iso9660';
export type * from './types';
