// What the renderer gets from the project's checks (IPC shapes, runtime-neutral): the preflight
// report (image/preflight/preflight.ts) and the boot inspection (image/reader/boot.ts). Main returns
// the engine's own objects; ProjectService's signatures make the compiler check they fit these.
export type PreflightSeverity = 'error' | 'warning' | 'info';
export type PreflightAudience = 'windows' | 'macos' | 'linux' | 'players';
export type PreflightFacet = 'iso9660' | 'joliet' | 'rockridge' | 'udf';

export interface PreflightFindingView {
  code: string;
  severity: PreflightSeverity;
  /** Disc path ("/a/b") when about one entry. */
  path?: string;
  facet?: PreflightFacet;
  affects: PreflightAudience[];
  message: string;
  shownAs?: string;
  fix?: string;
  /** A grouped finding: how many entries, and the first few. */
  count?: number;
  examples?: { path: string; shownAs?: string }[];
}

export interface PreflightReportView {
  ok: boolean;
  counts: Record<PreflightSeverity, number>;
  seenBy: Record<PreflightAudience, PreflightFacet | 'none'>;
  findings: PreflightFindingView[];
}

export interface BootInspectionEntry {
  role: 'default' | 'section';
  bootable: boolean;
  platformId: number;
  platform: string;
  emulation: string;
  loadSegment: number;
  systemType: number;
  /** 512-byte virtual sectors loaded (El Torito §2.2). */
  loadSize: number;
  loadRba: number;
  image: { isoPath?: string; fileSize?: number; efiBootFiles?: string[] };
}

export interface BootInspection {
  source: string;
  eltorito?: {
    catalogLba: number;
    catalogPath?: string;
    validation: { platformId: number; platform: string; idString: string; checksumOk: boolean; keyOk: boolean };
    entries: BootInspectionEntry[];
  };
  mbr?: { diskSignature: number; protective: boolean; partitions: unknown[] };
  gpt?: { revision: string; diskGuid: string; headerCrcOk: boolean; entriesCrcOk: boolean };
  bios: boolean;
  uefi: boolean;
  hybrid: boolean;
  warnings: string[];
}
