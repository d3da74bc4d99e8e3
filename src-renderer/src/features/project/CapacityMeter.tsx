import { useTranslation } from 'react-i18next';
import { CAPACITY_TARGETS, type CapacityTarget } from '../../shared/capacity';
import { useAppStore } from '../../store';
import { blocksToBytes, formatBytes } from '../../shared/format';

/** Share of the capacity from which the meter warns (amber) before it overflows (red). */
const NEARLY_FULL = 0.9;

/**
 * The image as built (the engine's plan: file data plus ISO 9660/Joliet/UDF structures) against
 * the writable disc in the selected drive or a chosen media size.
 */
export function CapacityMeter() {
  const { t } = useTranslation();
  const project = useAppStore((s) => s.project);
  const target = useAppStore((s) => s.capacityTarget);
  const setTarget = useAppStore((s) => s.setCapacityTarget);
  const media = useAppStore((s) => (s.selectedAddress ? s.media[s.selectedAddress] : undefined));
  const writable = media && (media.status === 'blank' || media.status === 'appendable');
  const discFree = writable ? blocksToBytes(media.freeBlocks) : 0;
  const capacity = target === 'disc' ? discFree : CAPACITY_TARGETS[target].bytes;
  const planned = project?.imageBytes ?? null;
  const bytes = planned ?? project?.totalBytes ?? 0;
  const over = capacity > 0 && bytes > capacity;
  const nearly = !over && capacity > 0 && bytes > capacity * NEARLY_FULL;
  const state = over ? 'over' : nearly ? 'nearly' : 'ok';
  const imageText = planned === null && bytes > 0 ? t('capacity.estimating', { bytes: formatBytes(bytes) }) : formatBytes(bytes);

  return (
    <div className="capacity" role="group" aria-label={t('capacity.label')}>
      <select aria-label={t('capacity.target')} value={target} onChange={(e) => setTarget(e.target.value as 'disc' | CapacityTarget)}>
        <option value="disc">{writable ? t('capacity.disc', { free: formatBytes(discFree) }) : t('capacity.noDisc')}</option>
        {(Object.keys(CAPACITY_TARGETS) as CapacityTarget[]).map((k) => (
          <option key={k} value={k}>
            {CAPACITY_TARGETS[k].label}
          </option>
        ))}
      </select>
      <div
        className={`capacity-bar ${state}`}
        role="meter"
        aria-label={t('capacity.meter')}
        aria-valuemin={0}
        aria-valuemax={Math.max(capacity, 1)}
        aria-valuenow={bytes}
        aria-valuetext={`${imageText} / ${formatBytes(capacity)}`}
        data-state={state}
        data-testid="capacity-meter"
      >
        <div className="capacity-fill" style={{ width: capacity ? `${Math.min(100, (bytes / capacity) * 100)}%` : '0%' }} />
      </div>
      <span className={over ? 'error' : 'muted'} data-testid="capacity-text">
        {t('capacity.text', { image: imageText, capacity: capacity ? formatBytes(capacity) : '—' })}
        {over && ` ${t('capacity.over', { bytes: formatBytes(bytes - capacity) })}`}
        {nearly && ` ${t('capacity.nearlyFull')}`}
      </span>
    </div>
  );
}
