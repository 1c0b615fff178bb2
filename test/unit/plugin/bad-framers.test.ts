import { describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../../../plugins/index.js';
import { FrameError, PluginError } from '../../../src/plugin/errors.js';
import { PluginRegistry } from '../../../src/plugin/registry.js';
import type { Frame } from '../../../src/plugin/types.js';
import badFramers from '../../fixtures/plugins/bad-framers.js';

/**
 * The framer half of the bad-plugin matrix, on the guarded framer alone: every way a framer
 * breaks its contract is a PluginError whose one line names the plugin, the framer, the hook
 * and what it did, and which carries every byte the framer was given and did not frame.
 */

function registry(): PluginRegistry {
  const r = new PluginRegistry();
  r.add(badFramers, 'bad-framers.ts');
  return r;
}

const text = (frames: Frame[]) => frames.map((f) => Buffer.from(f.bytes).toString()).join('');

function failOn(name: string, chunks: string[]): { frames: Frame[]; err: PluginError | FrameError } {
  const framer = registry().createFramer(name, '--frame');
  const frames: Frame[] = [];
  for (const c of chunks) {
    try {
      frames.push(...framer.decode(Buffer.from(c)));
    } catch (err) {
      return { frames, err: err as PluginError };
    }
  }
  throw new Error('never failed');
}

describe('a framer that breaks its contract', () => {
  it.each([
    ['decode-throws', 'decode() threw Error: boom'],
    ['decode-null', 'decode() returned null, not an array of frames'],
    ['decode-strings', 'decode() returned frame [0] whose payload is a string, not bytes (a Uint8Array)'],
    ['decode-rejects', 'decode() returned a promise, not an array of frames; decoding must answer at once'],
  ])('%s: one line naming it; the bytes it held and the failing chunk come back raw', (name, what) => {
    const { frames, err } = failOn(name, ['one\npar', 'tial\ntwo\nthr']);
    expect(err).toBeInstanceOf(PluginError);
    expect(err.message).toBe(`plugin 'bad-framers': framer '${name}' ${what}`);
    expect(text(frames)).toBe('one\n');
    expect(text(err.frames)).toBe('');
    expect(Buffer.from(err.rest).toString()).toBe('partial\ntwo\nthr');
  });

  it('the control frames lines and keeps the partial one', () => {
    const framer = registry().createFramer('good');
    expect(text(framer.decode(Buffer.from('a\nb')))).toBe('a\n');
    expect(text(framer.decode(Buffer.from('\n')))).toBe('b\n');
  });

  it('encode returning a string, or throwing, is one line; nothing is sent', () => {
    const r = registry();
    expect(() => r.createFramer('encode-string').encode(Buffer.from('x'))).toThrow(
      new PluginError(
        'bad-framers',
        "plugin 'bad-framers': framer 'encode-string' encode() returned a string, not bytes (a Uint8Array); nothing was sent",
      ),
    );
    expect(() => r.createFramer('encode-throws').encode(Buffer.from('x'))).toThrow(
      "plugin 'bad-framers': framer 'encode-throws' encode() threw Error: boom",
    );
  });

  it('flush that throws gives back the partial message it held', () => {
    const framer = registry().createFramer('flush-throws');
    expect(text(framer.decode(Buffer.from('whole\npart')))).toBe('whole\n');
    const err = (() => {
      try {
        framer.flush?.();
      } catch (e) {
        return e as PluginError;
      }
      throw new Error('flush did not throw');
    })();
    expect(err.message).toBe("plugin 'bad-framers': framer 'flush-throws' flush() threw Error: boom");
    expect(Buffer.from(err.rest).toString()).toBe('part');
  });

  it.each([
    ['create-throws', 'threw Error: boom'],
    ['create-null', 'returned null, not a framer ({ decode, encode, flush? })'],
    ['create-string', 'returned a string, not a framer ({ decode, encode, flush? })'],
    ['create-pending', 'returned a promise, not a framer; create() must return { decode, encode } at once'],
  ])('%s: --frame / /frame refuse it with one line (exit 2)', (name, what) => {
    expect(() => registry().createFramer(name, '--frame')).toThrow(
      new PluginError('bad-framers', `plugin 'bad-framers': framer '${name}' create() ${what}`),
    );
  });

  it('a FrameError from a built-in framer carries the frames before it and every held byte', () => {
    const framer = new PluginRegistry({ builtins: BUILTIN_PLUGINS }).createFramer('length:u8,max=4');
    expect(text(framer.decode(Buffer.from([2, 65])))).toBe('');
    let err: FrameError | undefined;
    try {
      framer.decode(Buffer.from([66, 1, 67, 9, 1, 2]));
    } catch (e) {
      err = e as FrameError;
    }
    expect(err).toBeInstanceOf(FrameError);
    expect(err!.frames.map((f) => [...f.bytes])).toEqual([
      [2, 65, 66],
      [1, 67],
    ]);
    expect([...err!.rest]).toEqual([9, 1, 2]);
  });
});
