// A process that prestarts a pool and then has nothing to do: it must exit (idle workers are unref'd).
import { fileURLToPath } from 'node:url';
import { WorkerPool } from '../worker-pool';
import { tsWorkerScript } from '../ts-worker-script';

new WorkerPool({ script: tsWorkerScript(fileURLToPath(new URL('./test-worker.ts', import.meta.url))), size: 2 }).prestart();
console.log('prestarted');
