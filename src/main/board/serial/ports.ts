/**
 * Serial ports with names a person recognises, known boards first, and the virtual board
 * always offered.
 */
import { SerialPort } from 'serialport';

export const VIRTUAL_PORT = 'virtual';

export type PortKind = 'board' | 'usb-uart' | 'usb' | 'other' | 'virtual';

export interface PortEntry {
  /** What to pass to `--port` (the device path, or `virtual`). */
  path: string;
  /** A name a person recognises: "Raspberry Pi Pico (MicroPython)", "CP210x USB-UART bridge". */
  friendlyName: string;
  kind: PortKind;
  /** Lower-case hex, 4 digits, or null. */
  vendorId: string | null;
  productId: string | null;
  serialNumber: string | null;
  manufacturer: string | null;
  /** True for ids that are MicroPython/CircuitPython boards or the bridges they use. */
  known: boolean;
}

interface KnownId {
  vid: string;
  pid?: string;
  name: string;
  kind: PortKind;
}

// Product-specific entries come before vendor-wide ones.
const KNOWN: KnownId[] = [
  { vid: '2e8a', pid: '0005', name: 'Raspberry Pi Pico (MicroPython)', kind: 'board' },
  { vid: '2e8a', pid: '000a', name: 'Raspberry Pi Pico (C SDK serial)', kind: 'board' },
  { vid: '2e8a', pid: '0003', name: 'Raspberry Pi RP2 boot (BOOTSEL)', kind: 'board' },
  { vid: '2e8a', name: 'Raspberry Pi board', kind: 'board' },
  { vid: '303a', pid: '1001', name: 'Espressif USB-serial/JTAG (ESP32-S3/C3/C6)', kind: 'board' },
  { vid: '303a', pid: '4001', name: 'Espressif ESP32-S2/S3 (TinyUSB)', kind: 'board' },
  { vid: '303a', name: 'Espressif board', kind: 'board' },
  { vid: '239a', name: 'Adafruit board', kind: 'board' },
  { vid: 'f055', pid: '9800', name: 'MicroPython pyboard', kind: 'board' },
  { vid: 'f055', name: 'MicroPython board', kind: 'board' },
  { vid: '1209', pid: 'adda', name: 'MicroPython board (pid.codes)', kind: 'board' },
  { vid: '10c4', pid: 'ea60', name: 'CP210x USB-UART bridge', kind: 'usb-uart' },
  { vid: '1a86', pid: '7523', name: 'CH340 USB-UART bridge', kind: 'usb-uart' },
  { vid: '1a86', pid: '55d4', name: 'CH9102 USB-UART bridge', kind: 'usb-uart' },
  { vid: '1a86', pid: '55d3', name: 'CH343 USB-UART bridge', kind: 'usb-uart' },
  { vid: '1a86', name: 'WCH USB-UART bridge', kind: 'usb-uart' },
  { vid: '0403', pid: '6001', name: 'FTDI FT232R USB-UART bridge', kind: 'usb-uart' },
  { vid: '0403', pid: '6010', name: 'FTDI FT2232 USB-UART bridge', kind: 'usb-uart' },
  { vid: '0403', pid: '6014', name: 'FTDI FT232H USB-UART bridge', kind: 'usb-uart' },
  { vid: '0403', pid: '6015', name: 'FTDI FT-X USB-UART bridge', kind: 'usb-uart' },
  { vid: '0403', name: 'FTDI USB-UART bridge', kind: 'usb-uart' },
  { vid: '2341', name: 'Arduino board', kind: 'board' },
  { vid: '1366', name: 'SEGGER J-Link (nRF board)', kind: 'board' },
  { vid: '0d28', pid: '0204', name: 'Arm DAPLink (micro:bit, nRF)', kind: 'board' },
];

/** Normalises a USB id from any platform ("0x2E8A", "2E8A", "2e8a") to 4 lower-case hex digits. */
export function normId(id: string | number | undefined | null): string | null {
  if (id === undefined || id === null || id === '') return null;
  if (typeof id === 'number') return id.toString(16).padStart(4, '0');
  const s = id.trim().toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{1,4}$/.test(s) ? s.padStart(4, '0') : null;
}

