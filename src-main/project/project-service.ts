// The data-disc project: a staging tree of host files the user chose through the shell's dialogs
// (read only when the image streams out), summarised for the renderer by name and size, and
// written to an image file by the image engine in a worker thread.
import { basename, extname } from 'node:path';
import { StagingTree, type StagingNode } from '../image/staging/staging-tree';
import type { ImageEngine, ImageWorkerProgress } from '../image/image-engine';
import type { ImageRequest } from '../image/image-spec';
import { AppImageOptionsSchema, type AppImageOptions } from '../common/model/image-options';
import { InvalidInputError, NotFoundError, NotSupportedError, throwIfAborted } from '../common/errors';
import type { ImageProgress, ProjectEntry, ProjectSnapshot } from '../common/model/project';
import type { Dialogs } from './dialogs';

export interface ProjectServiceOptions {
  engine: () => ImageEngine;
  dialogs?: Dialogs;
  onChange?: (snapshot: ProjectSnapshot) => void;
  onProgress?: (progress: ImageProgress) => void;
}

function summarise(node: StagingNode): { bytes: number; descendants: number } {
  if (!node.children) return { bytes: node.size, descendants: 0 };
  let bytes = 0;
  let descendants = 0;
  for (const c of node.children.values()) {
    const s = summarise(c);
    bytes += s.bytes;
    descendants += 1 + s.descendants;
  }
  return { bytes, descendants };
}

/** "name", "name (2)", "name (3)" … keeping the extension, so two sources never collide. */
function uniqueName(wanted: string, taken: (n: string) => boolean): string {
  if (!taken(wanted)) return wanted;
  const ext = extname(wanted);
  const stem = wanted.slice(0, wanted.length - ext.length);
  for (let i = 2; ; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!taken(candidate)) return candidate;
  }
}

export class ProjectService {
  private tree = new StagingTree();
  private label = 'GLASSMASTER';
  private writing: AbortController | undefined;
  private imageOptions: AppImageOptions = {};

  constructor(private readonly opts: ProjectServiceOptions) {}

  snapshot(): ProjectSnapshot {
    const entries: ProjectEntry[] = [...(this.tree.root.children?.values() ?? [])].map((n) => ({ name: n.name, kind: n.kind, ...summarise(n) }));
    return { label: this.label, entries, totalBytes: entries.reduce((s, e) => s + e.bytes, 0), busy: this.writing !== undefined };
  }

  /** Adds host paths at the top of the disc (the dialogs' choice, or the CLI's arguments). */
  addPaths(hostPaths: string[]): ProjectSnapshot {
    this.assertIdle();
    for (const hostPath of hostPaths) {
      const name = uniqueName(basename(hostPath), (n) => this.tree.get(`/${n}`) !== undefined);
      this.tree.addHostPath(`/${name}`, hostPath);
    }
    return this.changed();
  }

  async addFromDialog(directories: boolean): Promise<ProjectSnapshot> {
    const chosen = await this.dialogs().chooseSources({ directories });
    return chosen.length ? this.addPaths(chosen) : this.snapshot();
  }

  remove(name: string): ProjectSnapshot {
    this.assertIdle();
    if (!this.tree.get(`/${name}`)) throw new NotFoundError(`"${name}" is not in the project`, { name });
    this.tree.remove(`/${name}`);
    return this.changed();
  }

  clear(): ProjectSnapshot {
    this.assertIdle();
    void this.tree.dispose();
    this.tree = new StagingTree();
    return this.changed();
  }

  /** The image options (common/model/image-options.ts) the next writeImage uses; the label stays setLabel's unless given here. */
  setImageOptions(options: AppImageOptions): AppImageOptions {
    this.imageOptions = AppImageOptionsSchema.parse(options);
    return this.imageOptions;
  }

  setLabel(label: string): ProjectSnapshot {
    this.label = label;
    return this.changed();
  }

  /** Asks where to save, then writes ISO 9660 + Joliet + Rock Ridge + UDF there. */
  async writeImageFromDialog(signal: AbortSignal): Promise<{ path: string; bytes: number } | null> {
    const path = await this.dialogs().chooseImageDestination({ defaultName: `${this.label}.iso` });
    return path ? this.writeImage(path, signal) : null;
  }

  async writeImage(path: string, signal: AbortSignal): Promise<{ path: string; bytes: number }> {
    throwIfAborted(signal);
    this.assertIdle();
    if (!this.tree.root.children?.size) throw new InvalidInputError('the project is empty: add files first');
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener('abort', abort, { once: true });
    this.writing = controller;
    this.changed();
    // The same options model and engine as `glassmaster image` (byte-identical for the same options and tree).
    const spec: ImageRequest = { options: { ...this.imageOptions, label: this.imageOptions.label ?? this.label }, root: this.tree.root };
    try {
      this.opts.onProgress?.({ phase: 'planning', bytesWritten: 0, totalBytes: 0 });
      const { bytes } = await this.opts.engine().writeFile(spec, path, {
        signal: controller.signal,
        onProgress: (p: ImageWorkerProgress) => {
          if (p.phase === 'writing') this.opts.onProgress?.({ phase: 'writing', bytesWritten: p.bytesWritten, totalBytes: p.totalBytes });
        },
      });
      this.opts.onProgress?.({ phase: 'done', bytesWritten: bytes, totalBytes: bytes });
      return { path, bytes };
    } finally {
      signal.removeEventListener('abort', abort);
      this.writing = undefined;
      this.changed();
    }
  }

  async dispose(): Promise<void> {
    this.writing?.abort();
    await this.tree.dispose();
  }

  private dialogs(): Dialogs {
    if (!this.opts.dialogs) throw new NotSupportedError('choosing files needs the desktop app; in a browser, build images with `glassmaster image`');
    return this.opts.dialogs;
  }

  private assertIdle(): void {
    if (this.writing) throw new InvalidInputError('an image is being written: wait for it or cancel it first');
  }

  private changed(): ProjectSnapshot {
    const s = this.snapshot();
    this.opts.onChange?.(s);
    return s;
  }
}
