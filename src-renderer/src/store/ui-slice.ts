import type { StateCreator } from 'zustand';
import type { AppState } from './use-app-store';
import type { UiError } from './errors';

export type Theme = 'light' | 'dark';
/** The views the first screen leads to (jobs.ts lists the jobs and their views). */
export type View = 'home' | 'data' | 'image' | 'burnImage' | 'erase' | 'verify' | 'read' | 'boot' | 'audio' | 'multisession' | 'copy';

export interface UiSlice {
  theme: Theme;
  connected: boolean;
  /** The connection dropped after it had been up (the page says what to do). */
  connectionLost: boolean;
  view: View;
  /** Text for the polite live region (renames, adds, saves …). */
  announcement: string;
  /** The error the UI shows (one at a time; detail behind a click). */
  error: UiError | undefined;
  toggleTheme(): void;
  setConnected(connected: boolean): void;
  setView(view: View): void;
  announce(text: string): void;
  showError(error: UiError | undefined): void;
}

function initialTheme(): Theme {
  const saved = globalThis.localStorage?.getItem('glassmaster.theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = (set, get) => ({
  theme: initialTheme(),
  connected: false,
  connectionLost: false,
  view: 'home',
  announcement: '',
  error: undefined,
  toggleTheme() {
    const theme: Theme = get().theme === 'dark' ? 'light' : 'dark';
    globalThis.localStorage?.setItem('glassmaster.theme', theme);
    set({ theme });
  },
  setConnected(connected) {
    set((s) => ({ connected, connectionLost: connected ? false : s.connectionLost || s.connected }));
  },
  setView(view) {
    set({ view });
  },
  announce(announcement) {
    set({ announcement });
  },
  showError(error) {
    set({ error });
  },
});
