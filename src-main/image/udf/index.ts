// UDF file-system writer (ECMA-167 3rd edition + OSTA UDF 1.02–2.50). The image layout engine calls
// planUdf() to learn region sizes, places them and the file data, then calls encodeLazy() (the writer renders the metadata space as it reaches it).
export { planUdf, extentsFor, udfPermissions, MAX_EXTENT_BYTES, UDF_VOLUME_REGIONS, UDF_PARTITION_HEAD } from './plan';
export type { UdfRevision, UdfNodeInput, UdfSourceNode, UdfSourceTree, UdfVolumeInput, UdfRegions, UdfPlacement, UdfPlan, UdfPiece, LazySectors } from './plan';
export { encodeOsta, crcItuT } from './primitives';
