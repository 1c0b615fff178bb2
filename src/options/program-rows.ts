import { createRequire } from 'node:module';
import { splitCommandWords } from '../codec/command-words.js';
import { UsageError } from '../errors.js';
import { findProgram } from '../net/find-program.js';
import type { ConnectionOptions } from './connection-options.js';
import type { CommandName, OptionRow } from './option-types.js';

/** Programs as peers (ncat -e/-c, socat EXEC:...,pty): the rows of design section 2's table. */

const SERVING: readonly CommandName[] = ['connect', 'listen'];
const PROGRAM: readonly CommandName[] = ['connect', 'listen', 'exec'];

/** The most columns or rows a terminal size may have. */
const MAX_SIDE = 9999;

/** `120x40` (also `120,40`, `120 40`) as columns and rows. */
export function parsePtySize(text: string, what = '--pty-size'): { cols: number; rows: number } {
  const m = /^\s*(\d{1,4})\s*[x×X, ]\s*(\d{1,4})\s*$/.exec(text);
  const cols = Number(m?.[1]);
  const rows = Number(m?.[2]);
  if (!m || cols < 1 || rows < 1 || cols > MAX_SIDE || rows > MAX_SIDE)
    throw new UsageError(`${what}: '${text}' is not a terminal size (columns x rows, e.g. 120x40)`);
  return { cols, rows };
}

function setExec(o: ConnectionOptions, argv: string[], what: string, text: string): void {
  if (o.exec) throw new UsageError(`${what}: only one program per connection (-e or -c, once)`);
  o.exec = { argv, text };
}

/**
 * Asked only on this error path, through require: a static import of codec/text.js would load
 * iconv-lite (and its tables) into every start, --version included.
 */
function isEncodingName(name: string): boolean {
  const iconv = createRequire(import.meta.url)('iconv-lite') as { encodingExists(n: string): boolean };
  return iconv.encodingExists(name);
}

/** `-e gbk` from before -e meant exec: the old habit gets a pointer to -E, not "no such program". */
function checkProgram(name: string, what: string): void {
  try {
    findProgram(name);
  } catch (err) {
    if (!name.includes('/') && isEncodingName(name))
      throw new UsageError(
        `-e (--exec) runs a program now, as in ncat; '${name}' is a text encoding: use -E ${name} (--encoding)`,
      );
    throw new UsageError(`${what}: ${(err as Error).message}`);
  }
}

export const PROGRAM_ROWS: OptionRow[] = [
  {
    name: 'exec',
    short: 'e',
    takes: 'required',
    value: 'cmd',
    commands: SERVING,
    group: 'programs',
    summary: 'run a program joined to each connection (ncat -e; words split, no shell)',
    set: (o, v, what) => {
      let argv: string[];
      try {
        argv = splitCommandWords(String(v));
      } catch (err) {
        throw new UsageError(`${what}: ${(err as Error).message}`);
      }
      if (argv.length === 0) throw new UsageError(`${what}: which program? e.g. ${what} /bin/cat`);
      checkProgram(argv[0]!, what);
      setExec(o, argv, what, String(v));
    },
  },
  {
    name: 'sh-exec',
    short: 'c',
    takes: 'required',
    value: 'cmd',
    commands: SERVING,
    group: 'programs',
    summary: 'run a shell command joined to each connection (ncat -c: /bin/sh -c cmd)',
    set: (o, v, what) => {
      if (String(v).trim() === '') throw new UsageError(`${what}: the shell command is empty`);
      setExec(o, ['/bin/sh', '-c', String(v)], what, String(v));
    },
  },
  {
    name: 'pty',
    takes: 'none',
    commands: PROGRAM,
    group: 'programs',
    summary: 'give the program a pseudo-terminal (job control, Ctrl-C, /dev/tty; node-pty)',
    set: (o) => {
      o.pty = true;
    },
  },
  {
    name: 'pty-size',
    takes: 'required',
    value: 'COLSxROWS',
    commands: PROGRAM,
    group: 'programs',
    summary: "the pseudo-terminal's size, e.g. 120x40 (default: this terminal's, or 80x24)",
    set: (o, v, what) => {
      o.ptySize = parsePtySize(String(v), what);
    },
  },
  {
    name: 'stderr',
    takes: 'required',
    value: 'mark|merge|inherit',
    commands: PROGRAM,
    group: 'programs',
    summary:
      "the program's standard error: mark (received, marked; exec's default), merge (received as output), inherit (to ours; -e/-c's default)",
    set: (o, v, what) => {
      const mode = String(v).toLowerCase();
      if (mode !== 'mark' && mode !== 'merge' && mode !== 'inherit')
        throw new UsageError(`${what}: '${String(v)}' is not mark, merge or inherit`);
      o.stderr = mode;
    },
  },
];
