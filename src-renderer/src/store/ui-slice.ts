import type { StateCreator } from 'zustand';
import type { AppState } from './use-app-store';

export type Theme = 'light' | 'dark';

export interface UiSlice {
  theme: Theme;
  connected: boolean;
  toggleTheme(): void;
  setConnected(connected: boolean): void;
}

function initialTheme(): Theme {
  const saved = globalThis.localStorage?.getItem('glassmaster.theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = (set, get) => ({
  theme: initialTheme(),
  connected: false,
  toggleTheme() {
    const theme: Theme = get().theme === 'dark' ? 'light' : 'dark';
    globalThis.localStorage?.setItem('glassmaster.theme', theme);
    set({ theme });
  },
  setConnected(connected) {
    set({ connected });
  },
});
