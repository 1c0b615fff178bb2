import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { bytesLiteral, hexLiteral, quoteText, textLiteral } from '../../../src/codec/bytes-literal.js';
import { EofError, receivedSummary, TimeoutError } from '../../../src/tube/errors.js';

describe('bytesLiteral', () => {
  it('writes text as a script string and binary as hex', () => {
    expect(bytesLiteral(Buffer.from('OK 42\r\n'))).toBe('"OK 42\\r\\n"');
    expect(bytesLiteral(Buffer.from('say "$5"\\'))).toBe('"say \\"\\$5\\"\\\\"');
    expect(bytesLiteral(Buffer.from([0xde, 0xad, 0xbe, 0xef]))).toBe('hex:"de ad be ef"');
    expect(bytesLiteral(Buffer.from('\x1b[1mbold text here'))).toBe('"\\e[1mbold text here"');
    expect(bytesLiteral(Buffer.from([0, 0, 0, 5, 0x61]))).toBe('hex:"00 00 00 05 61"');
    expect(bytesLiteral(Buffer.alloc(0))).toBe('""');
  });

  it('decodes in the given encoding and uses \\u{} where \\x would be wrong', () => {
    expect(bytesLiteral(iconv.encode('你好', 'gbk'), { encoding: 'gbk' })).toBe('"你好"');
    expect(bytesLiteral(iconv.encode('hi\x01 there, long text', 'utf16le'), { encoding: 'utf16le' })).toBe(
      '"hi\\u{1} there, long text"',
    );
    expect(textLiteral(Buffer.from([0xc3]), 'utf8')).toBeUndefined();
  });

  it('truncates', () => {
    expect(bytesLiteral(Buffer.from('abcdef'), { max: 2 })).toBe('"ab" … (4 more bytes)');
  });

  it('quotes text and hex plainly', () => {
    expect(quoteText('a\tb')).toBe('"a\\tb"');
    expect(hexLiteral(Uint8Array.of(1, 255))).toBe('hex:"01 ff"');
  });

  it('any bytes become either a string or hex, never both or neither (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 50 }), (bytes) => {
        const lit = bytesLiteral(bytes);
        expect(lit.startsWith('"') || lit.startsWith('hex:"')).toBe(true);
      }),
    );
  });
});

describe('expectation errors', () => {
  it('say what was expected, what came, and exit 3', () => {
    const t = new TimeoutError({
      expected: '/^OK/',
      received: Buffer.from('ERR\n'),
      elapsedMs: 5000,
      timeoutMs: 5000,
    });
    expect(t.message).toBe('timed out after 5s waiting for /^OK/; received 4 bytes: "ERR\\n"');
    expect([t.code, t.exitCode, t.timeoutMs, t.received.toString()]).toEqual(['ETIMEOUT', 3, 5000, 'ERR\n']);
    const e = new EofError({ expected: '6 bytes', received: Buffer.from([1, 2]), elapsedMs: 1 });
    expect(e.message).toBe(
      'the peer closed the connection (EOF) while waiting for 6 bytes; received 2 bytes: hex:"01 02"',
    );
    expect(e.code).toBe('EEOF');
  });

  it('show only the last 64 bytes of many, starting on a whole character', () => {
    const s = receivedSummary(Buffer.from(`${'x'.repeat(100)}${'é'.repeat(40)}`));
    expect(s).toMatch(/^received 180 bytes, the last 64: "é{32}"$/);
    expect(receivedSummary(Buffer.alloc(0))).toBe('nothing was received');
  });
});
