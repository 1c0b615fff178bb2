import { fstatSync, readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import type { Endpoint, Protocol } from './channel.js';
import { nativeSockets } from './native.js';

/**
 * The kernel's view of one socket, the way `ss -tin` shows it: TCP state and Send-Q/Recv-Q from
 * /proc/net/{tcp,tcp6,udp,udp6} (matched by the socket's inode, or by its addresses once our
 * descriptor is gone, so TIME_WAIT stays visible), and RTT, retransmits and cwnd from TCP_INFO.
 * Everything is best effort: a field the platform does not report is left undefined.
 */

export const TCP_STATES = [
  undefined,
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
] as const;

export type TcpStateName = Exclude<(typeof TCP_STATES)[number], undefined>;

export interface ProcSocketEntry {
  local: { address: string; port: number };
  remote: { address: string; port: number };
  state: TcpStateName | undefined;
  /** tx_queue: for TCP the bytes sent but not yet acknowledged plus unsent (ss's Send-Q). */
  sendQ: number;
  /** rx_queue: bytes received and not yet read by the application (ss's Recv-Q). */
  recvQ: number;
  inode: number;
}

export interface TcpInfo {
  state: TcpStateName | undefined;
  /** Smoothed round-trip time and its variance, in milliseconds. */
  rttMs: number;
  rttVarMs: number;
  /** Retransmissions of the segment now at the head of the queue (backoff in progress). */
  retransmits: number;
  /** Segments retransmitted over the connection's life. */
  totalRetrans: number;
  /** Congestion window, in segments. */
  cwnd: number;
  mss: number;
  /** Segments sent and not yet acknowledged. */
  unacked: number;
  lost: number;
}

export interface KernelView {
  state?: TcpStateName;
  sendQ?: number;
  recvQ?: number;
  rttMs?: number;
  rttVarMs?: number;
  retransmits?: number;
  totalRetrans?: number;
  cwnd?: number;
  mss?: number;
  unacked?: number;
}

const hostIsLittleEndian = endianness() === 'LE';

/** Decodes /proc/net's hex address: IPv4 is one 32-bit word, IPv6 four, each in host order. */
export function decodeProcAddress(hex: string, littleEndian = hostIsLittleEndian): string {
  const words: Buffer[] = [];
  for (let i = 0; i < hex.length; i += 8) {
    const w = Buffer.from(hex.slice(i, i + 8), 'hex');
    if (littleEndian) w.reverse();
    words.push(w);
  }
  const bytes = Buffer.concat(words);
  if (bytes.length === 4) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  const text = groups.join(':');
  if (text.startsWith('0:0:0:0:0:ffff:')) return `::ffff:${[...bytes.subarray(12)].join('.')}`;
  return compressIpv6(groups);
}

function compressIpv6(groups: string[]): string {
  // RFC 5952: the longest run of two or more zero groups becomes '::'.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Parses the text of /proc/net/tcp (or tcp6, udp, udp6) into entries. */
export function parseProcNet(text: string, proto: Protocol = 'tcp'): ProcSocketEntry[] {
  const out: ProcSocketEntry[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [la, lp] = f[1]!.split(':');
    const [ra, rp] = f[2]!.split(':');
    const [tx, rx] = f[4]!.split(':');
    const st = Number.parseInt(f[3]!, 16);
    out.push({
      local: { address: decodeProcAddress(la!), port: Number.parseInt(lp!, 16) },
      remote: { address: decodeProcAddress(ra!), port: Number.parseInt(rp!, 16) },
      // UDP reuses the TCP numbers: 1 means connected, 7 unconnected.
      state: proto === 'tcp' ? TCP_STATES[st] : st === 1 ? 'ESTABLISHED' : TCP_STATES[st],
      sendQ: Number.parseInt(tx!, 16),
      recvQ: Number.parseInt(rx!, 16),
      inode: Number(f[9]),
    });
  }
  return out;
}

/** Parses Linux's struct tcp_info (include/uapi/linux/tcp.h); needs at least 104 bytes. */
export function parseTcpInfoLinux(buf: Buffer): TcpInfo | undefined {
  if (buf.length < 104) return undefined;
  return {
    state: TCP_STATES[buf.readUInt8(0)],
    retransmits: buf.readUInt8(2),
    mss: buf.readUInt32LE(16),
    unacked: buf.readUInt32LE(24),
    lost: buf.readUInt32LE(32),
    rttMs: buf.readUInt32LE(68) / 1000,
    rttVarMs: buf.readUInt32LE(72) / 1000,
    cwnd: buf.readUInt32LE(80),
    totalRetrans: buf.readUInt32LE(100),
  };
}

const DARWIN_STATES: readonly (TcpStateName | undefined)[] = [
  'CLOSE',
  'LISTEN',
  'SYN_SENT',
  'SYN_RECV',
  'ESTABLISHED',
  'CLOSE_WAIT',
  'FIN_WAIT1',
  'CLOSING',
  'LAST_ACK',
  'FIN_WAIT2',
  'TIME_WAIT',
];

/** Parses macOS's struct tcp_connection_info (netinet/tcp.h). */
export function parseTcpInfoDarwin(buf: Buffer): TcpInfo | undefined {
  if (buf.length < 80) return undefined;
  const mss = buf.readUInt32LE(16);
  return {
    state: DARWIN_STATES[buf.readUInt8(0)],
    retransmits: 0,
    mss,
    unacked: 0,
    lost: 0,
    rttMs: buf.readUInt32LE(44),
    rttVarMs: buf.readUInt32LE(48),
    // macOS reports cwnd in bytes; show segments like Linux does.
    cwnd: mss > 0 ? Math.round(buf.readUInt32LE(24) / mss) : 0,
    totalRetrans: mss > 0 ? Math.round(Number(buf.readBigUInt64LE(72)) / mss) : 0,
  };
}

/** TCP_INFO for a descriptor, or undefined where unavailable (not TCP, closed, unsupported). */
export function readTcpInfo(fd: number): TcpInfo | undefined {
  try {
    const api = nativeSockets();
    const buf = api.getBytes(fd, api.c.IPPROTO_TCP, api.c.TCP_INFO, 232);
    return process.platform === 'darwin' ? parseTcpInfoDarwin(buf) : parseTcpInfoLinux(buf);
  } catch {
    return undefined;
  }
}

/** The socket's inode, which /proc/net lists it by; undefined when the fd is not a socket. */
export function socketInode(fd: number): number | undefined {
  try {
    const st = fstatSync(fd);
    return st.isSocket() ? st.ino : undefined;
  } catch {
    return undefined;
  }
}

/** Every socket in /proc/net for a protocol (both families); empty where there is no procfs. */
export function readProcSockets(proto: Protocol): ProcSocketEntry[] {
  // /proc/net/unix has another layout and no queues: a unix socket shows its traffic only.
  if (process.platform !== 'linux' || proto === 'unix') return [];
  const out: ProcSocketEntry[] = [];
  for (const file of [`/proc/net/${proto}`, `/proc/net/${proto}6`]) {
    try {
      out.push(...parseProcNet(readFileSync(file, 'latin1'), proto));
    } catch {
      // No IPv6 in this kernel, or no procfs: the other file may still answer.
    }
  }
  return out;
}

export interface KernelQuery {
  proto: Protocol;
  fd: number | undefined;
  /** Addresses to fall back on once the descriptor is gone (TIME_WAIT has no inode). */
  local?: Endpoint;
  remote?: Endpoint;
}

function sameAddress(a: string, b: string): boolean {
  const strip = (s: string) => s.replace(/^::ffff:/i, '').toLowerCase();
  return strip(a) === strip(b);
}

/** Finds the proc entry of one socket: by inode while open, else by its four-tuple. */
export function findProcEntry(
  entries: readonly ProcSocketEntry[],
  inode: number | undefined,
  local?: Endpoint,
  remote?: Endpoint,
): ProcSocketEntry | undefined {
  if (inode !== undefined) {
    const hit = entries.find((e) => e.inode === inode);
    if (hit) return hit;
  }
  if (!local || !remote) return undefined;
  return entries.find(
    (e) =>
      e.local.port === local.port &&
      e.remote.port === remote.port &&
      sameAddress(e.local.address, local.address) &&
      sameAddress(e.remote.address, remote.address),
  );
}

/**
 * The kernel's view of several sockets at once: each /proc/net file is read once per call,
 * which is what the session's one-second refresh wants.
 */
export function readKernelViews(queries: readonly KernelQuery[]): KernelView[] {
  const tables = new Map<Protocol, ProcSocketEntry[]>();
  const table = (proto: Protocol) => {
    let t = tables.get(proto);
    if (!t) {
      t = readProcSockets(proto);
      tables.set(proto, t);
    }
    return t;
  };
  return queries.map((q) => {
    const view: KernelView = {};
    const inode = q.fd === undefined ? undefined : socketInode(q.fd);
    const entry = findProcEntry(table(q.proto), inode, q.fd === undefined ? q.local : undefined, q.remote);
    if (entry) {
      view.state = entry.state;
      view.sendQ = entry.sendQ;
      view.recvQ = entry.recvQ;
    }
    if (q.proto === 'tcp' && q.fd !== undefined) {
      const info = readTcpInfo(q.fd);
      if (info) {
        view.state ??= info.state;
        view.rttMs = info.rttMs;
        view.rttVarMs = info.rttVarMs;
        view.retransmits = info.retransmits;
        view.totalRetrans = info.totalRetrans;
        view.cwnd = info.cwnd;
        view.mss = info.mss;
        view.unacked = info.unacked;
      }
    }
    return view;
  });
}

export function readKernelView(query: KernelQuery): KernelView {
  return readKernelViews([query])[0]!;
}

/** True when two views differ in what a user watches (state and queues), not in RTT jitter. */
export function kernelViewChanged(a: KernelView | undefined, b: KernelView): boolean {
  return !a || a.state !== b.state || a.sendQ !== b.sendQ || a.recvQ !== b.recvQ;
}
