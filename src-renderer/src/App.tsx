import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from './store';
import { shell, watchConnection, watchConnectionProblem, type ConnectionProblem } from './ipc/client';
import { Home } from './features/home/Home';
import { DataView } from './features/project/DataView';
import { ImageView } from './features/image/ImageView';
import { BootView } from './features/boot/BootView';
import { ErrorNote } from './shared/ErrorNote';
import { BurnImageView } from './features/burn/BurnImageView';
import { BurnDialog } from './features/burn/BurnDialog';
import { JobDialog } from './features/burn/JobDialog';
import { useBurnShortcut } from './features/burn/use-burn-shortcut';
import { EraseView, ReadView, VerifyView } from './features/disc/DiscViews';
import { AudioView } from './features/audio/AudioView';
import { MultisessionView } from './features/session/MultisessionView';
import { CopyView } from './features/disc/CopyView';

export function App() {
  const { t } = useTranslation();
  const theme = useAppStore((s) => s.theme);
  const toggleTheme = useAppStore((s) => s.toggleTheme);
  const connected = useAppStore((s) => s.connected);
  const connectionLost = useAppStore((s) => s.connectionLost);
  const setConnected = useAppStore((s) => s.setConnected);
  const loadDrives = useAppStore((s) => s.loadDrives);
  const loadProject = useAppStore((s) => s.loadProject);
  const view = useAppStore((s) => s.view);
  const setView = useAppStore((s) => s.setView);
  const announcement = useAppStore((s) => s.announcement);
  const [problem, setProblem] = useState<ConnectionProblem>(undefined);
  useEffect(() => watchConnectionProblem(setProblem), []);
  useBurnShortcut();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(
    () =>
      watchConnection((c) => {
        setConnected(c);
        if (c) {
          void loadDrives();
          void loadProject();
          void useAppStore.getState().loadAudio();
        }
      }),
    [setConnected, loadDrives, loadProject],
  );

  return (
    <div className="app">
      <a className="skip-link" href="#project-heading">
        {t('app.skipToProject')}
      </a>
      <header className="app-header">
        <h1>
          <span className="logo" aria-hidden="true" />
          {t('app.title')}
        </h1>
        {view !== 'home' && (
          <button type="button" onClick={() => setView('home')}>
            ← {t('app.home')}
          </button>
        )}
        <span className={`connection ${connected ? 'ok' : 'down'}`} data-testid="connection">
          {connected ? (shell === 'electron' ? t('app.ready') : t('app.connected')) : t('app.disconnected')}
        </span>
        <button type="button" className="theme-toggle" onClick={toggleTheme} aria-pressed={theme === 'dark'}>
          {t('app.darkTheme')}
        </button>
      </header>
      {connectionLost && !connected && (
        <div className="banner" role="alert" data-testid="connection-lost">
          <p>{t('app.lost')}</p>
          {/* Exactly what to do: wait (it comes back at this address), or open the address it printed. */}
          <p className="muted" data-testid="reconnect-hint">
            {problem === 'refused' ? t('reconnect.restarted', { origin: location.origin }) : t('reconnect.gone', { origin: location.origin })}
          </p>
        </div>
      )}
      <ErrorNote />
      <main className="app-main">
        {view === 'home' && <Home />}
        {view === 'data' && <DataView />}
        {view === 'image' && <ImageView />}
        {view === 'burnImage' && <BurnImageView />}
        {view === 'erase' && <EraseView />}
        {view === 'verify' && <VerifyView />}
        {view === 'read' && <ReadView />}
        {view === 'boot' && <BootView />}
        {view === 'audio' && <AudioView />}
        {view === 'multisession' && <MultisessionView />}
        {view === 'copy' && <CopyView />}
      </main>
      <BurnDialog />
      <JobDialog />
      <div className="visually-hidden" role="status" aria-live="polite" data-testid="announcement">
        {announcement}
      </div>
    </div>
  );
}
