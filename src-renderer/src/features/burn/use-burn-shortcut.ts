import { useEffect } from 'react';
import { useAppStore } from '../../store';
import { IMAGE_FILE } from './BurnImageView';

/**
 * Ctrl+B (Cmd+B) opens the burn dialog for what the current view holds: the data project, or the
 * image file selected in "Burn an image file", the image just written in "Write an image file". Nothing opens while a job runs or a dialog is up.
 */
export function useBurnShortcut(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== 'b' || e.shiftKey || e.altKey) return;
      const s = useAppStore.getState();
      if (s.burnDialog || (s.job && (s.job.state === 'running' || s.job.state === 'cancelling'))) return;
      if (s.view === 'data') {
        if (!s.project || s.project.files + s.project.folders === 0) return;
        s.openBurnDialog({ kind: 'project' });
      } else if (s.view === 'audio') {
        if (!s.audio?.tracks.length || s.audio.summary.problem) return;
        s.openBurnDialog({ kind: 'audio' });
      } else if (s.view === 'image') {
        if (!s.lastImage?.path || s.project?.busy) return;
        s.openBurnDialog({ kind: 'imageFile', path: s.lastImage.path });
      } else if (s.view === 'burnImage') {
        const path = s.hostSelection.length === 1 ? s.hostSelection[0] : undefined;
        const entry = s.listing?.entries.find((x) => x.path === path);
        if (!entry || entry.kind !== 'file' || !IMAGE_FILE.test(entry.name)) return;
        s.openBurnDialog({ kind: 'imageFile', path: entry.path });
      } else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
