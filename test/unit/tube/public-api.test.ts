// biome-ignore-all lint/performance/noDynamicNamespaceImportAccess: the test walks the barrel's exports by name.
import { describe, expect, it } from 'vitest';
import * as api from '../../../src/index.js';

/** The package's one barrel: what design section 4 and issue 5 promise a library user. */
describe('the public API (src/index.ts)', () => {
  it('exports the connection functions, the tube and the error classes', () => {
    for (const name of ['connect', 'listen', 'udp', 'timeoutMs', 'scriptVars'] as const) {
      expect(typeof api[name], name).toBe('function');
    }
    for (const name of [
      'Tube',
      'TubeListener',
      'SockreplError',
      'UsageError',
      'NetError',
      'ExpectError',
      'TimeoutError',
      'EofError',
      'FrameError',
      'PluginError',
      'StructError',
    ] as const) {
      expect(typeof api[name], name).toBe('function');
    }
    expect(
      new api.TimeoutError({ expected: '"x"', received: Buffer.from('y'), elapsedMs: 1, timeoutMs: 1 }),
    ).toBeInstanceOf(api.ExpectError);
    expect(api.EXIT).toEqual({ ok: 0, network: 1, usage: 2, expectFailed: 3 });
    for (const name of [
      'send',
      'sendLine',
      'recv',
      'recvExactly',
      'recvUntil',
      'expect',
      'close',
      'shutdown',
      'reset',
      'setOption',
      'info',
    ] as const) {
      expect(typeof api.Tube.prototype[name], name).toBe('function');
    }
  });

  it('exports struct packing, hex and text helpers that work together', () => {
    const bytes = api.pack('>HI', 2, 42);
    expect(api.toHex(bytes, ' ')).toBe('00 02 00 00 00 2a');
    expect(api.unpack('>HI', api.fromHex('00 02 00 00 00 2a'))).toEqual([2, 42]);
    expect(api.calcsize('>HI')).toBe(6);
    expect(api.hexdump(Buffer.from('hi'))).toContain('68 69');
    expect(api.decodeText(api.encodeText('你好', 'gbk'), 'gbk')).toBe('你好');
    expect(api.listEncodings()).toContain('gbk');
    expect(api.bytesLiteral(Buffer.from([0, 1, 0xff]))).toBe('hex:"00 01 ff"');
  });

  it('exports the plugin helpers, which type and return their argument', () => {
    const framer = api.defineFramer({
      summary: 'one byte per frame',
      create: () => ({
        decode: (chunk) => [...chunk].map((b) => ({ payload: Uint8Array.of(b), bytes: Uint8Array.of(b) })),
        encode: (payload) => payload,
      }),
    });
    const plugin = api.definePlugin({ name: 'bytes', framers: { byte: framer } });
    expect(plugin.framers.byte).toBe(framer);
    expect(typeof api.defineFault).toBe('function');
  });
});
