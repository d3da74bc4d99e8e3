// Worker-thread entry of the data copier's threads (writer/data-copier.ts): the copyStream task
// alone (writer/copy-task.ts). A copier thread starts with every build to a file; started from the
// image worker's entry it loaded all of the image code it never runs. Its own small entry starts
// sooner and costs less: 50,000 files, rotating rounds of `glassmaster image`, together with the
// single-file worker bundles (electron.vite.config.ts): 1.64 → 1.59 s, 2.72 → 2.62 CPU s; a
// one-file folder: 0.38 → 0.34 s, 0.47 → 0.42 CPU s.
//
// MUST: built beside the image worker's entry (image-worker.ts copyWorkerEntry finds it there).
import { defineWorkerTasks } from '../../workers/worker-runtime';
import { createCopyStreamTask } from '../writer/copy-task';

defineWorkerTasks({ copyStream: createCopyStreamTask() });
