import { OPTION_ROWS } from '../options/option-table.js';

const SUBCOMMANDS = new Set([
  'connect',
  'listen',
  'proxy',
  'run',
  'decode',
  'pack',
  'plugins',
  'replay',
  'exec',
  'help',
]);
const DURATION = /^\d+(\.\d+)?(ms|s|m|h)?$/i;
/** What `-x [file]` takes as its file without `=`: a path, or a name with a dump-like extension. */
const DUMP_FILE = /\/|\.(txt|log|hex|dump|out|xxd)$/i;

/**
 * The one-letter flags, from the option table (plus `-l`, which picks the listen command): whether
 * each takes a value decides how a bundle like `-lvnp 8888` or `-vzw1` splits. Optional values
 * (`-x [file]`) take none inside a bundle.
 */
function shortFlags(): Map<string, boolean> {
  const flags = new Map<string, boolean>([['l', false]]);
  for (const row of OPTION_ROWS)
    if (row.short) flags.set(row.short, row.takes === 'required' || row.takes === 'list');
  return flags;
}

/**
 * `-lvnp 8888` → `-l -v -n -p 8888`, `-w1` → `-w 1`: netcat's bundled short flags. A bundle with a
 * letter no flag has is left as it is, for commander to name.
 */
export function splitBundle(arg: string, flags: Map<string, boolean> = shortFlags()): string[] {
  if (!/^-[A-Za-z0-9]{2,}/.test(arg) || !flags.has(arg[1]!)) return [arg];
  const out: string[] = [];
  for (let i = 1; i < arg.length; i++) {
    const letter = arg[i]!;
    const takesValue = flags.get(letter);
    if (takesValue === undefined) return [arg];
    out.push(`-${letter}`);
    if (takesValue) {
      const rest = arg.slice(i + 1);
      if (rest !== '') out.push(rest.startsWith('=') ? rest.slice(1) : rest);
      break;
    }
  }
  return out;
}

/**
 * Rewrites netcat habits into the command tree commander understands: bundled short flags,
 * `-l [host] port` becomes `listen [host] port`, nc's `-l -p PORT` (with no other port) listens on
 * PORT, and a bare `--keepalive` followed by a host or `-x` is not allowed to swallow that host
 * as its optional value (`--hex=FILE` names any file).
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  // `replay` has flags of its own (`--listen PORT`) and no netcat habits to translate.
  if (argv[0] === 'replay') return [...argv];
  const flags = shortFlags();
  const split: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') {
      split.push(...argv.slice(i));
      break;
    }
    split.push(...splitBundle(argv[i]!, flags));
  }
  const out: string[] = [];
  let listen = false;
  let listenPort: string | undefined;
  for (let i = 0; i < split.length; i++) {
    const arg = split[i]!;
    if (arg === '--') {
      out.push(...split.slice(i));
      break;
    }
    if (arg === '-l' || arg === '--listen') {
      listen = true;
      continue;
    }
    if ((arg === '-p' || arg === '--source-port') && split[i + 1] !== undefined) {
      // Held back until it is known whether this is nc's `-l -p PORT`.
      listenPort = split[i + 1];
      out.push(arg, split[++i]!);
      continue;
    }
    if (arg === '--keepalive' && !DURATION.test(split[i + 1] ?? '')) {
      out.push('--keepalive=');
      continue;
    }
    if ((arg === '-x' || arg === '--hex') && !DUMP_FILE.test(split[i + 1] ?? '')) {
      out.push('--hex=');
      continue;
    }
    out.push(arg);
  }
  const first = out.find((a) => !a.startsWith('-'));
  const isListen = (listen && !(first && SUBCOMMANDS.has(first))) || first === 'listen';
  if (isListen && listenPort !== undefined && !hasPositional(out, flags)) {
    // nc -l -p 8888: -p names the port to listen on, as in traditional netcat and ncat.
    const at = out.findIndex((a, i) => (a === '-p' || a === '--source-port') && out[i + 1] === listenPort);
    out.splice(at, 2);
    out.push(listenPort);
  }
  if (listen && !(first && SUBCOMMANDS.has(first))) return ['listen', ...out];
  return out;
}

/** Whether a positional argument (other than the subcommand) is there, skipping flag values. */
function hasPositional(args: readonly string[], flags: Map<string, boolean>): boolean {
  const long = new Map(OPTION_ROWS.map((r) => [`--${r.name}`, r.takes === 'required' || r.takes === 'list']));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return i + 1 < args.length;
    if (a.startsWith('--')) {
      if (!a.includes('=') && long.get(a)) i++;
    } else if (a.startsWith('-') && a.length > 1) {
      if (a.length === 2 && flags.get(a[1]!)) i++;
    } else if (a !== 'listen') {
      return true;
    }
  }
  return false;
}
