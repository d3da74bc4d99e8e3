// The composition root of the services, shared by every shell (Electron, browser, CLI): builds
// the drive service over all transports, the event hub, and the IPC handlers of the contract.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EventHub, type Handlers } from '../ipc/dispatcher';
import { DiscService } from '../read/disc-service';
import { discHandlers } from '../read/disc-ipc';
import { audioProjectIpc } from '../audio/audio-project-ipc';
import { DriveService } from '../drive/drive-service';
import { NativeTransport } from '../transport/native/native-transport';
import { VirtualTransport } from '../transport/virtual/virtual-transport';
import { IscsiTransport } from '../transport/iscsi/iscsi-transport';
import { packageInfo } from './package-info';
import { loadConfig } from './config';
import { iscsiIpc } from './iscsi-ipc';
import { imageWorkerScript } from './image-worker-script';
import { ImageEngine } from '../image/image-engine';
import { ProjectService } from '../project/project-service';
import type { Dialogs } from '../project/dialogs';
import { BurnService, type ByteSourceFactory } from '../burn/burn-service';
import { CopyService } from '../burn/copy-service';
import { copyHandlers } from '../burn/copy-ipc';
import { sessionFilesHandler } from '../burn/session-files';
import { stashTreeHandlers } from '../project/drop-tree';
import { imageFileSourceFactory, projectSourceFactory } from '../burn/burn-sources';
import { projectBurnSource } from '../burn/engine-sources';
import { audioBurnHandler } from '../burn/audio-burn-ipc';
import { planAudioModes } from '../burn/audio-mode-plan';
import { openProjectFile } from '../audio/audio-project-file';
import { HostFiles } from '../project/host-files';
import { DropStash } from '../project/drop-stash';
import { dirname } from 'node:path';

export interface ServicesOptions {
  shell: 'electron' | 'browser' | 'cli';
  /** Where settings and virtual recorders live (GLASSMASTER_STATE_DIR, else ~/.config/glassmaster). */
  stateDir?: string;
  /** Watch drives for hot-plug and media changes (the shells do; one-shot CLI commands don't). */
  watch?: boolean;
  /** Native dialogs, where the shell has them (Electron). */
  dialogs?: Dialogs;
  /** The image engine's worker entry (default: the built one, or the TS source under tsx). */
  imageWorker?: string | URL;
  /** The open project as a burnable byte source (ImageEngine.source(spec)); burn.start {kind:'project'} uses it. */
  projectSource?: () => ByteSourceFactory | Promise<ByteSourceFactory>;
  /** iSCSI drives for this run only, besides config.json's (`serve --iscsi`). */
  iscsiDrives?: string[];
}

export interface Services {
  handlers: Handlers;
  hub: EventHub;
  drives: DriveService;
  virtual: VirtualTransport;
  project: ProjectService;
  burner: BurnService;
  /** Disc copies (copy --from --to, disc.copy); one-drive copies keep their temporary image in <stateDir>/copy. */
  copier: CopyService;
  files: HostFiles;
  stash: DropStash;
  /** The one image engine (started on first use): `glassmaster burn SRC…` streams through it. */
  images(): ImageEngine;
  /** Busy (burning) state for the shell: power-save blocker, taskbar progress (0..1). */
  onBusyChange(listener: (busy: boolean, progress?: number) => void): () => void;
  close(): Promise<void>;
}

export function defaultStateDir(): string {
  return process.env.GLASSMASTER_STATE_DIR ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'glassmaster');
}

/**
 * With no optical drive and no virtual recorder, the app still has a burner to work with: an
 * embedded virtual recorder holding a blank DVD+R, as the issue tracker's "embedded default" asks.
 */
async function ensureDefaultRecorder(virtual: VirtualTransport, native: NativeTransport): Promise<void> {
  const listed = await virtual.list();
  // A recorder whose state.json is unusable (corrupt, a FIFO …) is reported and left alone; the others work.
  for (const p of virtual.problems()) console.warn(`[glassmaster] virtual recorder ${p.address} is unusable: ${p.error.message}`);
  if (listed.length > 0 || virtual.problems().length > 0) return;
  const realDrives = await native.list().catch(() => []);
  if (realDrives.length > 0) return;
  await virtual.create('default', { media: 'dvd+r', product: 'Virtual Recorder', pacing: 'paced' }).catch(async (err) => {
    // Another Glassmaster process may have created it a moment ago.
    if ((await virtual.list()).length === 0) throw err;
  });
}

