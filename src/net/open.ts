import { buildAccessList } from './access-list.js';
import type { Channel } from './channel.js';
import type { Listener } from './listener.js';
import type { ProgramSpec } from './program.js';
import type { BorrowedReads } from './tcp-channel-options.js';
import type { ListenTransportOptions, TransportOptions } from './transport-options.js';

/**
 * The one door to the transports: every front end (pipe mode, sessions, the proxy's both sides,
 * the library) opens connections and listeners here, and a new transport is a new branch here,
 * not in each of them. Each transport is loaded when first used: a TCP one-shot loads no UDP,
 * unix or listener code (start-up time, bench/startup.mjs).
 */

export interface OpenOptions {
  udp: boolean;
  /** Pipe mode's fast path: 'data' chunks are views of one reused buffer (TCP; see TcpChannelOptions). */
  borrowedReads?: BorrowedReads;
}

export function openConnection(
  host: string,
  port: number,
  options: TransportOptions & OpenOptions,
): Promise<Channel> {
  if (options.unix !== undefined) {
    const unix = options.unix;
    if (options.udp) return import('./unix-dgram.js').then((m) => m.connectUnixDgram(unix, options));
    return import('./unix.js').then((m) => m.connectUnix(unix, options));
  }
  if (options.udp) return import('./udp.js').then((m) => m.connectUdp(host, port, options));
  return import('./tcp-connect.js').then((m) => m.connectTcp(host, port, options));
}

export async function openListener(
  host: string | undefined,
  port: number,
  options: ListenTransportOptions & OpenOptions,
): Promise<Listener> {
  // --allow/--deny: host names resolved and files read once, before the first client.
  const access = options.access ?? (await buildAccessList(options));
  const o = { ...options, access };
  if (o.unix !== undefined) {
    if (o.udp) return (await import('./unix-dgram.js')).listenUnixDgram(o.unix, o);
    return (await import('./unix.js')).listenUnix(o.unix, o);
  }
  if (o.udp) return (await import('./udp-listen.js')).listenUdp(host, port, o);
  return (await import('./tcp-listen.js')).listenTcp(host, port, o);
}

/** A local program as a connection: on pipes, or on a pseudo-terminal when `spec.pty` is set. */
export async function openProgram(spec: ProgramSpec): Promise<Channel> {
  if (spec.pty) {
    const { spawnPtyProgram } = await import('./pty-program.js');
    return spawnPtyProgram({ ...spec, pty: spec.pty });
  }
  const { spawnPipeProgram } = await import('./pipe-program.js');
  return spawnPipeProgram(spec);
}
