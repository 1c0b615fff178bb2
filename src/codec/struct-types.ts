import type { StructValue } from './struct-codes.js';

/**
 * What `unpack(format, bytes)` returns, worked out by the type checker from a literal format:
 * `unpack('<HI', b)` is `[number, number]`, `'>Q'` is `[bigint]`, `'3B'` is three numbers,
 * `'4s'` is one Buffer. A format that is not a literal (a `string` variable), has a repeat count
 * above 99, or does not parse gives the general `StructValue[]`, as before: the types only ever
 * narrow what the runtime (struct.ts) returns, never disagree with it.
 *
 * The parser mirrors `new Struct(format)`: an optional byte-order character first (`@` or none
 * means native sizes, where `l`/`L` are 8 bytes and `n`/`N`/`P` exist), whitespace between
 * codes ignored, a decimal count before a code. Tail-recursive conditional types, so long
 * formats stay within TypeScript's recursion limit.
 */
export type Unpacked<F extends string> = string extends F
  ? StructValue[]
  : ParseFormat<F> extends infer T
    ? T extends Invalid
      ? StructValue[]
      : T
    : never;

/**
 * What `pack(format, ...values)` takes for a literal format: one argument per value `unpack`
 * gives, each of the kinds the runtime accepts for its code (struct-values.ts): integers and
 * floats a number, bigint or boolean, `?` anything (its truth is packed), `s`/`p`/`c` bytes.
 * Too few or too many arguments, or bytes for a number, are then type errors. A format the types
 * cannot follow takes `StructValue[]`, checked at run time as before.
 */
export type PackArgs<F extends string> = string extends F
  ? StructValue[]
  : ParseFormat<F> extends infer T
    ? T extends Invalid
      ? StructValue[]
      : T extends unknown[]
        ? AcceptsEach<T>
        : StructValue[]
    : never;

type AcceptsEach<T extends unknown[]> = { [K in keyof T]: Accepts<T[K]> };
type Accepts<V> = V extends Uint8Array
  ? Uint8Array
  : V extends boolean
    ? StructValue
    : number | bigint | boolean;

/** Marks a format the types cannot follow; the caller falls back to StructValue[]. */
declare const invalid: unique symbol;
type Invalid = { [invalid]: true };

type Order = '@' | '=' | '<' | '>' | '!';
type Whitespace = ' ' | '\t' | '\n' | '\r' | '\v' | '\f';
type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';

/** Native sizes only for `@` or no order character (`=` is native order, standard sizes). */
type ParseFormat<F extends string> = F extends `${infer O extends Order}${infer Rest}`
  ? Parse<Rest, O extends '@' ? true : false, []>
  : Parse<F, true, []>;

type Parse<S extends string, Native extends boolean, Acc extends unknown[]> = S extends ''
  ? Acc
  : S extends `${Whitespace}${infer Rest}`
    ? Parse<Rest, Native, Acc>
    : S extends `${Digit}${string}`
      ? ParseCount<S, Native, Acc, ''>
      : S extends `${infer C}${infer Rest}`
        ? Group<C, 1, Native> extends infer G extends unknown[]
          ? Parse<Rest, Native, [...Acc, ...G]>
          : Invalid
        : Invalid;

/** Reads the digits of a count (at most two: larger counts are not worth a tuple), then its code. */
type ParseCount<
  S extends string,
  Native extends boolean,
  Acc extends unknown[],
  Digits extends string,
> = S extends `${infer D extends Digit}${infer Rest}`
  ? Digits extends `${Digit}${Digit}`
    ? Invalid
    : ParseCount<Rest, Native, Acc, `${Digits}${D}`>
  : S extends `${infer C}${infer Rest}`
    ? Digits extends `${infer N extends number}`
      ? Group<C, N, Native> extends infer G extends unknown[]
        ? Parse<Rest, Native, [...Acc, ...G]>
        : Invalid
      : Invalid
    : Invalid; // a count with no code after it: the runtime throws

/** The values one group gives: `s`/`p` one Buffer whatever the count, `x` none, others `count` each. */
type Group<C extends string, N extends number, Native extends boolean> = C extends 's' | 'p'
  ? [Buffer]
  : C extends 'x'
    ? []
    : Value<C, Native> extends infer V
      ? [V] extends [Invalid]
        ? Invalid
        : Repeat<V, N, []>
      : Invalid;

/** One value of a code, as struct-values.ts reads it (8-byte integers are bigint). */
type Value<C extends string, Native extends boolean> = C extends 'c'
  ? Buffer
  : C extends '?'
    ? boolean
    : C extends 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'e' | 'f' | 'd'
      ? number
      : C extends 'q' | 'Q'
        ? bigint
        : C extends 'l' | 'L'
          ? Native extends true
            ? bigint
            : number
          : C extends 'n' | 'N' | 'P'
            ? Native extends true
              ? bigint
              : Invalid
            : Invalid;

type Repeat<V, N extends number, Acc extends unknown[]> = Acc['length'] extends N
  ? Acc
  : Repeat<V, N, [...Acc, V]>;
