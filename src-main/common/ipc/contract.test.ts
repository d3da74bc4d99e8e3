import { describe, expect, it } from 'vitest';
import { ClientMessage, DriveAddress, requestSchemas } from './contract';

describe('IPC contract validation', () => {
  it.each(['/dev/sr0', '/dev/sg12', 'iscsi://127.0.0.1:3261/iqn.2026-11.test:dvd/1', 'virtual:Burner_1', '\\\\.\\CdRom0', 'D:'])('accepts drive address %s', (a) => {
    expect(DriveAddress.safeParse(a).success).toBe(true);
  });

  it.each(['/etc/passwd', '/dev/sda', '../../dev/sr0', 'virtual:', 'virtual:a/b', 'iscsi://host', '', 'x'.repeat(600), 'C:\\Windows'])('rejects %s', (a) => {
    expect(DriveAddress.safeParse(a).success).toBe(false);
  });

  it('rejects extra keys in params (strict), so nothing unexpected reaches a service', () => {
    expect(requestSchemas['devices.media'].safeParse({ address: 'virtual:a', cdb: [0x12] }).success).toBe(false);
    expect(requestSchemas['devices.list'].safeParse({}).success).toBe(true);
  });

  it('validates envelopes', () => {
    expect(ClientMessage.safeParse({ kind: 'call', id: 1, method: 'app.info', params: {} }).success).toBe(true);
    expect(ClientMessage.safeParse({ kind: 'cancel', id: 1 }).success).toBe(true);
    expect(ClientMessage.safeParse({ kind: 'call', id: -1, method: 'x' }).success).toBe(false);
    expect(ClientMessage.safeParse({ kind: 'call', id: 1.5, method: 'x' }).success).toBe(false);
    expect(ClientMessage.safeParse({ kind: 'exec', id: 1 }).success).toBe(false);
    expect(ClientMessage.safeParse(null).success).toBe(false);
  });
});
