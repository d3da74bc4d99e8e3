// Human-readable renderers for `glassmaster image --list` and `--inspect` (the --json forms are
// the plain objects themselves). Every string that comes from the medium (names, link targets,
// identifiers, warnings quoting them) is escaped as `ls -b` does: an image must not drive the terminal.
import { escapeName as esc, escapeText as escText } from '../../common/display-name';
import type { BootReport } from './boot';
import type { ImageInfo } from './image';
import type { TreeFacet, TreeNode } from './types';

function mode(n: TreeNode): string {
  const t = n.kind === 'dir' ? 'd' : n.kind === 'symlink' ? 'l' : '-';
  if (n.mode === undefined) return t + '---------';
  const bits = 'rwxrwxrwx';
  let s = t;
  for (let i = 0; i < 9; i++) s += n.mode & (1 << (8 - i)) ? bits[i] : '-';
  return s;
}

/** Volume summary per facet, warnings, then the tree of the richest facet (`ls -lR` style). */
export async function formatListing(info: ImageInfo, opts: { facet?: TreeFacet; tree?: boolean } = {}): Promise<string> {
  const out: string[] = [];
  out.push(`Image: ${info.source} (${info.sectorCount} sectors, ${(info.sectorCount * 2048).toLocaleString('en-US')} bytes)`);
  out.push(`File systems: ${info.facets.join(', ')}`);
  if (info.iso9660) {
    const v = info.iso9660;
    const ev = v.levelEvidence;
    out.push(`ISO 9660: volume "${esc(v.volumeId)}", ${v.volumeSpaceSize} blocks, created ${v.creationDate ?? '-'}, modified ${v.modificationDate ?? '-'}`);
    if (v.applicationId || v.dataPreparerId) out.push(`  application "${esc(v.applicationId)}", preparer "${esc(v.dataPreparerId)}"`);
    if (ev) out.push(`  names: max ${ev.maxNameLength} chars${ev.all83 ? ', all 8.3' : ''}${ev.nonDCharacters ? ', non-d-characters' : ''}; depth ${ev.maxDepth}; largest file ${ev.largestFile} bytes; multi-extent ${ev.multiExtentFiles} → consistent with level ${ev.levelGuess}+`);
  }
  if (info.joliet) out.push(`Joliet: volume "${esc(info.joliet.volumeId)}", UCS-2 level ${info.joliet.jolietLevel}`);
  if (info.rockridge) out.push(`Rock Ridge: ${info.rockridge.extensions.map(esc).join(', ') || '(no ER entry)'}`);
  if (info.udf) {
    const u = info.udf;
    out.push(`UDF ${u.revision} (${u.nsr ?? '?'}): volume "${esc(u.logicalVolumeId)}", ${u.partitionMaps.map((m) => m.type).join('+')} partition map(s), ${u.integrity ?? 'unknown'} integrity${u.numFiles !== undefined ? `, ${u.numFiles} files / ${u.numDirs} dirs` : ''}`);
  }
  if (info.eltorito) out.push(`El Torito: catalog at sector ${info.eltorito.catalogLba}, ${info.eltorito.entries} entr${info.eltorito.entries === 1 ? 'y' : 'ies'}`);
  const s = info.session;
  out.push(`Sessions: ${s.sessions.map((x) => `${x.start}-${x.end}`).join(', ') || '-'}; next writable address ${s.nextWritableAddress}`);
  for (const w of info.warnings) out.push(`warning: ${escText(w)}`);
  if (opts.tree === false) return out.join('\n') + '\n';
  const facet: TreeFacet | undefined = opts.facet ?? (['rockridge', 'udf', 'joliet', 'iso9660'] as const).find((f) => info.facets.includes(f));
  if (!facet) return out.join('\n') + '\n';
  out.push('', `Tree (${facet}):`);
  const walk = (n: TreeNode, prefix: string) => {
    for (const c of n.children ?? []) {
      const path = `${prefix}/${esc(c.name)}`;
      const where = c.extents.length ? ` @${c.extents[0].lba}${c.extents.length > 1 ? `+${c.extents.length - 1}` : ''}` : '';
      out.push(`${mode(c)} ${String(c.size).padStart(12)} ${c.mtime?.slice(0, 19).replace('T', ' ') ?? '-'.padEnd(19)} ${path}${c.kind === 'dir' ? '/' : ''}${c.symlinkTarget !== undefined ? ` -> ${esc(c.symlinkTarget)}` : ''}${where}${c.hidden ? ' (hidden)' : ''}`);
      if (c.kind === 'dir') walk(c, path);
    }
  };
  walk(await info.tree(facet), '');
  return out.join('\n') + '\n';
}

export function formatBootReport(r: BootReport): string {
  const out: string[] = [];
  out.push(`Boot report: ${r.source}`);
  out.push(`BIOS from optical: ${r.bios ? 'yes' : 'no'}; UEFI from optical: ${r.uefi ? 'yes' : 'no'}; hybrid (USB) system area: ${r.hybrid ? 'yes' : 'no'}`);
  if (r.eltorito) {
    const e = r.eltorito;
    out.push(`El Torito catalog at sector ${e.catalogLba}${e.catalogPath ? ` (${esc(e.catalogPath)})` : ''}; validation ${e.validation.checksumOk && e.validation.keyOk ? 'ok' : 'INVALID'}, platform ${e.validation.platform}${e.validation.idString ? `, id "${esc(e.validation.idString)}"` : ''}`);
    out.push('  #  role     boot  platform   emulation     load size  load RBA  image');
    e.entries.forEach((x, i) => {
      const img = [x.image.isoPath === undefined ? undefined : esc(x.image.isoPath), x.image.fat ? `${x.image.fat.type} "${esc(x.image.fat.label ?? '')}" ${x.image.fat.size} bytes` : undefined, x.image.efiBootFiles?.length ? `\\EFI\\BOOT: ${x.image.efiBootFiles.map(esc).join(' ')}` : undefined].filter(Boolean).join(', ');
      out.push(`  ${String(i + 1).padEnd(2)} ${x.role.padEnd(8)} ${(x.bootable ? 'yes' : 'no').padEnd(5)} ${x.platform.padEnd(10)} ${x.emulation.padEnd(13)} ${String(x.loadSize).padStart(9)}  ${String(x.loadRba).padStart(8)}  ${img}`);
    });
  }
  if (r.mbr) {
    out.push(`MBR: disk signature 0x${r.mbr.diskSignature.toString(16).padStart(8, '0')}${r.mbr.protective ? ' (protective)' : ''}`);
    for (const p of r.mbr.partitions) out.push(`  ${p.index} ${p.bootable ? '*' : ' '} type 0x${p.type.toString(16).padStart(2, '0')} ${p.typeName.padEnd(18)} start ${p.start} sectors ${p.sectors}`);
  }
  if (r.gpt) {
    const g = r.gpt;
    out.push(`GPT: disk ${g.diskGuid}, header CRC ${g.headerCrcOk ? 'ok' : 'BAD'}, entries CRC ${g.entriesCrcOk ? 'ok' : 'BAD'}, backup ${g.backup}`);
    for (const p of g.partitions) out.push(`  ${p.index} ${p.typeName.padEnd(18)} ${p.firstLba}-${p.lastLba} "${esc(p.name)}" ${p.typeGuid}`);
  }
  for (const w of r.warnings) out.push(`warning: ${escText(w)}`);
  return out.join('\n') + '\n';
}
