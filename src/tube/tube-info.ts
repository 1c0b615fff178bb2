import type { Channel } from '../net/channel.js';
import type { TubeInfo } from './tube-options.js';

/** A snapshot of a tube's connection: endpoints, counters, state and the kernel's socket options. */
export function tubeInfo(c: Channel, buffered: number): TubeInfo {
  return {
    id: c.id,
    proto: c.proto,
    local: c.local,
    remote: c.remote,
    stats: { ...c.stats },
    readClosed: c.readClosed,
    writeClosed: c.writeClosed,
    closed: c.closed,
    buffered,
    options: c.closed || c.fd === undefined ? undefined : c.readOptions(),
    tls: c.tls,
  };
}
