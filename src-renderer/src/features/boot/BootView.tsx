import { useState } from 'react';
import { FilePane } from '../files/FilePane';
import { ProjectPane } from '../project/ProjectPane';
import { BootPanel } from './BootPanel';

/** Bootable disc: the host's files, the project tree (boot images are chosen from it), and the boot side. */
export function BootView() {
  const [saving, setSaving] = useState(false);
  return (
    <div className="view view-boot">
      <FilePane />
      <ProjectPane saving={saving} setSaving={setSaving} />
      <BootPanel />
    </div>
  );
}
