import { useTranslation } from 'react-i18next';
import type { MediaInfo } from '../../../../src-main/common/model/drive';
import { formatSpeed } from '../../shared/format';

/** The write speed of a burn: "Maximum", then the disc's speeds as the drive lists them, in "×" (data and audio burns alike). */
export function SpeedSelect({ disc, speed, onChange }: { disc: MediaInfo | undefined; speed: 'max' | number; onChange: (speed: 'max' | number) => void }) {
  const { t } = useTranslation();
  return (
    <label className="field">
      {t('burn.speed')}
      <select value={String(speed)} onChange={(e) => onChange(e.target.value === 'max' ? 'max' : Number(e.target.value))}>
        <option value="max">{t('burn.speedMax')}</option>
        {(disc?.writeSpeeds ?? []).map((kBps) => (
          <option key={kBps} value={kBps}>
            {formatSpeed(kBps, disc!.profile)}
          </option>
        ))}
      </select>
    </label>
  );
}
