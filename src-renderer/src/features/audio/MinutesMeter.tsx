import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { atipLeadOut, formatMinutes, leadOutLimit, minutesMeter, type MinutesTarget } from '../../store/audio-slice';

/**
 * Playing time against a 74- or 80-minute CD, or the CD-R in the selected recorder (its ATIP
 * lead-out, the limit the burner checks). Amber when nearly full, red when it does not fit.
 */
export function MinutesMeter() {
  const { t } = useTranslation();
  const audio = useAppStore((s) => s.audio);
  const target = useAppStore((s) => s.minutesTarget);
  const setTarget = useAppStore((s) => s.setMinutesTarget);
  const media = useAppStore((s) => (s.selectedAddress ? s.media[s.selectedAddress] : undefined));
  const atip = atipLeadOut(media);
  const effective: MinutesTarget = target === 'disc' && atip === undefined ? 80 : target;
  const limit = effective === 'disc' ? atip! : leadOutLimit(effective);
  const m = minutesMeter(audio, limit);
  const used = formatMinutes(m.usedSeconds);
  const capacity = formatMinutes(m.capacitySeconds);
  return (
    <div className="capacity minutes" role="group" aria-label={t('audio.meterLabel')}>
      <select aria-label={t('audio.target')} value={String(target)} onChange={(e) => setTarget(e.target.value === 'disc' ? 'disc' : (Number(e.target.value) as 74 | 80))}>
        <option value="74">{t('audio.target74')}</option>
        <option value="80">{t('audio.target80')}</option>
        <option value="disc">{atip !== undefined ? t('audio.targetDisc', { time: formatMinutes((atip + 151) / 75) }) : t('audio.noCdr')}</option>
      </select>
      <div
        className={`capacity-bar ${m.state}`}
        role="meter"
        aria-label={t('audio.meter')}
        aria-valuemin={0}
        aria-valuemax={Math.round(m.capacitySeconds)}
        aria-valuenow={Math.round(m.usedSeconds)}
        aria-valuetext={`${used} / ${capacity}`}
        data-state={m.state}
        data-testid="minutes-meter"
      >
        <div className="capacity-fill" style={{ width: `${Math.min(100, (m.usedSeconds / m.capacitySeconds) * 100)}%` }} />
      </div>
      <span className={m.state === 'over' ? 'error' : 'muted'} data-testid="minutes-text">
        {t('audio.meterText', { used, capacity })}
        {m.state === 'over' && ` ${t('audio.over', { time: formatMinutes(m.usedSeconds - m.capacitySeconds) })}`}
        {m.state === 'nearly' && ` ${t('audio.nearlyFull')}`}
        {m.state === 'ok' && audio?.tracks.length ? ` ${t('audio.left', { time: formatMinutes(m.capacitySeconds - m.usedSeconds) })}` : ''}
      </span>
    </div>
  );
}
