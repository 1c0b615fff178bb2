import { NetError, UsageError } from '../errors.js';
import { CancelledError, EofError, TimeoutError } from '../tube/errors.js';
import type { Pattern } from '../tube/matchers.js';
import type { Conn } from './conn.js';
import type { ExpectPattern } from './expect.js';
import { consumeFrame, framePattern } from './frame-pattern.js';
import type { ExpectEvent } from './session-events.js';
import { textCodec } from './text-port.js';

/**
 * `/expect` at the prompt and in `--json`: the connection's tube does the waiting and matching
 * (the one receive engine scripts and the library use too); this turns its answer into the
 * `expect` event views show, and never rejects for a failed expectation (ok: false).
 */
export async function expectOn(
  conn: Conn,
  target: ExpectPattern,
  options: { timeoutMs: number; encoding: string; frameSpec: string | undefined; signal?: AbortSignal },
): Promise<Omit<ExpectEvent, 'type' | 'time'>> {
  const { encoding } = options;
  const coder = textCodec(encoding);
  let pattern: Pattern;
  if ('frame' in target) {
    if (!options.frameSpec)
      throw new UsageError('expect frame: framing is off; turn it on with /frame <spec>');
    pattern = framePattern(conn, encoding);
  } else pattern = target.pattern;
  const started = Date.now();
  const base = { conn: conn.id, pattern: target.source };
  try {
    const m = await conn.tube.expect(pattern, {
      timeout: options.timeoutMs,
      encoding,
      signal: options.signal,
    });
    const elapsedMs = Date.now() - started;
    const frame = m.data === undefined ? undefined : consumeFrame(conn, m.data);
    if (frame) {
      const payload = Buffer.from(frame.payload);
      return { ...base, elapsedMs, ok: true, match: coder.decode(payload), hex: payload.toString('hex') };
    }
    // eof matches after everything left, which it consumes: that is what it shows.
    const shown = m.kind === 'eof' ? m.before : m.bytes;
    const groups = m.kind === 'regex' ? m.slice(1).map((g) => g ?? '') : [];
    return { ...base, elapsedMs, ok: true, match: coder.decode(shown), hex: shown.toString('hex'), groups };
  } catch (err) {
    const reason =
      err instanceof TimeoutError
        ? 'timeout'
        : err instanceof CancelledError
          ? 'cancelled'
          : err instanceof EofError || err instanceof NetError
            ? conn.closed
              ? 'closed'
              : 'eof'
            : undefined;
    if (reason === undefined) throw err;
    const last = conn.tube.buffer.peek().subarray(-64);
    return {
      ...base,
      elapsedMs: Date.now() - started,
      ok: false,
      reason,
      lastHex: last.toString('hex'),
      lastText: coder.decode(last),
    };
  }
}
