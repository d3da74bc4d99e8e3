import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store';
import { cancelConsequence, jobAction, jobFraction, type DriveJob } from '../../store/drive-job-slice';
import { Modal } from '../../shared/Modal';
import { formatBytes } from '../../shared/format';

/** "1:05" / "1:02:03" */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

/** The running job's progress, the cancel confirmation, then the result with its log. */
export function JobDialog() {
  const id = useAppStore((s) => s.job?.id);
  // A fresh dialog per job: no cancel question carried over from the last one.
  return id === undefined ? null : <JobView key={id} />;
}

function JobView() {
  const { t } = useTranslation();
  const job = useAppStore((s) => s.job);
  const cancelJob = useAppStore((s) => s.cancelJob);
  const dismissJob = useAppStore((s) => s.dismissJob);
  const media = useAppStore((s) => (s.job ? s.media[s.job.address] : undefined));
  const [confirming, setConfirming] = useState(false);
  if (!job) return null;
  const running = job.state === 'running' || job.state === 'cancelling';

  const onEscape = () => {
    if (!running) dismissJob();
    else if (confirming) setConfirming(false);
    else if (job.state === 'running') setConfirming(true);
  };

  return (
    <Modal labelledBy="job-heading" onEscape={onEscape} testId="job-dialog" className="job-dialog">
      <h2 id="job-heading">
        {t(`jobrun.title_${job.kind}`)}
        {!running && ` — ${t(job.state === 'done' ? 'jobrun.done' : job.state === 'cancelled' ? 'jobrun.cancelled' : 'jobrun.failed')}`}
      </h2>
      <p className="muted job-subject">
        {job.subject} · {job.address}
      </p>
      {running && <Progress job={job} />}
      {running && confirming && job.state === 'running' && (
        <div className="confirm" role="alertdialog" aria-labelledby="cancel-q" aria-describedby="cancel-what" data-testid="cancel-confirm">
          <p id="cancel-q">
            <strong>{t('jobrun.confirmCancel')}</strong>
          </p>
          <p id="cancel-what">{cancelConsequence(job, media)}</p>
          <div className="button-row">
            <button
              type="button"
              className="danger"
              onClick={() => {
                setConfirming(false);
                cancelJob();
              }}
            >
              {t('jobrun.cancelYes')}
            </button>
            <button type="button" autoFocus onClick={() => setConfirming(false)}>
              {t('jobrun.cancelNo')}
            </button>
          </div>
        </div>
      )}
      {running && !confirming && (
        <div className="button-row">
          {/* Focus comes back here when the cancel question is answered "keep going". */}
          <button type="button" autoFocus onClick={() => setConfirming(true)} disabled={job.state === 'cancelling'}>
            {job.state === 'cancelling' ? t('jobrun.cancelling') : t('jobrun.cancel')}
          </button>
        </div>
      )}
      {!running && <Result job={job} />}
      {!running && (
        <>
          <JobLog job={job} />
          <div className="button-row">
            {/* The job ended: focus moves to Close, so Escape and Enter work at once. */}
            <button type="button" className="primary" autoFocus onClick={dismissJob}>
              {t('jobrun.close')}
            </button>
          </div>
        </>
      )}
    </Modal>
  );
}

function Bar({ label, value, testId }: { label: string; value: number | undefined; testId?: string }) {
  return (
    <label className="bar">
      <span>{label}</span>
      <progress max={1} value={value ?? 0} data-testid={testId} />
      <span className="num">{value === undefined ? '–' : `${Math.round(value * 100)} %`}</span>
    </label>
  );
}

