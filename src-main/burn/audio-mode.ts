// Which way an audio CD is written, and why (pure). The drive's abilities come from GET CONFIGURATION:
// CD Track At Once (feature 002Dh, MMC-6 §5.3.12: R-W Sub-code bit, supported Data Block Types) and
// CD Mastering (002Eh, §5.3.13: SAO, Raw, R-W bits).
//
// Rules (MUST):
// - Track-At-Once records every track on its own after the drive's 2-second pause; the drive makes
//   the sub-channel. So TAO cannot record what moves audio or needs the host's sub-channel: gapless
//   tracks, pauses other than 2 s, hidden track one audio, index points — those need Disc-At-Once
//   (SAO or RAW-96) and an explicit `tao` is refused for them. CD-TEXT, ISRC and MCN are left out in
//   TAO (said in `dropped`), since the lead-in holding CD-TEXT is the drive's.
// - SAO carries everything in the cue sheet (pauses, indexes, ISRC, MCN); CD-TEXT goes into the
//   lead-in R-W only when the drive records host R-W (002Dh or 002Eh R-W bit), else it is dropped.
// - RAW-96 needs Raw (002Eh) and Data Block Type 3 (2352 + 96 raw P-W, 002Dh); the host makes P, Q
//   and the lead-in (TOC and CD-TEXT) itself, so it carries everything.
// - `auto`: SAO when it can carry all of the project's features (CD-TEXT included), else RAW-96 when
//   supported, else SAO without CD-TEXT, else TAO when the layout allows it.
import { NotSupportedError } from '../common/errors';
import type { Configuration } from '../mmc/commands/get-configuration';
import type { DiscLayout } from '../audio/layout';

import type { AudioWriteMode } from '../common/model/audio-burn';

export type { AudioWriteMode };
export const AUDIO_WRITE_MODES: AudioWriteMode[] = ['tao', 'sao', 'raw96'];

export interface AudioWriteCaps {
  tao: boolean;
  sao: boolean;
  /** Host R-W in SAO (CD-TEXT in the lead-in). */
  saoRw: boolean;
  raw96: boolean;
}

export interface AudioModeChoice {
  mode: AudioWriteMode;
  /** CD-TEXT written in the lead-in. */
  cdText: boolean;
  /** One sentence: why this mode. */
  reason: string;
  /** What of the project this mode leaves out (empty when nothing). */
  dropped: string[];
}

const CD_TAO = 0x002d;
const CD_MASTERING = 0x002e;

/** What a CD recorder can do for audio, from its current features. */
export function audioWriteCaps(config: Pick<Configuration, 'features' | 'summary'>): AudioWriteCaps {
  const tao = config.features.get(CD_TAO);
  const mastering = config.features.get(CD_MASTERING);
  const taoOn = tao?.current === true;
  const masteringOn = mastering?.current === true;
  const blockTypes = config.summary.cdTao?.dataBlockTypes ?? 0;
  const rwBit = (config.summary.cdTao?.rwSubcode ?? false) || (masteringOn && ((mastering?.data[0] ?? 0) & 0x01) !== 0);
  return {
    tao: taoOn && (blockTypes & 1) !== 0,
    sao: masteringOn && (config.summary.cdMastering?.sao ?? false),
    saoRw: masteringOn && (config.summary.cdMastering?.sao ?? false) && rwBit,
    raw96: masteringOn && (config.summary.cdMastering?.raw ?? false) && (blockTypes & (1 << 3)) !== 0,
  };
}

/** Why a layout cannot be written Track-At-Once (empty when it can). */
export function taoObstacles(layout: DiscLayout): string[] {
  const out: string[] = [];
  const t1 = layout.tracks[0];
  if (t1.hiddenSamples > 0) out.push('hidden track one audio');
  if (t1.start !== 0) out.push(`a first pause of ${((t1.start + 150) / 75).toFixed(2)} s`);
  const odd = layout.tracks.slice(1).filter((t) => t.start - t.pregapStart !== 150);
  if (odd.some((t) => t.start === t.pregapStart)) out.push('gapless tracks');
  if (odd.some((t) => t.start !== t.pregapStart)) out.push('pauses other than 2 s');
  if (layout.tracks.some((t) => t.indexes.length > 0)) out.push('index points');
  return out;
}

