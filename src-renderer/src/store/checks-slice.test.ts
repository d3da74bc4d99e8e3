// The options, preflight and boot slice against the real services over the in-memory message pair
// (the dispatcher both shells use): what main accepted, what preflight found, what the written
// image's boot records say.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices, type Services } from '../../../src-main/app/services';
import { ClientSession } from '../../../src-main/ipc/dispatcher';
import type { ServerMessage } from '../../../src-main/common/ipc/contract';
import * as model from '../../../src-main/common/model/image-options';
import { MessageClient } from '../ipc/message-client';
import { createAppStore } from './use-app-store';
import { DEFAULT_FILE_SYSTEMS, FILE_SYSTEMS, UDF_REVISIONS, suggestedOptions, targetSectors } from './checks-slice';
import { CAPACITY_TARGETS } from '../shared/capacity';

const ISOLINUX = '/usr/lib/ISOLINUX/isolinux.bin';
let services: Services;
let dir: string;
let store: ReturnType<typeof createAppStore>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gm-checks-slice-'));
  mkdirSync(join(dir, 'tree', 'isolinux'), { recursive: true });
  mkdirSync(join(dir, 'tree', 'docs'), { recursive: true });
  for (let i = 0; i < 30; i++) writeFileSync(join(dir, 'tree', 'docs', `lower case name ${i}.txt`), `${i}`);
  if (existsSync(ISOLINUX)) copyFileSync(ISOLINUX, join(dir, 'tree', 'isolinux', 'isolinux.bin'));
  services = await createServices({ shell: 'browser', stateDir: join(dir, 'state'), watch: false });
  const client: MessageClient = new MessageClient({ send: async (m) => void session.receive(structuredClone(m)) });
  const session = new ClientSession(services.handlers, (m: ServerMessage) => queueMicrotask(() => client.receive(structuredClone(m))), { warn: () => undefined });
  services.hub.subscribe((event, payload) => client.receive({ kind: 'event', event, payload: structuredClone(payload) }));
  store = createAppStore(client);
  await store.getState().loadProject();
  await store.getState().addHostPaths([join(dir, 'tree')], '/');
});
afterAll(async () => {
  await services.close();
  rmSync(dir, { recursive: true, force: true });
});

const s = () => store.getState();

