import { NetError, UsageError } from '../errors.js';
import { waitForDrain } from '../net/wait-for-drain.js';
import type { Framer } from '../plugin/types.js';
import type { Conn } from './conn.js';

/**
 * Sends one payload to each connection, framed by its outgoing framer when framing is on. Returns
 * undefined once every connection took the bytes, else a promise that resolves when those that
 * were full have drained (rejects if one closes first), so a caller sending in a loop honours
 * backpressure without a promise per send when nothing waits.
 */
export function sendToConns(
  conns: readonly Conn[],
  payload: Uint8Array,
  frameSpec: string | undefined,
  signal?: AbortSignal,
): Promise<void> | undefined {
  let waits: Promise<void>[] | undefined;
  for (const conn of conns) {
    if (conn.channel.writeClosed) {
      throw new UsageError(
        `connection ${conn.id} is closed for writing${conn.closed ? '' : ' (/shutdown write)'}`,
      );
    }
    const framer = conn.dirs.out.framer;
    const wire = framer ? frameEncode(framer, payload, frameSpec) : payload;
    let ok: boolean;
    try {
      ok = conn.channel.send(wire);
    } catch (err) {
      throw new NetError(`send on connection ${conn.id}: ${(err as Error).message}`, 'EPIPE', { cause: err });
    }
    if (!ok) {
      waits ??= [];
      waits.push(waitForDrain(conn.channel, { signal }));
    }
  }
  return waits && Promise.all(waits).then(() => undefined);
}

function frameEncode(framer: Framer, payload: Uint8Array, frameSpec: string | undefined): Uint8Array {
  try {
    return framer.encode(payload);
  } catch (err) {
    throw new UsageError(`frame ${frameSpec}: ${(err as Error).message}`);
  }
}
