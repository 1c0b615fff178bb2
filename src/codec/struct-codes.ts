import { endianness } from 'node:os';
import { UsageError } from '../errors.js';

/** The format codes of Python's `struct` and their standard and native (LP64) sizes. */

export class StructError extends UsageError {}

export type StructValue = number | bigint | boolean | Uint8Array;
export type Endian = 'le' | 'be';

export type Kind = 'pad' | 'char' | 'int' | 'bool' | 'float' | 'bytes' | 'pascal';

export interface CodeInfo {
  kind: Kind;
  size: number;
  signed?: boolean;
}

export const STANDARD: Record<string, CodeInfo> = {
  x: { kind: 'pad', size: 1 },
  c: { kind: 'char', size: 1 },
  b: { kind: 'int', size: 1, signed: true },
  B: { kind: 'int', size: 1, signed: false },
  '?': { kind: 'bool', size: 1 },
  h: { kind: 'int', size: 2, signed: true },
  H: { kind: 'int', size: 2, signed: false },
  i: { kind: 'int', size: 4, signed: true },
  I: { kind: 'int', size: 4, signed: false },
  l: { kind: 'int', size: 4, signed: true },
  L: { kind: 'int', size: 4, signed: false },
  q: { kind: 'int', size: 8, signed: true },
  Q: { kind: 'int', size: 8, signed: false },
  e: { kind: 'float', size: 2 },
  f: { kind: 'float', size: 4 },
  d: { kind: 'float', size: 8 },
  s: { kind: 'bytes', size: 1 },
  p: { kind: 'pascal', size: 1 },
};

// C types on LP64 Linux (x86_64, arm64): long, ssize_t, size_t and pointers are 8 bytes,
// and every numeric type is aligned to its size.
export const NATIVE: Record<string, CodeInfo> = {
  ...STANDARD,
  l: { kind: 'int', size: 8, signed: true },
  L: { kind: 'int', size: 8, signed: false },
  n: { kind: 'int', size: 8, signed: true },
  N: { kind: 'int', size: 8, signed: false },
  P: { kind: 'int', size: 8, signed: false },
};

export const NATIVE_LITTLE = endianness() === 'LE';

// Python's own wording for the four small integer codes; the rest use the generic form.
export const INT_NAMES: Record<string, string> = { b: 'byte', B: 'ubyte', h: 'short', H: 'ushort' };

/** One run of a format: `3H` is one group with count 3; `5s` is one group holding one value. */
export interface StructGroup {
  readonly code: string;
  readonly count: number;
  readonly offset: number;
  /** Bytes of one item (`s`, `p`, `x`: 1). */
  readonly itemSize: number;
  readonly kind: Kind;
  readonly signed: boolean;
}

/** Where one value lives in the packed bytes, for displays that label each value. */
export interface StructField {
  readonly code: string;
  readonly offset: number;
  readonly size: number;
  /** The code as written for display: `H`, `5s`, `3p`. */
  readonly label: string;
}