function Progress({ job }: { job: DriveJob }) {
  const { t } = useTranslation();
  const fraction = jobFraction(job);
  const percent = fraction === undefined ? undefined : Math.floor(fraction * 100);
  const action = t(`jobrun.action_${jobAction(job)}`);
  const b = job.burn;
  const d = job.disc;
  const elapsed = b?.elapsedMs ?? job.erase?.elapsedMs ?? d?.elapsedMs ?? 0;
  // Time left: the burner's own estimate while writing; else from the step's rate so far.
  const remaining = b?.remainingMs ?? (d && d.sectorsDone > 0 ? (d.elapsedMs * (d.totalSectors - d.sectorsDone)) / d.sectorsDone : undefined);
  return (
    <div className="job-progress">
      <p className="job-action" data-testid="job-action">
        <strong>{action}</strong>
        {b && b.copies > 1 && ` (${t('jobrun.copyOf', { copy: b.copy, copies: b.copies })})`}
        {percent !== undefined && <span data-testid="job-percent"> — {t('jobrun.percent', { percent })}</span>}
      </p>
      <progress className="job-bar" max={1} value={fraction} aria-label={t('jobrun.progress')} aria-valuetext={percent !== undefined ? `${action} ${percent} %` : action} />
      {/* Polite live region: the action and every tenth percent, not every tick. */}
      <p className="visually-hidden" role="status" aria-live="polite">
        {action}
        {percent !== undefined ? ` ${Math.floor(percent / 10) * 10} %` : ''}
      </p>
      <div className="job-facts">
        {b && b.totalBytes > 0 && <span>{t('jobrun.written', { done: formatBytes(b.bytesWritten), total: formatBytes(b.totalBytes) })}</span>}
        {b && b.action === 'writing' && (
          <span data-testid="job-speed">{t('jobrun.speed', { speed: `${b.speedLabel}` })}</span>
        )}
        {d && d.totalSectors > 0 && <span>{t('jobrun.written', { done: formatBytes(d.bytesDone), total: formatBytes(d.totalSectors * 2048) })}</span>}
        {d && d.kBps > 0 && <span data-testid="job-speed">{t('jobrun.speed', { speed: `${formatBytes(d.kBps * 1000)}/s` })}</span>}
        {d && d.badSectors > 0 && <span className="error">{t('jobrun.badSectors', { count: d.badSectors })}</span>}
        {remaining !== undefined && <span data-testid="job-time-left">{t('jobrun.timeLeft', { time: formatDuration(remaining) })}</span>}
        <span className="muted">{t('jobrun.elapsed', { time: formatDuration(elapsed) })}</span>
      </div>
      {d?.file && <p className="muted small">{t('jobrun.file', { file: d.file })}</p>}
      {/* One-drive copy: the source is read; the recorder asks for the blank disc. */}
      {b?.action === 'waiting-for-disc' && b.message && (
        <p className="notice" role="alert" data-testid="swap-prompt">
          {b.message}
        </p>
      )}
      {b && (
        <div className="buffers">
          <Bar label={t('jobrun.ring')} value={b.ringFill} testId="ring-fill" />
          <Bar label={t('jobrun.driveBuffer')} value={b.driveBufferFill} testId="drive-buffer-fill" />
        </div>
      )}
    </div>
  );
}

