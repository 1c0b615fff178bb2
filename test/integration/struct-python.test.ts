import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { calcsize, pack, type StructValue, unpack } from '../../src/codec/struct.js';

/**
 * Our struct against CPython's, on thousands of random formats and values. One python3
 * process generates every case (format, values, and what Python packs, unpacks or rejects);
 * the test replays each case here and compares.
 */

const python = spawnSync('python3', ['-c', 'import struct, sys; print(sys.version_info[0])'], {
  encoding: 'utf8',
});
const hasPython = python.status === 0 && python.stdout.trim() === '3';
const SEED = Number(process.env.STRUCT_SEED ?? 20240501);

const GENERATOR = String.raw`
import json, math, random, struct, sys
rnd = random.Random(int(sys.argv[1]))
STD = 'xcbB?hHiIlLqQefdsp'
NATIVE = STD + 'nNP'
INT_BITS = {'b': 8, 'h': 16, 'i': 32, 'l': 32, 'q': 64, 'n': 64}

def enc(v):
    if isinstance(v, bool): return {'b': v}
    if isinstance(v, int): return {'i': str(v)}
    if isinstance(v, float): return {'f': struct.pack('>d', v).hex()}
    if isinstance(v, (bytes, bytearray)): return {'y': bytes(v).hex()}
    raise TypeError(type(v))

def fmt_items(order):
    codes = NATIVE if order in ('', '@') else STD
    items = []
    for _ in range(rnd.randint(0, 6)):
        c = rnd.choice(codes)
        n = rnd.choice([None, None, 0, 1, 2, 3, 5])
        items.append(((str(n) if n is not None else '') + c, c, 1 if n is None else n))
    sep = rnd.choice(['', '', ' '])
    return order + sep.join(i[0] for i in items), items

def int_value(c, native):
    bits = 64 if (native and c in 'lLnNP') else INT_BITS.get(c.lower(), 64)
    signed = c.islower()
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if c == 'P': lo = -(1 << 63)
    r = rnd.random()
    if r < 0.05: return hi + rnd.randint(1, 3)
    if r < 0.10: return lo - rnd.randint(1, 3)
    if r < 0.30: return rnd.choice([lo, hi, 0, -1 if signed else 1])
    if r < 0.35: return rnd.choice([True, False])
    return rnd.randint(lo, hi)

def float_value(c):
    r = rnd.random()
    if r < 0.05: return rnd.choice([math.inf, -math.inf, -0.0, 0.0, math.nan])
    if r < 0.10: return rnd.randint(-1000, 1000)
    if c == 'e':
        if r < 0.25: return rnd.choice([65504.0, 65519.99, 65520.0, 2.0**-24, 2.0**-25, 2.0**-26, 1.5 * 2.0**-24, 1e5, -65520.0])
        return rnd.uniform(-70000, 70000) * rnd.choice([1, 1e-3, 1e-6])
    if c == 'f':
        if r < 0.25: return rnd.choice([3.4028234663852886e38, 3.4028235677973366e38, 3.5e38, 1e39, 1.4e-45, 7e-46, 1e-50])
        return struct.unpack('>d', rnd.getrandbits(64).to_bytes(8, 'big'))[0] if r < 0.5 else rnd.uniform(-1e6, 1e6)
    v = struct.unpack('>d', rnd.getrandbits(64).to_bytes(8, 'big'))[0]
    return 0.5 if math.isnan(v) else v

def value(c, n, native):
    if c in 'sp': return bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, n + 2)))
    if c == 'c': return bytes(rnd.getrandbits(8) for _ in range(rnd.choice([1, 1, 1, 1, 0, 2])))
    if c == '?': return rnd.choice([True, False, 0, 1, 7, -1])
    if c in 'efd': return float_value(c)
    return int_value(c, native)

def run(fn):
    try: return {'ok': fn()}
    except (struct.error, OverflowError, TypeError, ValueError) as e: return {'err': type(e).__name__ + ': ' + str(e)}
    except SystemError as e: return {'skip': str(e)}

cases = []
for k in range(int(sys.argv[2])):
    order = rnd.choice(['', '@', '=', '<', '>', '!'])
    fmt, items = fmt_items(order)
    native = order in ('', '@')
    size = struct.calcsize(fmt)
    values = []
    for text, c, n in items:
        if c == 'x': continue
        if c in 'sp': values.append(value(c, n, native))
        else: values.extend(value(c, n, native) for _ in range(n))
    packed = run(lambda: struct.pack(fmt, *values).hex())
    raw = bytes(rnd.getrandbits(8) for _ in range(size))
    unpacked = run(lambda: [enc(v) for v in struct.unpack(fmt, raw)])
    cases.append({'fmt': fmt, 'size': size, 'values': [enc(v) for v in values], 'packed': packed,
                  'raw': raw.hex(), 'unpacked': unpacked})

junk = []
alphabet = '<>!=@ 0123456789xcbB?hHiIlLqQnNPefdspzZ\t'
for k in range(int(sys.argv[3])):
    fmt = ''.join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 8)))
    junk.append({'fmt': fmt, 'size': run(lambda: struct.calcsize(fmt))})

json.dump({'python': sys.version.split()[0], 'cases': cases, 'junk': junk}, sys.stdout)
`;

