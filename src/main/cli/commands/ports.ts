import { listPorts, type PortEntry } from '../../board/serial/ports';

export interface PortsCliOptions {
  json?: boolean;
}

/** `heapscope ports`: its options are in ./index.ts. */
export async function run(opts: PortsCliOptions): Promise<void> {
  const ports = await listPorts();
  if (opts.json) {
    process.stdout.write(JSON.stringify(ports) + '\n');
    return;
  }
  process.stdout.write(formatPorts(ports));
}

export function formatPorts(ports: PortEntry[]): string {
  const width = Math.max(...ports.map((p) => p.path.length), 4);
  const lines = ports.map((p) => {
    const ids = p.vendorId ? `  [${p.vendorId}:${p.productId ?? '????'}${p.serialNumber ? ` s/n ${p.serialNumber}` : ''}]` : '';
    return `${p.path.padEnd(width)}  ${p.friendlyName}${ids}`;
  });
  const real = ports.filter((p) => p.kind !== 'virtual');
  if (real.length === 0) {
    lines.push('', 'No serial ports found. Plug a board in with a data cable, or record the virtual board: heapscope record --port virtual …');
  }
  return lines.join('\n') + '\n';
}