function Result({ job }: { job: DriveJob }) {
  const { t } = useTranslation();
  if (job.state === 'cancelled') {
    return (
      <p className="notice" data-testid="job-cancelled">
        {job.cancelMessage}
      </p>
    );
  }
  if (job.state === 'failed' && job.error) {
    return (
      <div data-testid="job-error">
        <p className="error">{job.error.message}</p>
        {job.error.detail && (
          <details>
            <summary>{t('error.details')}</summary>
            <pre>{job.error.detail}</pre>
          </details>
        )}
        {job.burnResult && <BurnOutcome job={job} />}
      </div>
    );
  }
  if (job.nothingChosen) return <p className="muted">{t('jobrun.nothingChosen')}</p>;
  return (
    <div className="job-result" data-testid="job-result">
      {job.copyResult && <p className="ok">{t('copyjob.result', { from: job.copyResult.from, to: job.copyResult.to })}</p>}
      {job.burnResult && <BurnOutcome job={job} />}
      {job.audioResult && <AudioBurnOutcome job={job} />}
      {job.media && <p className="ok">{t(`jobrun.result_${job.kind}`, { profile: job.media.profile, status: job.media.status })}</p>}
      {job.verifyReport && (
        <>
          <p className={job.verifyReport.ok ? 'ok' : 'error'} data-testid="verify-summary">
            {job.verifyReport.summary}
          </p>
          {job.verifyReport.files.length > 0 && (
            <ul className="file-results">
              {job.verifyReport.files.slice(0, 200).map((f) => (
                <li key={f.path}>
                  <code>{f.status}</code> {f.path}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {job.readReport && (
        <>
          <p className="ok">{t('jobrun.result_read', { files: job.readReport.files.join(', '), bytes: formatBytes(job.readReport.bytes) })}</p>
          <p className="muted small">{t('jobrun.sha', { sha: job.readReport.sha256 })}</p>
          {job.readReport.bad.unreadableCount > 0 && <p className="error">{t('jobrun.readBad', { count: job.readReport.bad.unreadableCount })}</p>}
        </>
      )}
    </div>
  );
}

function BurnOutcome({ job }: { job: DriveJob }) {
  const { t } = useTranslation();
  const r = job.burnResult!;
  const simulated = r.copies.some((c) => c.simulated);
  return (
    <>
      {r.ok && <p className="ok">{t(simulated ? 'jobrun.result_simulated' : 'jobrun.result_burn')}</p>}
      <p>{r.discState}</p>
      <h3>{t('jobrun.verification')}</h3>
      <ul className="verify-results" data-testid="verify-outcome">
        {r.copies.map((c) => {
          const v = c.verify;
          const count = (ranges: { start: number; end: number }[]) => ranges.reduce((n, x) => n + x.end - x.start, 0);
          return (
            <li key={c.copy} className={!v || v.level === 'none' ? 'muted' : v.ok ? 'ok' : 'error'}>
              {r.copies.length > 1 && `${t('jobrun.copyOf', { copy: c.copy, copies: r.copies.length })}: `}
              {!v || v.level === 'none'
                ? t('jobrun.verifyNone')
                : v.ok
                  ? t('jobrun.verifyPassed', { level: t(`jobrun.level_${v.level}`), sectors: v.sectorsChecked })
                  : [t('jobrun.verifyFailedLine', { level: t(`jobrun.level_${v.level}`) }), ...v.layout.problems, v.mismatched.length ? t('jobrun.mismatched', { count: count(v.mismatched) }) : '', v.unreadable.length ? t('jobrun.unreadable', { count: count(v.unreadable) }) : ''].filter(Boolean).join('; ')}
            </li>
          );
        })}
      </ul>
    </>
  );
}

/** An audio CD burn: what was written, in which mode and why, and the read-back. */
function AudioBurnOutcome({ job }: { job: DriveJob }) {
  const { t } = useTranslation();
  const r = job.audioResult!;
  const seconds = (r.leadOut + 150) / 75;
  return (
    <>
      <p className="ok">{r.simulated ? t('audio.resultSimulated') : t('audio.resultBurned', { tracks: r.tracks.length, time: formatDuration(seconds * 1000) })}</p>
      <p data-testid="audio-mode-result">{t('audio.resultMode', { mode: t(`audio.mode_${r.mode}`), reason: r.reason })}</p>
      {r.dropped.length > 0 && <p className="notice">{t('audio.resultDropped', { what: r.dropped.join(', ') })}</p>}
      <p>{r.discState}</p>
      <h3>{t('jobrun.verification')}</h3>
      <ul className="verify-results" data-testid="verify-outcome">
        <li className={r.verifiedSectors > 0 ? 'ok' : 'muted'}>{r.verifiedSectors > 0 ? t('audio.verifyPassed', { sectors: r.verifiedSectors }) : t('audio.verifyNone')}</li>
      </ul>
    </>
  );
}

/** The job's log: shown folded, saved as a file (a download: both shells) or copied. */
function JobLog({ job }: { job: DriveJob }) {
  const { t } = useTranslation();
  const announce = useAppStore((s) => s.announce);
  const text = `${job.log.join('\n')}\n`;
  const save = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `glassmaster-${job.kind}-${new Date(job.startedAt).toISOString().replace(/[:.]/g, '-')}.log`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      announce(t('jobrun.copied'));
    } catch {
      // No clipboard permission (plain http in some browsers): select the text so Ctrl+C copies it.
      const pre = document.getElementById('job-log');
      if (pre) getSelection()?.selectAllChildren(pre);
    }
  };
  return (
    <details className="job-log">
      <summary>{t('jobrun.log')}</summary>
      <pre id="job-log" data-testid="job-log">
        {text}
      </pre>
      <div className="button-row">
        <button type="button" onClick={save}>
          {t('jobrun.saveLog')}
        </button>
        <button type="button" onClick={() => void copy()}>
          {t('jobrun.copyLog')}
        </button>
      </div>
    </details>
  );
}
