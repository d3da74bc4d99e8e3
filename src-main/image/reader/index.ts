// Public surface of the image reader/inspector.
export { type BlockReader, type ClosableBlockReader, fileBlockReader, bufferBlockReader, offsetBlockReader, SECTOR } from './block-reader';
export { openImage, type ImageInfo, type OpenImageOptions } from './image';
export { listSessions } from './sessions';
export { readBootCatalog, platformName, type BootCatalog, type BootEntry, type Emulation } from './eltorito';
export { inspectBoot, type BootReport, type BootReportEntry, type BootImageInfo } from './boot';
export { decodeMbr, readGpt, guidToString, gptTypeName, type MbrInfo, type MbrPartition, type GptInfo, type GptPartition } from './partition-table';
export { decodeFatBootSector, listEfiBootDir, type FatInfo } from './fat';
export { formatListing, formatBootReport } from './format';
export { DEFAULT_LIMITS, type ReaderLimits, type RawDescriptor } from './iso9660';
export type * from './types';
