// The recorder picker of every burn form (data/image burns and audio CDs): the drives named so two
// recorders can be told apart, with the loaded disc's type and "busy" while a job holds a drive;
// choosing one makes it the selected drive of the whole app. One component, so the two burn forms
// cannot drift apart.
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { driveName } from '../drives/DrivePanel';

export function RecorderSelect({ address }: { address: string }) {
  const { t } = useTranslation();
  const drives = useAppStore((s) => s.drives);
  const media = useAppStore((s) => s.media);
  const busy = useAppStore((s) => s.driveBusy);
  const selectDrive = useAppStore((s) => s.selectDrive);
  if (drives.length === 0) return <p className="error">{t('burn.noDrive')}</p>;
  return (
    <label className="field">
      {t('burn.drive')}
      <select value={address} onChange={(e) => selectDrive(e.target.value)}>
        {drives.map((d) => (
          <option key={d.address} value={d.address}>
            {driveName(d, drives)}
            {media[d.address] && media[d.address].status !== 'no-disc' ? ` — ${media[d.address].profile}` : ''}
            {busy[d.address] ? ` — ${t('burn.busy')}` : ''}
          </option>
        ))}
      </select>
    </label>
  );
}
