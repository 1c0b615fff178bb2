import { Command, type Option } from 'commander';
import {
  addConnectionOptions,
  type ConnectionOptions,
  resolveConnectionOptions,
} from '../cli/connection-options.js';
import { nearMatches } from '../codec/near-match.js';
import { UsageError } from '../errors.js';
import { findSocketOption, type SocketOptionName } from '../net/socket-options.js';

/**
 * `connect host port nodelay source-port=40000 linger=0 udp` — the CLI's transport and socket
 * options written as words. Names and arities come from the CLI's own option definitions, values
 * are checked by the CLI's own resolver, so a script accepts exactly what the command line does.
 * Socket-option table aliases (`keepalive-idle=30`, `TCP_NODELAY`, `SO_RCVBUF=64k`) work too.
 */

export type Statement = 'connect' | 'listen';
type Scope = Statement | 'both';

/** The CLI options that make sense on a script's connect/listen line, and where they apply. */
const SCRIPT_OPTION_SCOPES: Record<string, Scope> = {
  udp: 'both',
  source: 'connect',
  'source-port': 'connect',
  nodelay: 'both',
  keepalive: 'both',
  'keepalive-interval': 'both',
  'keepalive-count': 'both',
  linger: 'both',
  reuseaddr: 'both',
  reuseport: 'both',
  rcvbuf: 'both',
  sndbuf: 'both',
  ttl: 'both',
  tos: 'both',
  wait: 'connect',
  'idle-timeout': 'both',
  'keep-open': 'listen',
  'max-clients': 'listen',
  broker: 'listen',
};

/** `-4`/`-6` have no long name on the command line; as words they are `ipv4`/`ipv6`. */
const FAMILY_WORDS: Record<string, '4' | '6'> = { ipv4: '4', ipv6: '6' };

export interface OptionWordInfo {
  /** Canonical word: the CLI long name (`source-port`), or `ipv4`/`ipv6`. */
  name: string;
  /** Key in commander's raw option object. */
  key: string;
  takes: 'none' | 'optional' | 'required';
  scope: Scope;
}

let cliOptions: Map<string, Option> | undefined;

/** The CLI's connection options by long name, read from the same definitions the CLI uses. */
function cliOptionTable(): Map<string, Option> {
  if (!cliOptions) {
    cliOptions = new Map();
    for (const o of addConnectionOptions(new Command()).options) {
      if (o.long && !o.negate) cliOptions.set(o.long.replace(/^--/, ''), o);
    }
  }
  return cliOptions;
}

const TABLE_TO_CLI: Partial<Record<SocketOptionName, string>> = { keepaliveIdle: 'keepalive' };

/** Finds an option word by name (`--` and case tolerated); undefined when it is not one. */
export function lookupOptionWord(rawName: string): OptionWordInfo | undefined {
  const name = rawName.replace(/^--/, '');
  const lower = name.toLowerCase();
  const family = FAMILY_WORDS[lower];
  if (family) return { name: lower, key: family, takes: 'none', scope: 'both' };
  const scope = SCRIPT_OPTION_SCOPES[lower];
  const cli = cliOptionTable().get(lower);
  if (scope && cli) return { name: lower, key: cli.attributeName(), takes: arity(cli), scope };
  let tableName: SocketOptionName;
  try {
    tableName = findSocketOption(name).name;
  } catch {
    return undefined;
  }
  const cliName = TABLE_TO_CLI[tableName] ?? tableName.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const viaTable = cliOptionTable().get(cliName);
  const tableScope = SCRIPT_OPTION_SCOPES[cliName];
  if (!viaTable || !tableScope) return undefined;
  // `keepalive-idle=30` is the CLI's `--keepalive 30`: the value is required under that name.
  const takes = tableName === 'keepaliveIdle' ? 'required' : arity(viaTable);
  return {
    name: tableName === 'keepaliveIdle' ? 'keepalive-idle' : cliName,
    key: viaTable.attributeName(),
    takes,
    scope: tableScope,
  };
}

function arity(o: Option): OptionWordInfo['takes'] {
  return o.required ? 'required' : o.optional ? 'optional' : 'none';
}

export function optionWordNames(statement: Statement): string[] {
  return [
    ...Object.entries(SCRIPT_OPTION_SCOPES)
      .filter(([, s]) => s === 'both' || s === statement)
      .map(([n]) => n),
    'ipv4',
    'ipv6',
  ];
}

const BOOL_TEXT = /^(1|on|true|yes|0|off|false|no)$/i;
const BOOL_ON = /^(1|on|true|yes)$/i;

/**
 * Checks one option word's name, scope and arity (not its value); returns its info.
 * Throws UsageError with a one-line reason.
 */
export function checkOptionWord(name: string, hasValue: boolean, statement: Statement): OptionWordInfo {
  const info = lookupOptionWord(name);
  if (!info) {
    const known = optionWordNames(statement);
    const [near] = nearMatches(name, known, 1);
    const hint = near ? `did you mean '${near}'?` : `known: ${known.join(', ')}`;
    throw new UsageError(`unknown ${statement} option '${name}' (${hint})`);
  }
  if (info.scope !== 'both' && info.scope !== statement) {
    throw new UsageError(`'${info.name}' applies to ${info.scope} only, not to ${statement}`);
  }
  if (info.takes === 'required' && !hasValue) {
    throw new UsageError(`'${info.name}' needs a value, as in ${info.name}=${exampleValue(info.name)}`);
  }
  return info;
}

function exampleValue(name: string): string {
  if (/port/.test(name)) return '40000';
  if (/buf/.test(name)) return '64k';
  if (name === 'wait' || name === 'idle-timeout') return '5s';
  if (name === 'source') return '127.0.0.1';
  return '1';
}

/**
 * Turns expanded option words into the options the transports take, with the CLI's own checks.
 * Errors name the word as written in a script (`linger`, not `--linger`).
 */
export function resolveOptionWords(
  words: readonly { name: string; value?: string }[],
  statement: Statement,
): ConnectionOptions {
  const raw: Record<string, unknown> = {};
  for (const w of words) {
    const info = checkOptionWord(w.name, w.value !== undefined, statement);
    if (info.takes === 'none') {
      if (w.value === undefined) raw[info.key] = true;
      else if (!BOOL_TEXT.test(w.value)) throw new UsageError(`${info.name}: '${w.value}' is not on/off`);
      else if (BOOL_ON.test(w.value)) raw[info.key] = true;
      else delete raw[info.key];
    } else if (info.takes === 'optional') {
      // A bare `keepalive` must not undo an idle time given by `keepalive-idle=30`.
      raw[info.key] = w.value ?? (raw[info.key] as string | undefined) ?? '';
    } else {
      raw[info.key] = w.value;
    }
  }
  try {
    return resolveConnectionOptions(raw);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(asScriptWords(err.message), { cause: err });
    throw err;
  }
}

/** `--linger: 'x' ...` → `linger: 'x' ...`; `-4 and -6` → `ipv4 and ipv6`. */
function asScriptWords(message: string): string {
  return message
    .replace(/(^|[\s(])--([a-z][a-z0-9-]*)/g, '$1$2')
    .replace(/(^|\s)-4\b/g, '$1ipv4')
    .replace(/(^|\s)-6\b/g, '$1ipv6');
}
