/**
 * getFilmStrip over the WebSocket bridge: its bytes travel as base64 and arrive as a
 * Uint8Array, equal to what the service answers in process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testService } from '../support/service';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createWsClient } from '../../src/shared/api';
import { startBridge, type Bridge } from '../../src/main/bridge/server';
import { HeapScopeService } from '../../src/main/service';

const CORPUS = existsSync('/work/shared/corpus') ? '/work/shared/corpus' : join(__dirname, '..', '..', '..', 'shared', 'corpus');

let dir: string;
let bridge: Bridge;
let service: HeapScopeService;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hs-bridge-strip-'));
  const staticDir = join(dir, 'renderer');
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
  service = testService(dir, { bridge: 'ws' });
  bridge = await startBridge({ service, staticDir });
});

afterAll(async () => {
  await bridge?.close();
  await service?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('getFilmStrip over the WebSocket', () => {
  it('arrives as a Uint8Array, the same bytes as in process', async () => {
    const part = (f: string) => readFileSync(join(CORPUS, f), 'utf8').trimEnd();
    const capture = join(dir, 'three.txt');
    writeFileSync(
      capture,
      [part('022-rp2-v1.23plus-picow-after-soft-reset.txt'), part('024-rp2-v1.23plus-picow-heap-nearly-full.txt'), part('025-esp32-v1.21plus-split-heap-two-areas.txt'), ''].join('\r\n'),
    );
    const api = createWsClient(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`, WebSocket as never);
    await api.ready;
    await api.openSession({ path: capture });
    const strip = await api.getFilmStrip({ columns: 500, rows: 200 });
    expect(strip.frames).toEqual([0, 1, 2]);
    expect(strip.rows).toBe(200);
    expect(strip.data).toBeInstanceOf(Uint8Array);
    expect(strip.data.length).toBe(3 * 200);
    const direct = await service.getFilmStrip({ columns: 500, rows: 200 });
    expect(Buffer.from(strip.data)).toEqual(Buffer.from(direct.data));
    await expect(api.getFilmStrip({ columns: 500, rows: 2 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    api.close();
  });
});
