/**
 * If the serial driver's native binding fails to load (a packaged app on an unexpected
 * platform, a damaged install), the port list still offers the virtual board and says on it
 * why serial ports are missing, instead of silently showing the virtual board alone.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeapScopeService, SessionFileStore, serialPortLister } from '../../src/main/service';

describe('serial driver failure', () => {
  it('the port list says that the driver failed, and why', async () => {
    const lister = serialPortLister(() => Promise.reject(new Error('No native build was found for platform=linux arch=x64 runtime=electron abi=140\n    at load (bindings.js:1)')));
    const service = new HeapScopeService({ ports: lister, store: new SessionFileStore(), dataDir: mkdtempSync(join(tmpdir(), 'heapscope-driver-')) });
    const ports = await service.listPorts();
    expect(ports).toHaveLength(1);
    expect(ports[0]).toMatchObject({ path: 'virtual', kind: 'virtual', preferred: true });
    expect(ports[0].problem).toBe('Serial ports cannot be listed: the serial port driver failed to load (No native build was found for platform=linux arch=x64 runtime=electron abi=140).');
  });

  it('with the driver loaded there is no problem to report', async () => {
    const ports = await serialPortLister().list();
    expect(ports.some((p) => p.kind === 'virtual')).toBe(true);
    expect(ports.filter((p) => p.problem)).toEqual([]);
  });
});