/** What a Track-At-Once burn cannot record: CD-TEXT (no lead-in from the host). The MCN and ISRCs go through page 05h. */
function lostInTao(_layout: DiscLayout, hasText: boolean): string[] {
  return hasText ? ['CD-TEXT'] : [];
}

export function chooseAudioMode(layout: DiscLayout, hasText: boolean, caps: AudioWriteCaps, requested: AudioWriteMode | 'auto' = 'auto'): AudioModeChoice {
  const obstacles = taoObstacles(layout);
  const dao = obstacles.length ? ` (${obstacles.join(', ')} need Disc-At-Once)` : '';
  switch (requested) {
    case 'tao': {
      if (!caps.tao) throw new NotSupportedError('This drive does not write audio Track-At-Once (no CD Track At Once feature with raw 2352-byte blocks); use --mode sao or raw96.');
      if (obstacles.length) throw new NotSupportedError(`Track-At-Once cannot record ${obstacles.join(', ')}: the drive puts its own 2-second pause before every track. Use --mode sao or raw96.`);
      const dropped = lostInTao(layout, hasText);
      return { mode: 'tao', cdText: false, dropped, reason: `Track-At-Once as asked${dropped.length ? `; it cannot record ${dropped.join(', ')}, left out` : ''}.` };
    }
    case 'sao': {
      if (!caps.sao) throw new NotSupportedError('This drive does not write Session-At-Once (CD Mastering feature without SAO).');
      const dropped = hasText && !caps.saoRw ? ['CD-TEXT'] : [];
      return { mode: 'sao', cdText: hasText && caps.saoRw, dropped, reason: `Session-At-Once as asked${dropped.length ? '; the drive does not record host R-W sub-channel, so CD-TEXT is left out' : ''}.` };
    }
    case 'raw96':
      if (!caps.raw96) throw new NotSupportedError('This drive does not write raw Disc-At-Once with 96-byte sub-channel (CD Mastering Raw and data block type 3).');
      return { mode: 'raw96', cdText: hasText, dropped: [], reason: 'Raw Disc-At-Once (RAW-96) as asked: P and Q sub-channel and the lead-in are made by Glassmaster.' };
    case 'auto':
      break;
  }
  if (caps.sao && (!hasText || caps.saoRw)) return { mode: 'sao', cdText: hasText, dropped: [], reason: `Session-At-Once: the drive supports it${hasText ? ' with CD-TEXT' : ''}, and it writes the pauses, index points, ISRC and MCN exactly as laid out${dao}.` };
  if (caps.raw96) return { mode: 'raw96', cdText: hasText, dropped: [], reason: `Raw Disc-At-Once (RAW-96): the drive ${caps.sao ? 'cannot record CD-TEXT in Session-At-Once' : 'has no Session-At-Once'}, so Glassmaster makes the sub-channel and lead-in itself${dao}.` };
  if (caps.sao) return { mode: 'sao', cdText: false, dropped: ['CD-TEXT'], reason: 'Session-At-Once: the drive has neither host R-W in SAO nor raw writing, so CD-TEXT is left out.' };
  if (caps.tao && !obstacles.length) {
    const dropped = lostInTao(layout, hasText);
    return { mode: 'tao', cdText: false, dropped, reason: `Track-At-Once: the drive has no Disc-At-Once mode${dropped.length ? `; ${dropped.join(', ')} left out` : ''}.` };
  }
  if (caps.tao) throw new NotSupportedError(`This drive writes only Track-At-Once, which cannot record ${obstacles.join(', ')}.`);
  throw new NotSupportedError('This drive cannot write audio CDs (no CD Track At Once or CD Mastering feature for the loaded disc).');
}
