import { randomInt } from 'node:crypto';

/**
 * Seeded randomness for faults. `--seed` makes a run repeatable: every fault on every
 * connection draws from its own stream, derived from the seed, the connection's number and the
 * fault's number, so adding a connection or a fault does not shift what the others draw.
 * xoshiro128** seeded through splitmix32: fast, well studied, and 32-bit so it stays in
 * plain JavaScript numbers.
 */

export type RandomSource = () => number;

/** A seed for when none was given; printed with -v so the run can be repeated. */
export function randomSeed(): number {
  return randomInt(0, 2 ** 32);
}

/** Uniform numbers in [0, 1) from the seed and any number of stream labels. */
export function seededRandom(seed: number, ...streams: number[]): RandomSource {
  let mix = seed >>> 0;
  for (const s of streams) mix = (Math.imul(mix ^ (s >>> 0), 0x9e3779b1) + 0x7f4a7c15) >>> 0;
  const next32 = splitmix32(mix);
  let a = next32();
  let b = next32();
  let c = next32();
  let d = next32();
  // An all-zero state would only ever give zeros; splitmix32 practically never yields it.
  if ((a | b | c | d) === 0) a = 1;
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result / 2 ** 32;
  };
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
