// Picks the channel: Electron's preload bridge when present, else the browser shell's WebSocket
// (its token arrives in the URL fragment, which never reaches a server log).
import type { GlassmasterClient, ServerMessage } from '../../../src-main/common/ipc/contract';
import type { GlassmasterBridge } from '../../../src-main/preload/api';
import { MessageClient } from './message-client';
import { WebSocketChannel } from './ws-channel';

declare global {
  interface Window {
    glassmaster?: GlassmasterBridge;
  }
}

type ConnectionListener = (connected: boolean) => void;
const connectionListeners = new Set<ConnectionListener>();
export type ConnectionProblem = 'gone' | 'refused' | undefined;
const problemListeners = new Set<(problem: ConnectionProblem) => void>();

/** Why the browser shell cannot reconnect (ws-channel.ts onProblem); Electron never has one. */
export function watchConnectionProblem(listener: (problem: ConnectionProblem) => void): () => void {
  problemListeners.add(listener);
  return () => problemListeners.delete(listener);
}

function create(): { client: MessageClient; shell: 'electron' | 'browser'; start: () => void } {
  const bridge = window.glassmaster;
  if (bridge) {
    const client = new MessageClient({ send: async (m) => bridge.send(m) });
    bridge.onMessage((m) => client.receive(m as ServerMessage));
    return { client, shell: 'electron', start: () => connectionListeners.forEach((l) => l(true)) };
  }
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? sessionStorage.getItem('glassmaster.token') ?? '';
  if (token) sessionStorage.setItem('glassmaster.token', token);
  if (location.hash) history.replaceState(null, '', location.pathname);
  const channel = new WebSocketChannel(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ipc?token=${encodeURIComponent(token)}`);
  const client = new MessageClient(channel);
  channel.onMessage = (m) => client.receive(m);
  channel.onLost = () => client.failAll('connection to Glassmaster lost');
  channel.onStatus = (c) => connectionListeners.forEach((l) => l(c));
  channel.onProblem = (p) => problemListeners.forEach((l) => l(p));
  return { client, shell: 'browser', start: () => void channel.connect().catch(() => undefined) };
}

const created = create();
export const client: GlassmasterClient = created.client;
export const shell = created.shell;

/** Subscribes to connection state and opens the connection. */
export function watchConnection(listener: ConnectionListener): () => void {
  connectionListeners.add(listener);
  created.start();
  return () => connectionListeners.delete(listener);
}
