// UDF file-system writer (ECMA-167 3rd edition + OSTA UDF 1.02–2.50). The image layout engine calls
// planUdf() to learn region sizes, places them and the file data, then calls encode().
export { planUdf, extentsFor, udfPermissions, MAX_EXTENT_BYTES } from './plan';
export type { UdfRevision, UdfNodeInput, UdfVolumeInput, UdfRegions, UdfPlacement, UdfPlan } from './plan';
export { encodeOsta, crcItuT } from './primitives';
