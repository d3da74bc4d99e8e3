// A process whose only pending work is a pool job: it must stay alive until the job settles.
import { fileURLToPath } from 'node:url';
import { WorkerPool } from '../worker-pool';
import { tsWorkerScript } from '../ts-worker-script';

const pool = new WorkerPool({ script: tsWorkerScript(fileURLToPath(new URL('./test-worker.ts', import.meta.url))), size: 1 });
const total = await pool.run<number>('sum', { values: [20, 22] });
console.log(`total=${total}`);
await pool.close();
