import { afterAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startWorkerEarly, takeEarlyWorker } from './early-worker';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-early-worker-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function script(name: string, code: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, code);
  return file;
}

describe('workers started early', () => {
  it('are handed out once, to the same entry without execArgv', async () => {
    const file = script('idle.mjs', "import { parentPort } from 'node:worker_threads'; parentPort.on('message', (m) => parentPort.postMessage(m));");
    const started = startWorkerEarly(file);
    expect(takeEarlyWorker(new URL(`file://${file}`))).toBeUndefined(); // a URL entry (a tsx bootstrap) never takes one
    expect(takeEarlyWorker(file, ['--no-warnings'])).toBeUndefined();
    const taken = takeEarlyWorker(path.join(tmp, '.', 'idle.mjs'));
    expect(taken).toBe(started);
    expect(takeEarlyWorker(file)).toBeUndefined();
    taken!.postMessage('ping');
    const [reply] = await once(taken!, 'message');
    expect(reply).toBe('ping');
    await taken!.terminate();
  });

  it('one that failed before it was taken is not handed out, and its error ends nothing', async () => {
    const file = script('broken.mjs', "throw new Error('broken entry');");
    const started = startWorkerEarly(file);
    await new Promise((r) => started.once('exit', r)); // (events.once would reject on the 'error' first)
    expect(takeEarlyWorker(file)).toBeUndefined();
  });
});
