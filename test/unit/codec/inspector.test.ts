import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_INSPECTOR_ROWS,
  defineInspectorRow,
  formatFloat,
  type Inspection,
  inspect,
} from '../../../src/codec/inspector.js';
import { pack } from '../../../src/codec/struct.js';

const bytes = (h: string) => Buffer.from(h.replace(/\s/g, ''), 'hex');
const byName = (rows: Inspection[]) => Object.fromEntries(rows.map((r) => [r.name, r]));

describe('inspect', () => {
  const rows = byName(inspect(bytes('01000000 616263 cdcc2c40'), 0));

  it('reads every integer width in both byte orders', () => {
    expect(rows.int8).toMatchObject({ value: '1', fits: true });
    expect(rows.uint16).toMatchObject({ be: '256', le: '1', value: '256' });
    expect(rows.int32).toMatchObject({ be: '16777216', le: '1' });
    expect(rows.uint64).toMatchObject({ le: String((0xcd636261n << 32n) | 1n) });
    expect(rows.int64!.be).toBe(String(BigInt.asIntN(64, 0x0100000061626300n | 0xcdn)));
  });

  it('uses the requested byte order for value, big by default', () => {
    const le = byName(inspect(bytes('0100'), 0, { endian: 'le' }));
    expect(le.uint16!.value).toBe('1');
    expect(byName(inspect(bytes('0100'), 0)).uint16!.value).toBe('256');
  });

  it('shows floats in their shortest exact form', () => {
    const f = byName(inspect(bytes('cdcc2c40'), 0, { endian: 'le' }));
    expect(f.float32!.value).toBe('2.7');
    expect(byName(inspect(pack('>e', 0.1), 0)).float16!.value).toBe('0.1');
    expect(byName(inspect(pack('>d', Math.PI), 0)).float64!.value).toBe(String(Math.PI));
    expect(byName(inspect(bytes('7c00'), 0)).float16!.value).toBe('inf');
    expect(byName(inspect(bytes('7fc00000'), 0)).float32!.value).toBe('NaN');
  });

  it('says which rows do not fit instead of dropping them', () => {
    const short = byName(inspect(bytes('010203'), 0));
    expect(short.uint64).toEqual({
      name: 'uint64',
      size: 8,
      fits: false,
      value: 'needs 8 bytes, 3 bytes left',
    });
    expect(short.uint16!.fits).toBe(true);
    const end = inspect(bytes('01'), 1);
    expect(end.every((r) => !r.fits)).toBe(true);
    expect(byName(inspect(bytes('0102'), 1)).int16!.value).toBe('needs 2 bytes, 1 byte left');
    expect(inspect(bytes('01'), 1).length).toBe(BUILTIN_INSPECTOR_ROWS.length);
  });

  it('takes negative offsets from the end, and rejects offsets outside', () => {
    expect(byName(inspect(bytes('0102ff'), -1)).uint8!.value).toBe('255');
    expect(() => inspect(bytes('01'), 2)).toThrow('offset 2 is outside the 1 byte given');
    expect(() => inspect(bytes('01'), -2)).toThrow('outside');
  });

  it('decodes LEB128 varints', () => {
    expect(byName(inspect(bytes('e58e26'), 0)).uleb128!.value).toBe('624485 (3 bytes)');
    expect(byName(inspect(bytes('c0bb78'), 0)).sleb128!.value).toBe('-123456 (3 bytes)');
    expect(byName(inspect(bytes('7f'), 0)).sleb128!.value).toBe('-1 (1 byte)');
    expect(byName(inspect(bytes('ffffffffffffffffff01'), 0)).uleb128!.value).toBe(
      `${2n ** 64n - 1n} (10 bytes)`,
    );
    expect(byName(inspect(bytes('8080'), 0)).uleb128!.value).toMatch(/^unterminated/);
  });

  it('decodes bool, ASCII, UTF-8, times and bits', () => {
    const r = byName(inspect(bytes('41'), 0));
    expect(r.bool!.value).toBe('true (0x41)');
    expect(r.ascii!.value).toBe("'A'");
    expect(r.binary!.value).toBe('0b01000001');
    expect(byName(inspect(bytes('0a'), 0)).ascii!.value).toBe("'\\n'");
    expect(byName(inspect(bytes('07'), 0)).ascii!.value).toBe('control 0x07');
    expect(byName(inspect(bytes('e9'), 0)).ascii!.value).toBe('not ASCII (0xe9)');
    expect(byName(inspect(bytes('00'), 0)).bool!.value).toBe('false');
    expect(byName(inspect(bytes('e4b8ad'), 0)).utf8!.value).toBe("U+4E2D '中' (3 bytes)");
    expect(byName(inspect(bytes('f09f9880'), 0)).utf8!.value).toBe("U+1F600 '😀' (4 bytes)");
    expect(byName(inspect(bytes('e4b8'), 0)).utf8!.value).toBe('truncated: needs 3 bytes, 2 left');
    expect(byName(inspect(bytes('c0af'), 0)).utf8!.value).toMatch(/^invalid/);
    expect(byName(inspect(bytes('80'), 0)).utf8!.value).toBe('invalid: 0x80 is a continuation byte');
    expect(byName(inspect(pack('>i', 1700000000), 0)).time32!.value).toBe('2023-11-14T22:13:20Z');
    expect(byName(inspect(pack('<q', 0n), 0)).time64!.value).toBe('1970-01-01T00:00:00Z');
    expect(byName(inspect(pack('>q', 2n ** 62n), 0)).time64!.value).toBe('out of range for a date');
  });

  it('takes rows from plugins, and survives one that throws', () => {
    const magic = defineInspectorRow({
      name: 'magic',
      size: 4,
      decode: (b) => (Buffer.from(b.subarray(0, 4)).toString() === 'RIFF' ? 'RIFF header' : 'no'),
    });
    const broken = defineInspectorRow({
      name: 'broken',
      size: 1,
      decode: () => {
        throw new Error('plugin bug');
      },
    });
    const out = inspect(Buffer.from('RIFF....'), 0, { rows: [...BUILTIN_INSPECTOR_ROWS, magic, broken] });
    const r = byName(out);
    expect(r.magic!.value).toBe('RIFF header');
    expect(r.broken!.value).toBe('error: plugin bug');
    expect(r.int8!.value).toBe('82');
  });

  it('decodes every row of any bytes at any offset without throwing', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 24 }),
        fc.nat(),
        fc.constantFrom('le', 'be') as fc.Arbitrary<'le' | 'be'>,
        (b, o, e) => {
          const offset = b.length ? o % (b.length + 1) : 0;
          const out = inspect(b, offset, { endian: e });
          expect(out.length).toBe(BUILTIN_INSPECTOR_ROWS.length);
          for (const row of out) {
            expect(row.value).not.toMatch(/^error:/);
            expect(row.fits).toBe(b.length - offset >= row.size);
          }
        },
      ),
    );
  });
});

describe('formatFloat', () => {
  it('finds the shortest text that reads back as the same float32', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const s = formatFloat(x, 32);
        const back = s === '-0' ? -0 : Number(s);
        expect(Object.is(Math.fround(back), x)).toBe(true);
      }),
    );
  });
});
