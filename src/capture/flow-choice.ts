import { UsageError } from '../errors.js';
import { buildFlows, type Flow } from './flows.js';
import { decodeFrame } from './packet-decode.js';
import { CaptureFormatError, readCapture } from './pcap-reader.js';

/**
 * What `sockrepl replay` needs from a capture file: its flows, a line describing each, and the one
 * the user picked (`--flow N` or `--match host:port`). Pure apart from the error types.
 */

export interface LoadedCapture {
  format: 'pcap' | 'pcapng';
  flows: Flow[];
  /** Frames that were not TCP or UDP over IP (ARP, ICMP, fragments...). */
  skipped: number;
  truncated: boolean;
}

export function loadCapture(bytes: Uint8Array, file: string): LoadedCapture {
  let contents: ReturnType<typeof readCapture>;
  try {
    contents = readCapture(bytes);
  } catch (err) {
    if (err instanceof CaptureFormatError) throw new UsageError(`replay: ${file}: ${err.message}`);
    throw err;
  }
  const packets = contents.frames.map(decodeFrame);
  const decoded = packets.filter((p) => p !== undefined);
  return {
    format: contents.format,
    flows: buildFlows(decoded),
    skipped: packets.length - decoded.length,
    truncated: contents.truncated,
  };
}

const where = (e: { address: string; port: number }) =>
  e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;

export function flowEnd(e: { address: string; port: number }): string {
  return where(e);
}

/** `#1 tcp 127.0.0.1:40000 -> 127.0.0.1:8888  12 pkts  client 13 B  server 18 B  0.04s  FIN` */
export function describeFlow(f: Flow): string {
  const ended = f.reset ? 'RST' : f.fin.client || f.fin.server ? 'FIN' : f.proto === 'tcp' ? 'open' : '';
  const parts = [
    `#${f.id}`,
    f.proto,
    `${where(f.client)} -> ${where(f.server)}`,
    `${f.packets} pkts`,
    `client ${f.clientBytes.length} B`,
    `server ${f.serverBytes.length} B`,
    `${f.turns.length} turns`,
    `${((f.lastUs - f.firstUs) / 1e6).toFixed(3)}s`,
    ended,
    f.proto === 'tcp' && !f.syn ? 'no handshake seen' : '',
    f.missing > 0 ? `${f.missing} B missing from the capture` : '',
  ];
  return parts.filter(Boolean).join('  ');
}

export interface FlowChoice {
  flow?: number;
  match?: string;
}

/** The flow the user chose; with one flow in the file, that one. */
export function pickFlow(flows: Flow[], choice: FlowChoice): Flow {
  if (flows.length === 0) throw new UsageError('replay: the capture holds no TCP or UDP flow');
  if (choice.flow !== undefined) {
    const f = flows.find((x) => x.id === choice.flow);
    if (!f)
      throw new UsageError(
        `replay: no flow #${choice.flow}; the capture has ${flows.length} (list them: sockrepl replay FILE)`,
      );
    return f;
  }
  if (choice.match !== undefined) {
    const m = /^(?:\[?([^\]]*?)\]?:)?(\d+)$/.exec(choice.match.trim());
    if (!m) throw new UsageError(`replay: --match ${choice.match}: expected host:port or port`);
    const host = m[1];
    const port = Number(m[2]);
    const hit = flows.filter((f) =>
      [f.client, f.server].some(
        (e) => e.port === port && (host === undefined || host === '' || e.address === host),
      ),
    );
    if (hit.length === 0) throw new UsageError(`replay: no flow matches ${choice.match}`);
    return hit[0]!;
  }
  if (flows.length > 1)
    throw new UsageError(
      `replay: the capture has ${flows.length} flows; pick one with --flow N or --match host:port`,
    );
  return flows[0]!;
}
