const SUBCOMMANDS = new Set([
  'connect',
  'listen',
  'proxy',
  'run',
  'decode',
  'pack',
  'plugins',
  'replay',
  'help',
]);
const DURATION = /^\d+(\.\d+)?(ms|s|m|h)?$/i;
/** What `-x [file]` takes as its file without `=`: a path, or a name with a dump-like extension. */
const DUMP_FILE = /\/|\.(txt|log|hex|dump|out|xxd)$/i;

/**
 * Rewrites netcat habits into the command tree commander understands:
 * `-l [host] port` becomes `listen [host] port`, and a bare `--keepalive` followed by a host
 * or `-x` is not allowed to swallow that host as its optional value (`--hex=FILE` names any file).
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  // `replay` has flags of its own (`--listen PORT`) and no netcat habits to translate.
  if (argv[0] === 'replay') return [...argv];
  const out: string[] = [];
  let listen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg === '-l' || arg === '--listen') {
      listen = true;
      continue;
    }
    if (arg === '--keepalive' && !DURATION.test(argv[i + 1] ?? '')) {
      out.push('--keepalive=');
      continue;
    }
    if ((arg === '-x' || arg === '--hex') && !DUMP_FILE.test(argv[i + 1] ?? '')) {
      out.push('--hex=');
      continue;
    }
    out.push(arg);
  }
  const first = out.find((a) => !a.startsWith('-'));
  if (listen && !(first && SUBCOMMANDS.has(first))) return ['listen', ...out];
  return out;
}