type Encoded = { b: boolean } | { i: string } | { f: string } | { y: string };
type Outcome<T> = { ok: T } | { err: string } | { skip: string };

interface Case {
  fmt: string;
  size: number;
  values: Encoded[];
  packed: Outcome<string>;
  raw: string;
  unpacked: Outcome<Encoded[]>;
}

function decode(v: Encoded): StructValue {
  if ('b' in v) return v.b;
  if ('i' in v) {
    const big = BigInt(v.i);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(big)
      : big;
  }
  if ('f' in v) return Buffer.from(v.f, 'hex').readDoubleBE(0);
  return Buffer.from(v.y, 'hex');
}

/** Compares one unpacked value with Python's: integers exactly, floats bit for bit (NaN as NaN). */
function same(ours: StructValue, theirs: Encoded): boolean {
  if ('b' in theirs) return ours === theirs.b;
  if ('i' in theirs)
    return (typeof ours === 'bigint' || typeof ours === 'number') && BigInt(ours) === BigInt(theirs.i);
  if ('y' in theirs) return ours instanceof Uint8Array && Buffer.from(ours).toString('hex') === theirs.y;
  const x = Buffer.from(theirs.f, 'hex').readDoubleBE(0);
  if (typeof ours !== 'number') return false;
  if (Number.isNaN(x)) return Number.isNaN(ours);
  return Object.is(ours, x);
}

function attempt<T>(fn: () => T): { ok: T } | { err: string } {
  try {
    return { ok: fn() };
  } catch (err) {
    return { err: err instanceof Error ? err.message : String(err) };
  }
}

describe.skipIf(!hasPython)('struct against CPython', () => {
  const generated = hasPython
    ? spawnSync('python3', ['-c', GENERATOR, String(SEED), '4000', '1500'], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        timeout: 60_000,
      })
    : undefined;
  const data = generated?.status === 0 ? JSON.parse(generated.stdout) : undefined;

  it('got its cases from one python3 process', () => {
    expect(generated?.stderr ?? '').toBe('');
    expect(data.cases.length).toBe(4000);
    console.log(`struct interop: python ${data.python}, seed ${SEED} (set STRUCT_SEED to vary)`);
  });

  it('agrees on calcsize, pack (bytes or rejection) and unpack for 4000 random formats', () => {
    const mismatches: string[] = [];
    let packedOk = 0;
    let rejected = 0;
    for (const c of data.cases as Case[]) {
      const where = `format ${JSON.stringify(c.fmt)}`;
      if (calcsize(c.fmt) !== c.size) mismatches.push(`${where}: calcsize ${calcsize(c.fmt)} != ${c.size}`);
      const values = c.values.map(decode);
      const ours = attempt(() => pack(c.fmt, ...values).toString('hex'));
      if ('ok' in c.packed) {
        packedOk++;
        if (!('ok' in ours) || ours.ok !== c.packed.ok)
          mismatches.push(
            `${where} values ${JSON.stringify(c.values)}: python ${c.packed.ok}, ours ${JSON.stringify(ours)}`,
          );
      } else if ('err' in c.packed) {
        rejected++;
        if ('ok' in ours)
          mismatches.push(
            `${where} values ${JSON.stringify(c.values)}: python ${c.packed.err}, ours packed ${ours.ok}`,
          );
      }
      if ('ok' in c.unpacked) {
        const got = attempt(() => unpack(c.fmt, Buffer.from(c.raw, 'hex')));
        if (
          !('ok' in got) ||
          got.ok.length !== c.unpacked.ok.length ||
          !got.ok.every((v, k) => same(v, (c.unpacked as { ok: Encoded[] }).ok[k]!))
        )
          mismatches.push(
            `${where} unpack ${c.raw}: python ${JSON.stringify(c.unpacked.ok)}, ours ${JSON.stringify(got, replacer)}`,
          );
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    // The generator is meant to exercise both outcomes.
    expect(packedOk).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(200);
  });

  it('agrees on which of 1500 random strings are formats, and their sizes', () => {
    const mismatches: string[] = [];
    for (const j of data.junk as { fmt: string; size: Outcome<number> }[]) {
      const ours = attempt(() => calcsize(j.fmt));
      if ('ok' in j.size && (!('ok' in ours) || ours.ok !== j.size.ok))
        mismatches.push(`${JSON.stringify(j.fmt)}: python ${j.size.ok}, ours ${JSON.stringify(ours)}`);
      if ('err' in j.size && 'ok' in ours)
        mismatches.push(`${JSON.stringify(j.fmt)}: python ${j.size.err}, ours ${ours.ok}`);
    }
    expect(mismatches).toEqual([]);
  });
});

if (!hasPython)
  describe('struct against CPython', () => {
    it.skip('skipped: python3 is not installed (install it to compare with CPython struct)', () => {});
  });

function replacer(_key: string, value: unknown) {
  return typeof value === 'bigint' ? `${value}n` : value;
}
