// The jobs the first screen offers, each leading to its own view. A job is listed only when its
// service exists in main: add burn, verify, erase, read-to-image, copy, audio CD, bootable and
// multisession here (with their views in App.tsx) as their services land.
import type { View } from '../../store/ui-slice';

export interface Job {
  id: string;
  /** i18n keys under jobs.<id>: title, desc. */
  view: Exclude<View, 'home'>;
}

export const JOBS: readonly Job[] = [
  { id: 'data', view: 'data' },
  { id: 'image', view: 'image' },
  { id: 'burnImage', view: 'burnImage' },
  { id: 'erase', view: 'erase' },
  { id: 'verify', view: 'verify' },
  { id: 'read', view: 'read' },
  { id: 'boot', view: 'boot' },
  { id: 'audio', view: 'audio' },
  { id: 'multisession', view: 'multisession' },
  { id: 'copy', view: 'copy' },
];
