import { parsePortList } from '../codec/port-list.js';
import { formatDuration } from '../codec/units.js';
import { EXIT, isSockreplError, UsageError } from '../errors.js';
import { errorCode } from '../net/errno.js';
import { openConnection } from '../net/open.js';
import { resolveHost } from '../net/resolve.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import { type PipeIo, processIo } from '../pipe/stdio.js';

/** How many ports are tried at once: enough to be quick, few enough not to look like a flood. */
const CONCURRENCY = 32;
/** A port that neither accepts nor refuses within this long is filtered, when -w says nothing. */
const DEFAULT_WAIT_MS = 5000;

export type PortState = 'open' | 'closed' | 'filtered';

/**
 * `sockrepl -z [-v] [-w dur] host 20-25,80,443`: nc's port check. Each port gets a TCP connect
 * (through --proxy too) and is closed at once; nothing is sent. With -v each port is reported, in
 * the order given, as open (nc's own "succeeded!" line), closed (RST) or filtered (no answer
 * within -w, or unreachable). Exit 0 when any port is open, 1 otherwise, as nc.
 */
export async function runPortScan(
  host: string,
  portSpec: string,
  options: ConnectionOptions,
  io: PipeIo = processIo(),
): Promise<number> {
  if (options.udp)
    throw new UsageError('-z with -u: a UDP port cannot be checked without a reply; not supported');
  const ports = parsePortList(portSpec);
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  // One lookup for the whole scan, and a bad name fails once (not once per port).
  const target = options.proxy ? host : (await resolveHost(host, ports[0]!, options.family)).address;
  const results: (string | undefined)[] = new Array(ports.length);
  let printed = 0;
  let open = 0;
  const counts: Record<PortState, number> = { open: 0, closed: 0, filtered: 0 };
  const flush = () => {
    while (printed < ports.length && results[printed] !== undefined) {
      if (options.verbose) io.stderr.write(`${results[printed]}\n`);
      printed++;
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < ports.length) {
      const i = next++;
      const port = ports[i]!;
      const { state, why } = await probe(target, port, { ...options, waitMs });
      counts[state]++;
      if (state === 'open') open++;
      results[i] =
        state === 'open'
          ? `Connection to ${host} ${port} port [tcp/*] succeeded!`
          : `Connection to ${host} ${port} port [tcp/*] ${state}: ${why}`;
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ports.length) }, worker));
  if (options.verbose && ports.length > 1)
    io.stderr.write(
      `${ports.length} ports: ${counts.open} open, ${counts.closed} closed, ${counts.filtered} filtered (waited ${formatDuration(waitMs)} each)\n`,
    );
  return open > 0 ? EXIT.ok : EXIT.network;
}

async function probe(
  host: string,
  port: number,
  options: ConnectionOptions,
): Promise<{ state: PortState; why: string }> {
  try {
    const channel = await openConnection(host, port, { ...options, tls: undefined });
    await channel.close();
    return { state: 'open', why: '' };
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ECONNREFUSED') return { state: 'closed', why: 'refused (RST)' };
    if (code === 'ETIMEDOUT')
      return { state: 'filtered', why: `no answer within ${formatDuration(options.waitMs!)}` };
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { state: 'filtered', why: code };
    if (code === 'EPROXY') return { state: 'closed', why: isSockreplError(err) ? err.message : code };
    throw err;
  }
}
