// A Node script (for `node -e`) that starts a worker thread looping in the addon's scanDir and
// terminates it mid-call, five times; it prints "all terminated" if the process survives. The image
// engine's pool terminates a worker stuck in synchronous work after a cancel's grace period
// (workers/worker-pool.ts), e.g. mid-scan of a huge folder: the process must live on. Run on the
// suite's Node (native-addon-safety.test.ts) and on Electron's (electron-node-runtime.test.ts).
export function terminateInsideNativeCallScript(addonFile: string, dirToScan: string): string {
  const inWorker = `const a = require(${JSON.stringify(addonFile)}); require('node:worker_threads').parentPort.postMessage(0); for (;;) a.scanDir(${JSON.stringify(dirToScan)}, false);`;
  return `const { Worker } = require('node:worker_threads');
    let left = 5;
    const one = () => {
      const w = new Worker(${JSON.stringify(inWorker)}, { eval: true });
      w.once('message', () => setTimeout(() => w.terminate().then(() => (--left > 0 ? one() : console.log('all terminated'))), 30));
    };
    one();`;
}
