import { UsageError } from '../errors.js';
import type { Template, VarRef } from './ast.js';
import { ScriptRuntimeError } from './script-errors.js';

/**
 * A script's variables, looked up in this order:
 *   1. the last expect's captures: `$0` (the whole match), `$1`, `$2`..., named groups `${name}`;
 *   2. `set NAME value` and `--var NAME=value` (the latest assignment wins);
 *   3. the environment.
 * Templates are expanded when their step runs, since captures only exist once an expect matched.
 * `${NAME:-default}` takes the default when NAME is unset or empty, as in the shell.
 */

/** The match of the last expect, shaped like a RegExpMatchArray. */
export interface Captures {
  readonly length: number;
  readonly [index: number]: string | undefined;
  readonly groups?: Readonly<Record<string, string | undefined>> | undefined;
}

export interface VariableSources {
  /** `--var NAME=value` pairs. */
  vars?: Readonly<Record<string, string>>;
  env?: Readonly<Record<string, string | undefined>>;
  /** The script's name, for error positions. */
  file?: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class Variables {
  private readonly assigned = new Map<string, string>();
  private readonly env: Readonly<Record<string, string | undefined>>;
  private captures: Captures | undefined;
  readonly file: string;

  constructor(sources: VariableSources = {}) {
    this.env = sources.env ?? {};
    this.file = sources.file ?? '<script>';
    for (const [name, value] of Object.entries(sources.vars ?? {})) this.set(name, value);
  }

  set(name: string, value: string): void {
    if (!NAME.test(name)) throw new UsageError(`'${name}' is not a variable name (letters, digits and _)`);
    this.assigned.set(name, value);
  }

  /** Replaces the captures with those of the latest match (undefined forgets them). */
  setCaptures(match: Captures | undefined): void {
    this.captures = match;
  }

  /** A variable's value, or undefined when it is not set. */
  get(name: string): string | undefined {
    if (/^\d+$/.test(name)) {
      const index = Number(name);
      return this.captures && index < this.captures.length ? this.captures[index] : undefined;
    }
    const group = this.captures?.groups?.[name];
    if (group !== undefined) return group;
    return this.assigned.get(name) ?? this.env[name];
  }

  /**
   * Expands a template to text. Bytes written as `\xNN` become the characters U+0000..U+00FF;
   * use expandBytes where exact bytes matter. In a regex template, values are inserted escaped
   * so that they match literally.
   */
  expand(t: Template): string {
    let out = '';
    for (const p of t.parts) {
      if (p.kind === 'text') out += p.text;
      else if (p.kind === 'bytes') out += Buffer.from(p.bytes).toString('latin1');
      else out += this.valueOf(p.ref, t.regex === true);
    }
    return out;
  }

  /** Expands a template to bytes: text and variable values through `encode`, `\xNN` bytes as they are. */
  expandBytes(t: Template, encode: (text: string) => Uint8Array): Buffer {
    const pieces: Uint8Array[] = [];
    let text = '';
    const flush = () => {
      if (text !== '') pieces.push(encode(text));
      text = '';
    };
    for (const p of t.parts) {
      if (p.kind === 'bytes') {
        flush();
        pieces.push(p.bytes);
      } else if (p.kind === 'text') text += p.text;
      else text += this.valueOf(p.ref, false);
    }
    flush();
    return Buffer.concat(pieces);
  }

  private valueOf(ref: VarRef, regex: boolean): string {
    const value = this.get(ref.name);
    if (value !== undefined && value !== '') return regex ? escapeRegExp(value) : value;
    if (ref.fallback) return this.expand(ref.fallback);
    if (value !== undefined) return value;
    throw new ScriptRuntimeError(this.file, ref.pos, this.undefinedReason(ref));
  }

  private undefinedReason(ref: VarRef): string {
    if (/^\d+$/.test(ref.name)) {
      if (!this.captures) return `'${ref.source}' is not set: no expect has matched yet`;
      const n = this.captures.length - 1;
      const index = Number(ref.name);
      if (index <= n) return `'${ref.source}' is not set: group ${index} did not take part in the last match`;
      return `'${ref.source}' is not set: the last expect captured ${n} group${n === 1 ? '' : 's'}`;
    }
    return (
      `undefined variable '${ref.name}' (pass --var ${ref.name}=..., assign it with set ${ref.name} ..., ` +
      `or give a default: \${${ref.name}:-value})`
    );
  }
}

/** Parses `--var NAME=value`. */
export function parseVarAssignment(text: string): [name: string, value: string] {
  const eq = text.indexOf('=');
  const name = eq < 0 ? text : text.slice(0, eq);
  if (eq < 0) throw new UsageError(`--var ${text}: expected NAME=value`);
  if (!NAME.test(name))
    throw new UsageError(`--var ${text}: '${name}' is not a variable name (letters, digits and _)`);
  return [name, text.slice(eq + 1)];
}

/** Escapes the characters a RegExp gives a meaning to (only those, so that the `u` flag accepts it). */
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
