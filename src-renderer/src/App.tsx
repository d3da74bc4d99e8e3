import { useEffect } from 'react';
import { useAppStore } from './store';
import { shell, watchConnection } from './ipc/client';
import { DrivePanel } from './features/drives/DrivePanel';
import { ProjectArea } from './features/project/ProjectArea';
import { BurnBar } from './features/burn/BurnBar';

export function App() {
  const theme = useAppStore((s) => s.theme);
  const toggleTheme = useAppStore((s) => s.toggleTheme);
  const connected = useAppStore((s) => s.connected);
  const setConnected = useAppStore((s) => s.setConnected);
  const loadDrives = useAppStore((s) => s.loadDrives);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(
    () =>
      watchConnection((c) => {
        setConnected(c);
        if (c) void loadDrives();
      }),
    [setConnected, loadDrives],
  );

  return (
    <div className="app">
      <a className="skip-link" href="#project-heading">
        Skip to project
      </a>
      <header className="app-header">
        <h1>
          <span className="logo" aria-hidden="true" />
          Glassmaster
        </h1>
        <span className={`connection ${connected ? 'ok' : 'down'}`} data-testid="connection">
          {connected ? (shell === 'electron' ? 'Ready' : 'Connected') : 'Disconnected'}
        </span>
        <button type="button" className="theme-toggle" onClick={toggleTheme} aria-pressed={theme === 'dark'}>
          Dark theme
        </button>
      </header>
      <main className="app-main">
        <DrivePanel />
        <ProjectArea />
      </main>
      <BurnBar />
    </div>
  );
}
