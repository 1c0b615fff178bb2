import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../../../plugins/index.js';
import { guardFramer } from '../../../src/plugin/guard-framer.js';
import { PluginRegistry } from '../../../src/plugin/registry.js';
import type { Frame, Framer } from '../../../src/plugin/types.js';

/**
 * The guarded framer loses nothing: however the stream is cut and whenever the framer fails
 * (a bug, a broken contract, or a FrameError it meant), the frames it returned, then the error's
 * frames and rest, are exactly the bytes given to it so far.
 */

const concat = (parts: Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));
const frameBytes = (frames: Frame[]) => frames.map((f) => f.bytes);

/** A newline framer that misbehaves on chunk `failAt` in the way `how` says. */
function lineFramer(failAt: number, how: number): Framer {
  let held = Buffer.alloc(0);
  let n = 0;
  return {
    decode(chunk) {
      held = Buffer.concat([held, chunk]);
      const frames: Frame[] = [];
      for (let nl = held.indexOf(10); nl >= 0; nl = held.indexOf(10)) {
        const bytes = held.subarray(0, nl + 1);
        frames.push({ payload: bytes.subarray(0, nl), bytes });
        held = held.subarray(nl + 1);
      }
      if (++n < failAt) return frames;
      if (how === 0) throw new TypeError('bug');
      if (how === 1) return null as never;
      if (how === 2) return frames.map((f) => ({ payload: String(f.payload), bytes: f.bytes })) as never;
      return Promise.resolve(frames) as never;
    },
    encode: (p) => p,
  };
}

const chunked = fc
  .array(
    fc.uint8Array({ maxLength: 40 }).map((a) => a.map((b) => (b % 5 === 0 ? 10 : b))),
    {
      minLength: 1,
      maxLength: 12,
    },
  )
  .filter((chunks) => chunks.every((c) => c.length > 0));

describe('guardFramer', () => {
  it('a framer that fails at any chunk, in any way: nothing it was given goes missing', () => {
    fc.assert(
      fc.property(chunked, fc.nat(), fc.integer({ min: 0, max: 3 }), (chunks, at, how) => {
        const failAt = (at % chunks.length) + 1;
        const framer = guardFramer(lineFramer(failAt, how), 'p', 'f');
        const shown: Uint8Array[] = [];
        for (const [i, c] of chunks.entries()) {
          try {
            shown.push(...frameBytes(framer.decode(c)));
          } catch (err) {
            const e = err as { frames: Frame[]; rest: Uint8Array; message: string };
            expect(e.message).toMatch(/^plugin 'p': framer 'f' decode\(\) /);
            shown.push(...frameBytes(e.frames), e.rest);
            expect(concat(shown)).toEqual(concat(chunks.slice(0, i + 1)));
            return;
          }
        }
        // Frames of strings are no fault when there are no frames: then the end of stream gives back the rest.
        expect(how).toBe(2);
        try {
          shown.push(...frameBytes(framer.flush?.() ?? []));
        } catch (err) {
          shown.push((err as { rest: Uint8Array }).rest);
        }
        expect(concat(shown)).toEqual(concat(chunks));
      }),
    );
  });

  it('a built-in framer meeting a frame over its limit: frames, then the error, account for every byte', () => {
    const registry = new PluginRegistry({ builtins: BUILTIN_PLUGINS });
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 10 }),
        (chunks) => {
          const framer = registry.createFramer('length:u8,max=8');
          const shown: Uint8Array[] = [];
          for (const c of chunks) {
            try {
              shown.push(...frameBytes(framer.decode(c)));
            } catch (err) {
              const e = err as { frames: Frame[]; rest: Uint8Array };
              shown.push(...frameBytes(e.frames), e.rest);
              break;
            }
          }
          let leftover: Uint8Array = new Uint8Array(0);
          try {
            shown.push(...frameBytes(framer.flush?.() ?? []));
          } catch (err) {
            leftover = (err as { rest: Uint8Array }).rest;
          }
          const given = concat(chunks);
          const all = concat([...shown, leftover]);
          // After an error the framer is dropped, so only a prefix was given to it.
          expect(given.subarray(0, all.length)).toEqual(all);
          expect(all.length === given.length || shown.length > 0).toBe(true);
        },
      ),
    );
  });
});
