import type { KernelView } from '../net/kernel-view.js';
import { SOCKET_OPTIONS, type SocketOptionValues } from '../net/socket-options.js';
import { formatTlsInfo, type TlsInfo } from '../net/tls/tls-info.js';
import { type Conn, formatEndpoint } from './session.js';

/** /info as lines, and as data for `--json`. */

export interface ConnInfo {
  conn: number;
  proto: string;
  local: string;
  remote: string;
  open: boolean;
  closeReason?: string;
  peerEof: boolean;
  writeClosed: boolean;
  kernel: KernelView;
  options: SocketOptionValues;
  bytesIn: number;
  bytesOut: number;
  chunksIn: number;
  chunksOut: number;
  openForMs: number;
  idleMs: number;
  /** Protocol, cipher, ALPN and the peer's certificate, when the connection is TLS. */
  tls?: TlsInfo;
}

export function connInfo(conn: Conn, now = Date.now()): ConnInfo {
  const s = conn.channel.stats;
  let options: SocketOptionValues = {};
  try {
    options = conn.closed ? {} : conn.channel.readOptions();
  } catch {
    // A socket closing under us reports nothing; the rest of /info still stands.
  }
  return {
    conn: conn.id,
    proto: conn.proto,
    local: formatEndpoint(conn.local),
    remote: formatEndpoint(conn.remote),
    open: !conn.closed,
    ...(conn.closed ? { closeReason: conn.closed.reason } : {}),
    peerEof: conn.peerEof,
    writeClosed: conn.channel.writeClosed,
    kernel: conn.kernel ?? {},
    options,
    bytesIn: s.bytesIn,
    bytesOut: s.bytesOut,
    chunksIn: s.chunksIn,
    chunksOut: s.chunksOut,
    openForMs: now - s.openedAt,
    idleMs: now - s.lastActivityAt,
    ...(conn.channel.tls ? { tls: conn.channel.tls } : {}),
  };
}

export function formatOptionValue(name: keyof SocketOptionValues, v: number | boolean | undefined): string {
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (v === undefined) return name === 'linger' ? 'off' : '?';
  const spec = SOCKET_OPTIONS.find((s) => s.name === name);
  return spec?.kind === 'seconds' ? `${v}s` : String(v);
}

export function formatKernel(k: KernelView): string {
  const parts: string[] = [`state ${k.state ?? '?'}`];
  if (k.sendQ !== undefined) parts.push(`Send-Q ${k.sendQ}`, `Recv-Q ${k.recvQ ?? '?'}`);
  if (k.rttMs !== undefined) parts.push(`rtt ${fmtMs(k.rttMs)} (var ${fmtMs(k.rttVarMs ?? 0)})`);
  if (k.cwnd !== undefined) parts.push(`cwnd ${k.cwnd}`);
  if (k.mss !== undefined) parts.push(`mss ${k.mss}`);
  if (k.totalRetrans !== undefined) parts.push(`retrans ${k.retransmits ?? 0}/${k.totalRetrans}`);
  if (k.unacked !== undefined) parts.push(`unacked ${k.unacked}`);
  return parts.join('  ');
}

function fmtMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)}ms` : `${Math.round(ms)}ms`;
}

export function formatInfo(info: ConnInfo): string[] {
  const status = info.open
    ? [info.peerEof ? 'peer sent FIN' : '', info.writeClosed ? 'our write side shut' : '']
        .filter(Boolean)
        .join(', ')
    : `closed (${info.closeReason})`;
  const lines = [
    `connection ${info.conn}  ${info.proto}  ${info.local} -> ${info.remote}${status ? `  ${status}` : ''}`,
    `  kernel   ${formatKernel(info.kernel)}`,
  ];
  if (info.tls) lines.push(...formatTlsInfo(info.tls));
  const opts = SOCKET_OPTIONS.filter(
    (s) => info.open && (s.name in info.options || (s.name === 'linger' && info.proto === 'tcp')),
  ).map((s) => `${s.aliases[0]} ${formatOptionValue(s.name, info.options[s.name])}`);
  if (opts.length > 0) lines.push(`  options  ${opts.join('  ')}`);
  lines.push(
    `  traffic  in ${info.bytesIn} B (${info.chunksIn} reads)  out ${info.bytesOut} B (${info.chunksOut} writes)  open ${(info.openForMs / 1000).toFixed(1)}s  idle ${(info.idleMs / 1000).toFixed(1)}s`,
  );
  return lines;
}
