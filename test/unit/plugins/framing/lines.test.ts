import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameError } from '../../../../src/plugin/errors.js';
import { assertRoundTrip, bytes, framer, offsets, text } from './harness.js';

describe('lines framer', () => {
  it('splits LF lines; the payload excludes the newline, the bytes include it', () => {
    const frames = framer('lines').decode(bytes('one\ntwo\n\nthree'));
    expect(frames.map((f) => text(f.payload))).toEqual(['one', 'two', '']);
    expect(frames.map((f) => text(f.bytes))).toEqual(['one\n', 'two\n', '\n']);
  });

  it('keeps a partial line until its newline arrives', () => {
    const f = framer('lines');
    expect(f.decode(bytes('hel'))).toEqual([]);
    expect(f.decode(bytes('lo'))).toEqual([]);
    expect(f.decode(bytes('\nwor')).map((x) => text(x.payload))).toEqual(['hello']);
  });

  it('leaves a CR before LF in the line with lf, strips CRLF with crlf', () => {
    expect(text(framer('lines').decode(bytes('a\r\n'))[0]!.payload)).toBe('a\r');
    expect(text(framer('lines:crlf').decode(bytes('a\r\n'))[0]!.payload)).toBe('a');
    expect(text(framer('lines,eol=crlf').decode(bytes('a\r\n'))[0]!.payload)).toBe('a');
  });

  it('finds a CRLF split across chunks, and a lone LF is not a line end under crlf', () => {
    const f = framer('lines:crlf');
    expect(f.decode(bytes('a\nb\r'))).toEqual([]);
    expect(f.decode(bytes('\nc')).map((x) => text(x.payload))).toEqual(['a\nb']);
  });

  it('returns the last line without a newline at EOF', () => {
    const f = framer('lines');
    f.decode(bytes('a\nlast'));
    expect(f.flush!().map((x) => text(x.payload))).toEqual(['last']);
    expect(f.flush!()).toEqual([]);
  });

  it('encodes by appending the line end', () => {
    expect(text(framer('lines').encode(bytes('hi')))).toBe('hi\n');
    expect(text(framer('lines:crlf').encode(bytes('hi')))).toBe('hi\r\n');
  });

  it('accepts a line of exactly max bytes and refuses a longer one, even before its newline', () => {
    expect(framer('lines,max=4').decode(bytes('abcd\n')).length).toBe(1);
    expect(() => framer('lines,max=4').decode(bytes('abcde\n'))).toThrow(/over max=4/);
    const f = framer('lines,max=4');
    f.decode(bytes('abcd'));
    expect(() => f.decode(bytes('e'))).toThrow(FrameError);
  });

  it('with crlf, does not count a pending CR against max', () => {
    const f = framer('lines:crlf,max=4');
    expect(f.decode(bytes('abcd\r'))).toEqual([]);
    expect(f.decode(bytes('\n')).map((x) => text(x.payload))).toEqual(['abcd']);
  });

  it('hands back the frames before the error and the bytes it gave up', () => {
    const f = framer('lines,max=3');
    try {
      f.decode(bytes('ok\ntoolong\n'));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FrameError);
      const e = err as FrameError;
      expect(e.code).toBe('EFRAME');
      expect(e.message).toBe('lines:lf: message of 7 bytes is over max=3');
      expect(e.frames.map((x) => text(x.payload))).toEqual(['ok']);
      expect(text(e.rest)).toBe('toolong\n');
    }
    // The framer let go of the bad bytes and goes on from a clean state.
    expect(f.decode(bytes('x\n')).map((x) => text(x.payload))).toEqual(['x']);
  });

  it('stays linear for a long line arriving one byte at a time', () => {
    const f = framer('lines');
    const n = 200_000;
    const one = bytes('x');
    const started = performance.now();
    for (let i = 0; i < n; i++) f.decode(one);
    const frames = f.decode(bytes('\n'));
    expect(frames[0]!.payload.length).toBe(n);
    // Quadratic rescanning would take minutes; linear takes well under a second.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  const noLf = fc.uint8Array({ maxLength: 64 }).filter((p) => !p.includes(0x0a));
  it('property: any chunking of encoded LF lines decodes to the same lines', () => {
    fc.assert(
      fc.property(
        fc.array(noLf, { maxLength: 12 }),
        offsets,
        (ps, cuts) => void assertRoundTrip('lines', ps, cuts),
      ),
    );
  });

  const crlfFree = fc
    .array(fc.constantFrom(0x0d, 0x0a, 0x41, 0x42), { maxLength: 12 })
    .map((a) => Uint8Array.from(a))
    .filter((p) => !Buffer.from(p).includes('\r\n'));
  it('property: any chunking of encoded CRLF lines decodes to the same lines (CR and LF inside lines)', () => {
    fc.assert(
      fc.property(
        fc.array(crlfFree, { maxLength: 12 }),
        offsets,
        (ps, cuts) => void assertRoundTrip('lines:crlf', ps, cuts),
      ),
    );
  });
});
