import { setFlagsFromString } from 'node:v8';
import { UsageError } from '../errors.js';

/**
 * A regex pattern as the REPL's /expect and scripts write it, `/source/flags`: one set of flags
 * and one way of compiling, so a pattern means the same at the prompt and in a script.
 */

const FLAGS = /^[dgimsuvy]*$/;

/** Why `flags` are not a regex's flags, or undefined when they are. */
export function regexFlagsProblem(flags: string): string | undefined {
  if (FLAGS.test(flags) && new Set(flags).size === flags.length) return undefined;
  return `bad regex flags '${flags}' (use d, g, i, m, s, u, v, y)`;
}

/**
 * Compiles a written regex. `g` and `y` would make matching depend on lastIndex; the receive
 * buffer manages positions itself, so they are dropped (`^` already anchors at the start of the
 * buffer). A bad regex is a UsageError saying what is wrong: `/a(/: Unterminated group`.
 */
export function compileRegex(source: string, flags: string): RegExp {
  try {
    return new RegExp(source, flags.replace(/[gy]/g, ''));
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^Invalid regular expression: /, ''), { cause: err });
  }
}

// V8 can run a regex on a linear-time engine when it meets no backreference or lookaround: with
// the first flag it falls back to that engine once a match backtracks too much (same results,
// no catastrophic backtracking); the second enables the `l` flag used to ask whether it can.
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
setFlagsFromString('--enable-experimental-regexp-engine');

const linear = new WeakMap<RegExp, boolean>();

/**
 * True when V8 can run `re` in linear time (then a long match can never hang the process).
 * Backreferences, lookarounds, the `i`/`u`/`v` flags and large counted repetitions cannot.
 */
export function runsInLinearTime(re: RegExp): boolean {
  let known = linear.get(re);
  if (known === undefined) {
    try {
      new RegExp(re.source, `${re.flags.replace(/[gyd]/g, '')}l`);
      known = true;
    } catch {
      known = false;
    }
    linear.set(re, known);
  }
  return known;
}
