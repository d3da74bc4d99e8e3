import { useEffect, useState } from 'react';
import { useAppStore } from '../../store';
import { DrivePanel } from '../drives/DrivePanel';
import { FilePane } from '../files/FilePane';
import { ProjectPane } from './ProjectPane';
import { PreflightPanel } from './PreflightPanel';

/** New data disc: drives, the host's files, and the project side by side (K3b's layout). */
export function DataView() {
  const [saving, setSaving] = useState(false);
  const openProject = useAppStore((s) => s.openProject);

  // Shortcuts: Ctrl+S save, Ctrl+O open the selected project file, Ctrl+Z undo, Ctrl+Shift+N new folder.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey)) return;
      const s = useAppStore.getState();
      const key = e.key.toLowerCase();
      if (key === 's') setSaving(true);
      else if (key === 'o' && s.hostSelection.length === 1 && s.hostSelection[0].endsWith('.glassmaster')) void s.openProject(s.hostSelection[0]);
      else if (key === 'z' && !(e.target instanceof HTMLInputElement)) void s.undo();
      else if (key === 'n' && e.shiftKey) void s.newFolder();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="view view-data">
      <div className="side-column">
        <DrivePanel />
        <PreflightPanel />
      </div>
      <FilePane onOpenProject={(p) => void openProject(p)} />
      <ProjectPane saving={saving} setSaving={setSaving} />
    </div>
  );
}
