// The options model's value lists without the schema (image-options.ts re-exports them): the image
// worker imports these, not zod, so each of its threads starts without compiling zod (~0.75 MB of
// the bundled worker's 1 MB).
export const FILE_SYSTEMS = ['iso9660', 'joliet', 'rockridge', 'udf'] as const;
export type FileSystemName = (typeof FILE_SYSTEMS)[number];
export const UDF_REVISIONS = ['1.02', '1.50', '2.00', '2.01', '2.50'] as const;
/** ISO 9660 + Joliet + Rock Ridge + UDF: what every reader shows something of. */
export const DEFAULT_FILE_SYSTEMS: FileSystemName[] = ['iso9660', 'joliet', 'rockridge', 'udf'];
