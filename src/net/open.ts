import { buildAccessList } from './access-list.js';
import type { Channel } from './channel.js';
import type { Listener } from './listener.js';
import type { ProgramSpec } from './program.js';
import { connectTcp } from './tcp-connect.js';
import { listenTcp } from './tcp-listen.js';
import type { ListenTransportOptions, TransportOptions } from './transport-options.js';
import { connectUdp } from './udp.js';
import { listenUdp } from './udp-listen.js';
import { connectUnix, listenUnix } from './unix.js';
import { connectUnixDgram, listenUnixDgram } from './unix-dgram.js';

/**
 * The one door to the transports: every front end (pipe mode, sessions, the proxy's both sides,
 * the library) opens connections and listeners here, and a new transport is a new branch here,
 * not in each of them.
 */

export interface OpenOptions {
  udp: boolean;
  /** Pipe mode's fast path: 'data' chunks are views of one reused buffer (TCP; see TcpChannel). */
  borrowedReads?: boolean;
}

export function openConnection(
  host: string,
  port: number,
  options: TransportOptions & OpenOptions,
): Promise<Channel> {
  if (options.unix !== undefined) {
    if (options.udp) return connectUnixDgram(options.unix, options);
    return connectUnix(options.unix, options);
  }
  return options.udp ? connectUdp(host, port, options) : connectTcp(host, port, options);
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
    if (o.udp) return listenUnixDgram(o.unix, o);
    return listenUnix(o.unix, o);
  }
  return o.udp ? listenUdp(host, port, o) : listenTcp(host, port, o);
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
