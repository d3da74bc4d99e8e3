// Readability preflight: what Windows, macOS, Linux and players will see of a staged tree.
export { preflight, isoName, jolietName, type PreflightEntry, type PreflightOptions, type PreflightReport, type PreflightFinding, type FindingCode, type Severity } from './preflight';
export { formatPreflight } from './format';
export { entriesFromTree } from './from-tree';
export * from './rules';
