import { describe, expect, it } from 'vitest';
import { describePort, findPortBySerial, listPorts, normId, pickAutoPort } from '../../src/main/board/serial/ports';
import { describeOpenError, noAnswerError } from '../../src/main/board/serial/errors';

const SYSTEM = [
  { path: '/dev/ttyS0' },
  { path: '/dev/ttyUSB0', vendorId: '10C4', productId: 'EA60', manufacturer: 'Silicon Labs', serialNumber: '0001' },
  { path: '/dev/ttyACM1', vendorId: '0x2E8A', productId: '0005', manufacturer: 'MicroPython', serialNumber: 'E66038B7133F4A2F' },
  { path: '/dev/ttyACM0', vendorId: '1234', productId: '5678', manufacturer: 'Acme' },
  { path: '/dev/ttyUSB1', vendorId: '1a86', productId: '55D4' },
];

describe('ports', () => {
  it('names boards from USB ids, case-insensitively, known boards first, virtual last', async () => {
    const ports = await listPorts({ source: async () => SYSTEM });
    expect(ports.map((p) => p.path)).toEqual(['/dev/ttyACM1', '/dev/ttyUSB0', '/dev/ttyUSB1', '/dev/ttyACM0', '/dev/ttyS0', 'virtual']);
    expect(ports[0].friendlyName).toBe('Raspberry Pi Pico (MicroPython)');
    expect(ports[0].vendorId).toBe('2e8a');
    expect(ports[1].friendlyName).toMatch(/CP210x/);
    expect(ports[2].friendlyName).toMatch(/CH9102/);
    expect(ports[3].friendlyName).toBe('Acme (1234:5678)');
    expect(ports[5].kind).toBe('virtual');
  });

  it('always offers the virtual board, even when listing fails', async () => {
    const ports = await listPorts({
      source: async () => {
        throw new Error('udevadm: not found');
      },
    });
    expect(ports.map((p) => p.path)).toEqual(['virtual']);
  });

  it('knows the common vendors', () => {
    for (const [vid, pid, name] of [
      ['303a', '1001', /Espressif/],
      ['239A', '80F4', /Adafruit/],
      ['F055', '9800', /pyboard/],
      ['1A86', '7523', /CH340/],
      ['0403', '6001', /FTDI/],
    ] as const) {
      expect(describePort({ path: 'x', vendorId: vid, productId: pid }).friendlyName).toMatch(name);
    }
    expect(normId('0X2E8A')).toBe('2e8a');
    expect(normId(0x303a)).toBe('303a');
    expect(normId('zz')).toBeNull();
  });

  it('picks a board for --port auto and finds a board again by serial number', async () => {
    const ports = await listPorts({ source: async () => SYSTEM });
    expect(pickAutoPort(ports)?.path).toBe('/dev/ttyACM1');
    expect(pickAutoPort(await listPorts({ source: async () => [{ path: '/dev/ttyS0' }] }))).toBeNull();
    // The Pico came back as /dev/ttyACM2 after a reset.
    const moved = SYSTEM.map((p) => (p.serialNumber === 'E66038B7133F4A2F' ? { ...p, path: '/dev/ttyACM2' } : p));
    const found = await findPortBySerial('E66038B7133F4A2F', { vendorId: '2E8A' }, { source: async () => moved });
    expect(found?.path).toBe('/dev/ttyACM2');
  });

  it('says what to do about open errors', () => {
    const perm = describeOpenError(new Error('Error: Permission denied, cannot open /dev/ttyACM0'), '/dev/ttyACM0');
    expect(perm.kind).toBe('permission');
    if (process.platform === 'linux') expect(perm.message).toMatch(/dialout.*log out and in again/);
    const busy = describeOpenError(new Error('Error Resource temporarily unavailable Cannot lock port'), '/dev/ttyACM0');
    expect(busy.kind).toBe('busy');
    expect(busy.message).toMatch(/screen.*Thonny.*mpremote/);
    const none = describeOpenError(new Error('Error: No such file or directory, cannot open /dev/ttyACM9'), '/dev/ttyACM9');
    expect(none.kind).toBe('not-found');
    const quiet = noAnswerError('/dev/ttyACM0');
    expect(quiet.message).toMatch(/reset/);
    expect(quiet.message).toMatch(/kbd_intr\(-1\)/);
  });
});