describe('checks slice', () => {
  it('keeps the renderer copies of the options lists equal to the model', () => {
    expect([...FILE_SYSTEMS]).toEqual([...model.FILE_SYSTEMS]);
    expect([...DEFAULT_FILE_SYSTEMS]).toEqual([...model.DEFAULT_FILE_SYSTEMS]);
    expect([...UDF_REVISIONS]).toEqual([...model.UDF_REVISIONS]);
  });

  it('suggests UDF 2.50 with the mirror for BD, 1.02 for CD and DVD; the target in sectors', () => {
    expect(suggestedOptions('bd25')).toMatchObject({ udfRevision: '2.50', udfMetadataMirror: true });
    expect(suggestedOptions('dvd')).toMatchObject({ udfRevision: '1.02', udfMetadataMirror: undefined });
    expect(suggestedOptions('cd').udfRevision).toBe('1.02');
    expect(suggestedOptions('disc', 12_219_392).udfRevision).toBe('2.50');
    expect(targetSectors({ capacityTarget: 'cd', selectedAddress: undefined, media: {} })).toBe(CAPACITY_TARGETS.cd.bytes / 2048);
    expect(targetSectors({ capacityTarget: 'disc', selectedAddress: undefined, media: {} })).toBeUndefined();
  });

  it('sends option changes to main, drops the mirror off UDF 2.50, shows a refusal, and re-plans the capacity', async () => {
    s().setCapacityTarget('bd25');
    expect(await s().applySuggestedOptions()).toBe(true);
    expect(s().imageOptions).toEqual({ udfRevision: '2.50', udfMetadataMirror: true });
    expect((await services.handlers['project.getImageOptions']({}, new AbortController().signal)).options).toEqual(s().imageOptions);
    expect(await s().updateImageOptions({ udfRevision: '2.01' })).toBe(true);
    expect(s().imageOptions).toEqual({ udfRevision: '2.01' });
    const before = s().project!.revision;
    expect(await s().updateImageOptions({ fs: ['iso9660'], date: '2024-01-01T00:00:00Z' })).toBe(true);
    expect(s().project!.revision).toBeGreaterThan(before);
    expect(s().project!.imageBytes).toBeNull();
    // An invalid date is refused by main's schema and shown; the options stay as they were.
    expect(await s().updateImageOptions({ date: 'yesterday' })).toBe(false);
    expect(s().error?.message).toBeTruthy();
    expect(s().imageOptions.date).toBe('2024-01-01T00:00:00Z');
    s().showError(undefined);
    await s().updateImageOptions({ fs: undefined, date: undefined, udfRevision: undefined });
    expect(s().imageOptions).toEqual({});
  });

  it('runs preflight with the target capacity and reveals a finding in the tree', async () => {
    await s().updateImageOptions({ isoLevel: 1 });
    s().setCapacityTarget('cd');
    await s().runPreflight();
    const f = s().preflight!.findings.find((x) => x.code === 'iso-name-changed')!;
    expect(f.count).toBeGreaterThan(1);
    const example = f.examples!.map((e) => e.path).find((p) => p.startsWith('/tree/docs/'))!;
    expect(example).toBeDefined();
    expect(await s().revealInProject(example)).toBe(true);
    expect({ example, folder: s().folder }).toEqual({ example, folder: '/tree/docs' });
    expect(s().selection).toEqual([example]);
    expect(s().revealed?.path).toBe(example);
    expect(await s().revealInProject('/tree/nothing-here')).toBe(false);
    s().showError(undefined);
    await s().updateImageOptions({ isoLevel: undefined });
  });

  it('sets boot entries (BIOS first), drops isohybrid with the EFI entry, writes and inspects the image', async (ctx) => {
    if (!existsSync(ISOLINUX)) {
      if (process.env.CI === 'true') throw new Error('isolinux (Debian isolinux) is required in CI');
      ctx.skip();
    }
    expect(await s().setBootEntry('efi', { isoPath: '/tree/docs/lower case name 1.txt', emulation: 'none' })).toBe(true);
    expect(await s().setBootEntry('bios', { isoPath: '/tree/isolinux/isolinux.bin', emulation: 'none', loadSize: 4, infoTable: true })).toBe(true);
    expect(s().imageOptions.boot!.map((b) => b.platform)).toEqual(['bios', 'efi']);
    expect(await s().setIsohybrid(true, true)).toBe(true);
    await s().setBootEntry('efi', undefined);
    await s().setBootEntry('bios', undefined);
    expect(s().imageOptions.boot).toBeUndefined();
    expect(s().imageOptions.isohybrid).toBeUndefined();
    // From the file pane: the selected host file is added to the viewed folder and becomes the entry.
    await s().openFolder(join(dir, 'tree', 'isolinux'));
    s().selectHost(join(dir, 'tree', 'isolinux', 'isolinux.bin'));
    await s().openProjectFolder('/');
    expect(await s().addBootImageFromHost('bios')).toBe(true);
    expect(s().imageOptions.boot).toEqual([{ platform: 'bios', isoPath: '/isolinux.bin', emulation: 'none', loadSize: 4, infoTable: true }]);
    // A folder is not a boot image: refused with a hint, nothing added.
    await s().openFolder(join(dir, 'tree'));
    s().selectHost(join(dir, 'tree', 'docs'));
    const files = s().project!.files;
    expect(await s().addBootImageFromHost('efi')).toBe(false);
    expect(s().project!.files).toBe(files);
    expect(await s().writeBootableImage(join(dir, 'boot.iso'))).toBe(true);
    const r = s().bootReport!;
    expect(r.bios).toBe(true);
    expect(r.eltorito!.entries).toHaveLength(1);
    expect(r.eltorito!.entries[0]).toMatchObject({ bootable: true, emulation: 'none', loadSize: 4 });
  });
});
