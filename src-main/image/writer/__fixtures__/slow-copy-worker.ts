// A copy worker that is not up for 30 s (data-copier.test.ts: a stream whose help() copied every
// batch before any copying thread started must end without waiting for one).
await new Promise((resolve) => setTimeout(resolve, 30_000));
await import('../../worker/copy-worker');
export {};
