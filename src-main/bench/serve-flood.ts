// How much memory one hostile browser-shell client can make the server hold (issue 13: a client
// that sends calls and never reads grew `serve` from 127 to 461 MB). Starts the server in its own
// process (src-main/ipc/__fixtures__/serve-child.ts), connects one authenticated client, stops
// reading its socket and sends calls as fast as it can for DURATION seconds, sampling the server's
// RSS from /proc. Prints start, peak and end RSS and whether the server closed the client.
//
//   node --import tsx src-main/bench/serve-flood.ts [DURATION_S=20] [LIST_ITEMS=400]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const durationS = Number(process.argv[2] ?? 20);
const listItems = Number(process.argv[3] ?? 400);
const fixture = fileURLToPath(new URL('../ipc/__fixtures__/serve-child.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, GM_FIXTURE_LIST_ITEMS: String(listItems) } });
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
const ws = new WebSocket(`ws://127.0.0.1:${port}/ipc?token=child-token`, { origin: `http://127.0.0.1:${port}` });
await new Promise((r) => ws.once('open', r));
let closedAt: number | undefined;
const t0 = performance.now();
ws.on('close', () => (closedAt ??= performance.now() - t0));
ws.on('error', () => (closedAt ??= performance.now() - t0));
(ws as unknown as { _socket: net.Socket })._socket.pause();
const start = rssMb();
let peak = start;
let sent = 0;
const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 200);
let id = 0;
while (performance.now() - t0 < durationS * 1000 && closedAt === undefined && ws.readyState === ws.OPEN) {
  // Send in bursts and yield, as a client would; keep our own send queue small.
  if (ws.bufferedAmount < 1 << 20) {
    for (let i = 0; i < 200; i++) ws.send(JSON.stringify({ kind: 'call', id: ++id, method: 'devices.list', params: {} }));
    sent += 200;
  }
  await new Promise((r) => setTimeout(r, 5));
}
// A paused socket may not notice the server's close; writing shows whether the server is still there.
await new Promise((r) => setTimeout(r, 1000));
const end = rssMb();
clearInterval(sampler);
console.log(JSON.stringify({ durationS, listItems, calls: sent, rssStartMb: +start.toFixed(1), rssPeakMb: +peak.toFixed(1), rssEndMb: +end.toFixed(1), clientClosedAfterMs: closedAt === undefined ? null : Math.round(closedAt) }));
ws.terminate();
child.kill();
process.exit(0);