export function knownUsbId(vendorId: string | null, productId: string | null): KnownId | null {
  if (!vendorId) return null;
  return KNOWN.find((k) => k.vid === vendorId && (!k.pid || k.pid === productId)) ?? null;
}

export interface RawPortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  pnpId?: string;
  locationId?: string;
  vendorId?: string;
  productId?: string;
}

/** Turns what `SerialPort.list()` gives into a PortEntry with a friendly name. */
export function describePort(p: RawPortInfo): PortEntry {
  const vendorId = normId(p.vendorId);
  const productId = normId(p.productId);
  const known = knownUsbId(vendorId, productId);
  const manufacturer = p.manufacturer?.trim() || null;
  let friendlyName: string;
  let kind: PortKind;
  if (known) {
    friendlyName = known.name;
    kind = known.kind;
  } else if (vendorId) {
    friendlyName = `${manufacturer ?? 'USB serial device'} (${vendorId}:${productId ?? '????'})`;
    kind = 'usb';
  } else {
    friendlyName = manufacturer ?? 'Serial port';
    kind = 'other';
  }
  return {
    path: p.path,
    friendlyName,
    kind,
    vendorId,
    productId,
    serialNumber: p.serialNumber?.trim() || null,
    manufacturer,
    known: known !== null,
  };
}

export const VIRTUAL_ENTRY: PortEntry = {
  path: VIRTUAL_PORT,
  friendlyName: 'Virtual board (MicroPython in WebAssembly, no hardware)',
  kind: 'virtual',
  vendorId: null,
  productId: null,
  serialNumber: null,
  manufacturer: 'HeapScope',
  known: true,
};

const RANK: Record<PortKind, number> = { board: 0, 'usb-uart': 1, usb: 2, other: 3, virtual: 4 };

/** Orders ports: boards, then USB-UART bridges, other USB, plain serial ports; by path within. */
export function sortPorts(ports: PortEntry[]): PortEntry[] {
  return ports.slice().sort((a, b) => RANK[a.kind] - RANK[b.kind] || a.path.localeCompare(b.path, undefined, { numeric: true }));
}

export interface ListOptions {
  /** Include the virtual board (default true). */
  virtual?: boolean;
  /** For tests: what the system reports instead of `SerialPort.list()`. */
  source?: () => Promise<RawPortInfo[]>;
}

/** Lists ports: known boards first, the virtual board last (and always). */
export async function listPorts(opts: ListOptions = {}): Promise<PortEntry[]> {
  let raw: RawPortInfo[] = [];
  try {
    raw = await (opts.source ?? (() => SerialPort.list()))();
  } catch {
    // No udevadm, no permission to enumerate: still offer the virtual board.
    raw = [];
  }
  const ports = sortPorts(raw.map(describePort));
  if (opts.virtual !== false) ports.push(VIRTUAL_ENTRY);
  return ports;
}

/** The port `--port auto` means: the first known board, else the only USB serial port. */
export function pickAutoPort(ports: PortEntry[]): PortEntry | null {
  const real = ports.filter((p) => p.kind !== 'virtual');
  const boards = real.filter((p) => p.kind === 'board' || p.kind === 'usb-uart');
  if (boards.length >= 1) return boards[0];
  const usb = real.filter((p) => p.kind === 'usb');
  if (usb.length === 1) return usb[0];
  return null;
}

/** Finds a port by USB serial number (after a board re-enumerated under another path). */
export async function findPortBySerial(
  serialNumber: string,
  ids: { vendorId?: string | null; productId?: string | null } = {},
  opts: ListOptions = {},
): Promise<PortEntry | null> {
  const ports = await listPorts({ ...opts, virtual: false });
  return (
    ports.find(
      (p) =>
        p.serialNumber === serialNumber &&
        (!ids.vendorId || p.vendorId === normId(ids.vendorId)) &&
        (!ids.productId || p.productId === normId(ids.productId)),
    ) ?? null
  );
}
