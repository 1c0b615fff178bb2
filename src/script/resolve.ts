import { compileRegex } from '../codec/regex-literal.js';
import { encodeText } from '../codec/text.js';
import { parseDuration, parsePort } from '../codec/units.js';
import { UsageError } from '../errors.js';
import type { ProgramSpec, StderrMode } from '../net/program.js';
import type { ConnectionOptions } from '../options/connection-options.js';
import { resolveOptionWords } from '../options/option-words.js';
import { parsePtySize } from '../options/program-rows.js';
import { type Pattern as TubePattern, textPattern } from '../tube/matchers.js';
import type { ConnectStatement, ListenStatement, Pattern, Pos, SpawnStatement, Template } from './ast.js';
import { parseHexBytes } from './hex-literal.js';
import { MAX_REPEAT } from './parse.js';
import { ScriptRuntimeError } from './script-errors.js';
import type { Variables } from './variables.js';

/**
 * Turns a statement's templates into run-time values once its variables are known: the step that
 * runs calls these, and a value that turns out bad is an error at the statement's position
 * (exit 2), before anything is sent.
 */

/** Runs `fn`; a UsageError it throws becomes a ScriptRuntimeError at `pos`. */
function at<T>(vars: Variables, pos: Pos, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UsageError && !(err instanceof ScriptRuntimeError)) {
      throw new ScriptRuntimeError(vars.file, pos, err.message, { cause: err });
    }
    throw err;
  }
}

/**
 * A script pattern as the tube takes it: text (as bytes when it holds `\xNN` escapes), a RegExp,
 * hex bytes, or `'eof'`. `frame` and `timeout` are the runner's own business: undefined.
 */
export function resolvePattern(p: Pattern, vars: Variables, encoding: string): TubePattern | undefined {
  switch (p.kind) {
    case 'text':
      if (p.value.parts.some((x) => x.kind === 'bytes')) {
        return at(vars, p.pos, () => vars.expandBytes(p.value, (t) => encodeText(t, encoding)));
      }
      return textPattern(vars.expand(p.value), encoding);
    case 'regex': {
      const source = vars.expand(p.source);
      return at(vars, p.pos, () => {
        try {
          return compileRegex(source, p.flags);
        } catch (err) {
          throw new UsageError(`bad regex: ${(err as Error).message}`);
        }
      });
    }
    case 'hex': {
      const text = vars.expand(p.value);
      return at(vars, p.pos, () => parseHexBytes(text));
    }
    case 'eof':
      return 'eof';
    default:
      return undefined;
  }
}

/** A duration template in milliseconds. */
export function resolveDuration(t: Template, vars: Variables, what: string): number {
  const text = vars.expand(t);
  return at(vars, t.pos, () => parseDuration(text, what));
}

/** A repeat count. */
export function resolveCount(t: Template, vars: Variables): number {
  const text = vars.expand(t).trim();
  return at(vars, t.pos, () => {
    if (!/^\d+$/.test(text) || Number(text) > MAX_REPEAT) {
      throw new UsageError(`repeat: '${text}' is not a whole number from 0 to ${MAX_REPEAT}`);
    }
    return Number(text);
  });
}

export interface Endpoints {
  /** Undefined for a listen without a host (all interfaces). */
  host: string | undefined;
  port: number;
  options: ConnectionOptions;
}

/** The address and options of a connect or listen line. `[::1]` is accepted for `::1`. */
export function resolveEndpoints(s: ConnectStatement | ListenStatement, vars: Variables): Endpoints {
  const host = s.host === undefined ? undefined : vars.expand(s.host).replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new ScriptRuntimeError(vars.file, s.host!.pos, `${s.type}: the host is empty`);
  // No port: a unix socket (the parser allows it only with unix=).
  if (s.port === undefined) return { host, port: 0, options: lineOptions(s, vars) };
  const portText = vars.expand(s.port);
  const port = at(vars, s.port.pos, () => parsePort(portText, 'port'));
  if (s.type === 'connect' && port === 0) {
    throw new ScriptRuntimeError(vars.file, s.port.pos, 'connect: port 0 cannot be connected to');
  }
  return { host, port, options: lineOptions(s, vars) };
}

function lineOptions(s: ConnectStatement | ListenStatement, vars: Variables): ConnectionOptions {
  const words = s.options.map((o) =>
    o.value === undefined ? { name: o.name } : { name: o.name, value: vars.expand(o.value) },
  );
  return at(vars, s.pos, () => resolveOptionWords(words, s.type));
}

/** A spawn line's program, with its variables expanded: argv, terminal and where stderr goes. */
export function resolveSpawn(s: SpawnStatement, vars: Variables): ProgramSpec {
  const argv = s.argv.map((t) => vars.expand(t));
  const size = s.ptySize && at(vars, s.pos, () => parsePtySize(vars.expand(s.ptySize!), 'pty-size'));
  const stderr = s.stderr && vars.expand(s.stderr);
  if (stderr !== undefined && stderr !== 'mark' && stderr !== 'merge')
    throw new ScriptRuntimeError(vars.file, s.pos, `spawn: stderr '${stderr}' is not mark or merge`);
  return {
    argv,
    pty: s.pty ? size || { cols: 80, rows: 24 } : undefined,
    stderr: (stderr as StderrMode | undefined) ?? (s.pty ? undefined : 'mark'),
  };
}