export async function createServices(opts: ServicesOptions): Promise<Services> {
  const stateDir = opts.stateDir ?? defaultStateDir();
  const config = await loadConfig(stateDir);
  const virtual = new VirtualTransport({ stateDir: join(stateDir, 'virtual') });
  const native = new NativeTransport();
  const iscsi = new IscsiTransport([...config.iscsiDrives, ...(opts.iscsiDrives ?? [])]);
  const transports = [native, iscsi, virtual];
  // Rescans every 2 s: hot-plug shows up quickly; an iSCSI list is a TCP connect (login once a minute).
  const drives = new DriveService({ transports, rescanMs: 2000, leaseDir: join(stateDir, 'leases') });
  const burner = new BurnService({ drives });
  const copier = new CopyService({ drives, burner, tempDir: join(stateDir, 'copy') });
  await ensureDefaultRecorder(virtual, native);
  // Demos and the browser e2e: the virtual recorders named here write at their selected speed, so a
  // burn takes as long as on a real drive (and can be watched and cancelled).
  for (const name of (process.env.GLASSMASTER_VIRTUAL_PACING ?? '').split(',').filter(Boolean)) {
    try {
      virtual.setPacing(name, true);
    } catch (err) {
      console.warn(`[glassmaster] GLASSMASTER_VIRTUAL_PACING: ${(err as Error).message}`);
    }
  }
  const hub = new EventHub();
  const busyListeners = new Set<(busy: boolean, progress?: number) => void>();
  const watching = new AbortController();
  let engine: ImageEngine | undefined;
  const files = new HostFiles();
  const stash = new DropStash({ dir: join(stateDir, 'stash'), limit: process.env.GLASSMASTER_STASH_LIMIT ? Number(process.env.GLASSMASTER_STASH_LIMIT) : undefined });
  const images = () => (engine ??= new ImageEngine({ script: opts.imageWorker ?? imageWorkerScript() }));
  const project = new ProjectService({
    stateDir,
    stashDir: join(stateDir, 'stash'),
    engine: images,
    dialogs: opts.dialogs,
    onChange: (snapshot) => {
      hub.emit('project.onDidChange', snapshot);
      if (!snapshot.busy) busyListeners.forEach((l) => l(false));
    },
    onProgress: (progress) => {
      hub.emit('project.onProgress', progress);
      const fraction = progress.totalBytes ? progress.bytesWritten / progress.totalBytes : undefined;
      if (progress.phase !== 'done') busyListeners.forEach((l) => l(true, fraction));
    },
  });

  if (opts.watch ?? opts.shell !== 'cli') {
    const log = (address: string, err: Error) => console.warn(`[glassmaster] watching ${address}: ${err.message}`);
    void drives.watch(watching.signal, (ev) => hub.emit('devices.onMediaChange', { address: ev.address, media: ev.media }), {
      onError: log,
      onDrives: (list) => hub.emit('devices.onDidChange', { drives: list }),
      onBusy: (address, job) => hub.emit('devices.onBusyChange', { address, job: job ?? null }),
    });
  }

  const audio = audioProjectIpc(hub, { remember: (e) => project.rememberRecent(e) });
  const iscsiRule = iscsiIpc({ iscsi, stateDir, confirm: opts.dialogs?.confirmIscsiTarget?.bind(opts.dialogs) });
  const handlers: Handlers = iscsiRule.guard({
    'app.info': async () => ({ name: 'Glassmaster', version: packageInfo().version, shell: opts.shell === 'electron' ? 'electron' : 'browser', platform: process.platform }),
    'devices.list': () => drives.list(),
    'devices.media': ({ address }, signal) => drives.media(address, signal),
    'devices.eject': async ({ address }) => {
      await drives.eject(address);
      return null;
    },
    'devices.load': async ({ address }) => {
      await drives.load(address);
      return null;
    },
    'devices.addIscsi': ({ address }) => iscsiRule.add(address),
    'project.get': async () => project.snapshot(),
    'project.addFromDialog': ({ directories }) => project.addFromDialog(directories),
    'project.remove': async ({ name }) => project.remove(name),
    'project.clear': async () => project.clear(),
    'project.setLabel': async ({ label }) => project.setLabel(label),
    'project.setImageOptions': async ({ options }) => ({ options: project.setImageOptions(options) }),
    'project.writeImage': async (_params, signal) => {
      const written = await project.writeImageFromDialog(signal);
      return written && { bytes: written.bytes };
    },
    'burn.start': async ({ address, source, options }, signal) => {
      // The project's scans its request refers to stay held in the worker until the burn ends.
      let release: (() => void) | undefined;
      let open: ByteSourceFactory;
      if (source.kind === 'imageFile') open = await imageFileSourceFactory(source.path);
      else if (opts.projectSource) open = await projectSourceFactory(opts.projectSource);
      else ({ open, release } = await projectBurnSource(images, project, source.multisession, source.manifest ?? true, source.remove, signal));
      try {
        return await burner.burn(address, open, options, {
          signal,
          onProgress: (progress) => {
            hub.emit('burn.onProgress', { address, job: 'burn', progress });
            const fraction = progress.totalSectors ? progress.sectorsWritten / progress.totalSectors : undefined;
            busyListeners.forEach((l) => l(true, fraction));
          },
        });
      } finally {
        release?.();
        busyListeners.forEach((l) => l(false));
      }
    },
    'audio.burn': audioBurnHandler(drives, (address, progress) => hub.emit('burn.onProgress', { address, job: 'burn', progress }), () => audio.service.spec()),
    'audio.planBurn': ({ address }, signal) => planAudioModes(drives, address, audio.service.layout(), audio.service.hasCdText(), signal),
    'audio.addStashed': async ({ uploadIds, at }, signal) => {
      const paths: string[] = [];
      for (const id of uploadIds) paths.push(await stash.finish(id));
      return audio.service.addTracks(paths, at, signal);
    },
    'drive.erase': async ({ address, full }, signal) =>
      burner.erase(address, { full }, { signal, onProgress: (progress) => hub.emit('burn.onProgress', { address, job: 'erase', progress }) }),
    'drive.format': async ({ address, full, spareAreas }, signal) =>
      burner.format(address, { full, spareAreas }, { signal, onProgress: (progress) => hub.emit('burn.onProgress', { address, job: 'format', progress }) }),
    ...discHandlers(new DiscService(drives), hub, opts.dialogs),
    ...copyHandlers(copier, hub),
    ...sessionFilesHandler(drives, new DiscService(drives)),
    ...stashTreeHandlers(stash, project),
    ...audio.handlers,
    'files.places': () => files.places(),
    'files.list': ({ path, showHidden, sort, descending }) => files.list(path, { showHidden, sort, descending }),
    'project.list': async ({ path, offset, limit }) => project.list(path, offset, limit),
    'project.addPaths': async ({ paths, into }) => {
      const result = await project.addPaths(paths, into);
      files.remember(dirname(paths[0]));
      return result;
    },
    'project.newFolder': async ({ parent, name }) => project.newFolder(parent, name),
    'project.rename': async ({ path, name }) => project.rename(path, name),
    'project.move': async ({ paths, into }) => project.move(paths, into),
    'project.delete': async ({ paths }) => project.delete(paths),
    'project.undo': async () => project.undo(),
    'project.writeImageTo': ({ path, overwrite }, signal) => project.writeImageTo(path, overwrite ?? false, signal),
    'project.save': ({ path }) => project.save(path),
    'project.open': ({ path }, signal) => openProjectFile(path, project, audio.service, signal),
    'project.recent': () => project.recentProjects(),
    'project.getImageOptions': async () => ({ options: project.getImageOptions() }),
    'project.preflight': ({ maxSectors }, signal) => project.preflight(maxSectors, signal),
    'project.inspectBoot': ({ path }, signal) => project.inspectBoot(path, signal),
    'stash.begin': ({ name, size, tree, dir }) => stash.begin(name, size, { tree, dir }),
    'stash.chunk': ({ uploadId, offset, data }) => stash.chunk(uploadId, offset, Buffer.from(data, 'base64')),
    'stash.finish': async ({ uploadIds, into }) => {
      const paths: string[] = [];
      for (const id of uploadIds) paths.push(await stash.finish(id));
      return project.addPaths(paths, into, { label: `Add ${paths.length} dropped file${paths.length === 1 ? '' : 's'}` });
    },
    'stash.cancel': async ({ uploadId }) => {
      await stash.cancel(uploadId);
      return null;
    },
  });

  return {
    handlers,
    hub,
    drives,
    virtual,
    project,
    burner,
    copier,
    files,
    stash,
    images,
    onBusyChange(listener) {
      busyListeners.add(listener);
      return () => busyListeners.delete(listener);
    },
    async close() {
      watching.abort();
      await virtual.dispose();
      await project.dispose();
      await stash.dispose();
      await engine?.close();
      await audio.close();
      iscsiRule.close();
    },
  };
}
