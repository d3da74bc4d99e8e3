// One options model for building an image, runtime-neutral (zod only): the CLI's arguments
// (cli/image-args.ts), the app's IPC (`project.setImageOptions`) and project files all produce it,
// and image/image-spec.ts maps it to the engine's ImageSpec. Host paths appear only where the
// image needs a host file that is not in the tree (a hidden boot image, an MBR template, the
// previous session): the IPC schema below leaves those out (the renderer never names host files).
import { z } from 'zod';

export const FILE_SYSTEMS = ['iso9660', 'joliet', 'rockridge', 'udf'] as const;
export type FileSystemName = (typeof FILE_SYSTEMS)[number];
export const UDF_REVISIONS = ['1.02', '1.50', '2.00', '2.01', '2.50'] as const;
/** ISO 9660 + Joliet + Rock Ridge + UDF: what every reader shows something of. */
export const DEFAULT_FILE_SYSTEMS: FileSystemName[] = ['iso9660', 'joliet', 'rockridge', 'udf'];

/** A path inside the image: absolute, no empty or dot segments, no NUL. */
/** Sector addresses are 32-bit (ECMA-119 §7.3, ECMA-167 4/7.1): a session must start below 2^32. */
export const MAX_SESSION_START_LBA = 2 ** 32 - 1;
const ImagePath = z.string().min(2).max(4096).regex(/^(\/[^/\x00]+)+$/, 'an absolute image path such as /boot/isolinux.bin')
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'no . or .. segments');
const HostPath = z.string().min(1).max(4096).regex(/^[^\x00]+$/, 'no NUL');

export const BootEntrySchema = z.object({
  platform: z.enum(['bios', 'efi']),
  /** The boot image inside the tree … */
  isoPath: ImagePath.optional(),
  /** … or a host file placed in the image outside every directory. */
  hiddenHostPath: HostPath.optional(),
  emulation: z.enum(['none', 'floppy', 'hdd']).optional(),
  /** No-emulation load size in 512-byte virtual sectors (El Torito §2.2). */
  loadSize: z.number().int().min(1).max(0xffff).optional(),
  /** Patch a boot info table into the image (isolinux). */
  infoTable: z.boolean().optional(),
}).strict()
  .refine((b) => (b.isoPath === undefined) !== (b.hiddenHostPath === undefined), 'a boot entry names either isoPath or hiddenHostPath')
  .refine((b) => b.platform !== 'efi' || (b.emulation ?? 'none') === 'none', 'EFI boot images use no emulation');
export type BootEntry = z.infer<typeof BootEntrySchema>;

/** ISO 8601, at least a calendar date (2024-01-31, 2024-01-31T12:00:00Z). */
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'an ISO 8601 date such as 2024-01-31T00:00:00Z')
  .refine((s) => !Number.isNaN(new Date(s).getTime()), 'a valid date');

const options = {
  /** Undefined: all four (or, appending a session, the previous session's). */
  fs: z.array(z.enum(FILE_SYSTEMS)).min(1).optional(),
  /** Undefined: 2, raised to 3 when a file is 4 GiB or more. */
  isoLevel: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  udfRevision: z.enum(UDF_REVISIONS).optional(),
  /** UDF 2.50 only: a second copy of the metadata file (default on). */
  udfMetadataMirror: z.boolean().optional(),
  /** Volume label; each file system records as much of it as its field holds (see labelNotes). */
  label: z.string().min(1).max(128).regex(/^[^\x00-\x1f]+$/, 'no control characters').optional(),
  /** Fixes every date the image makes itself: the same options and tree give the same bytes. */
  date: IsoDate.optional(),
  boot: z.array(BootEntrySchema).max(16).optional(),
  /** An MBR (and optionally a GPT) so the image also boots from a USB stick. */
  isohybrid: z.object({
    /** MBR boot code (e.g. syslinux isohdpfx.bin); without it only EFI boots from a disk. */
    mbrTemplate: HostPath.optional(),
    gpt: z.boolean().optional(),
  }).strict().optional(),
  /** Refuse images over this many 2048-byte sectors (the target medium's capacity). */
  maxSectors: z.number().int().min(1).max(2 ** 31).optional(),
  /** Follow symbolic links in the sources instead of recording them. */
  followSymlinks: z.boolean().optional(),
  /**
   * Record links in UDF too. Off by default when Rock Ridge is chosen: 7-Zip refuses a whole UDF
   * volume that holds a symlink, and Rock Ridge already shows links to Unix readers.
   */
  udfSymlinks: z.boolean().optional(),
  /** Append a session: the previous image and where the new session starts. */
  multisession: z.object({ importImage: HostPath, startLba: z.number().int().min(0).max(MAX_SESSION_START_LBA) }).strict().optional(),
};

function checkCombination(o: { udfMetadataMirror?: boolean; udfRevision?: string; isohybrid?: { mbrTemplate?: string; gpt?: boolean }; boot?: { platform: string }[] }, ctx: z.RefinementCtx): void {
  // Only UDF 2.50 has a metadata partition (OSTA UDF 2.50 §2.2.10); ignoring the flag would hide a mistake.
  if (o.udfMetadataMirror !== undefined && o.udfRevision !== '2.50') ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['udfMetadataMirror'], message: 'the UDF metadata mirror needs UDF revision 2.50' });
  if (o.isohybrid && !o.boot?.length) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['isohybrid'], message: 'isohybrid needs at least one boot entry' });
  // Without MBR boot code a BIOS reads the MBR and finds nothing to run: only an EFI entry makes
  // such a hybrid image boot from a disk, so a BIOS-only one would claim a USB boot it cannot do.
  else if (o.isohybrid && !o.isohybrid.mbrTemplate && !o.boot?.some((b) => b.platform === 'efi')) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['isohybrid'], message: 'isohybrid without an MBR template boots from a disk only through an EFI entry: give an MBR template (isohdpfx.bin) or an efi boot entry' });
  }
}

export const ImageOptionsSchema = z.object(options).strict().superRefine(checkCombination);
export type ImageOptions = z.infer<typeof ImageOptionsSchema>;

/**
 * What the renderer may set (IPC): the same model without host paths; a boot image must be in the
 * project's tree, and appending a session or an MBR template waits for a main-side file dialog.
 */
export const AppImageOptionsSchema = z.object({
  ...options,
  boot: z.array(BootEntrySchema.refine((b) => b.hiddenHostPath === undefined, 'the boot image must be a file of the project')).max(16).optional(),
  isohybrid: z.object({ gpt: z.boolean().optional() }).strict().optional(),
  multisession: z.undefined().optional(),
}).strict().superRefine(checkCombination);
export type AppImageOptions = z.infer<typeof AppImageOptionsSchema>;
