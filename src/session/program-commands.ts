import { UsageError } from '../errors.js';
import { parseSignal } from '../net/signals.js';
import { splitWords } from './command-line.js';
import type { CommandRun } from './command-spec.js';
import type { Conn } from './conn.js';
import type { Session } from './session.js';

/**
 * The commands that only make sense with a program as the peer (`sockrepl exec`, a script's
 * `spawn`): /signal and /resize. /close on a program closes its input (a terminal gets EOF, as
 * typed), see closeProgramInput.
 */

function programs(s: Session, what: string): Conn[] {
  const conns = s.targets().filter((c) => c.channel.program);
  if (conns.length === 0)
    throw new UsageError(`${what}: the connection is not a program (sockrepl exec, spawn)`);
  return conns;
}

export function programCommands(s: Session): Record<string, CommandRun> {
  return {
    signal: (rest) => {
      const word = rest.trim();
      if (word === '')
        throw new UsageError('usage: /signal <name> (INT, TERM, HUP, KILL, USR1, STOP, CONT...)');
      const sig = parseSignal(word);
      const conns = programs(s, 'signal');
      for (const c of conns) c.channel.program!.signal(sig);
      return { lines: conns.map((c) => `connection ${c.id}: ${sig} sent to pid ${c.channel.program!.pid}`) };
    },
    resize: (rest) => {
      const words = splitWords(rest.trim().replace(/^(\d+)\s*[x×X]\s*(\d+)$/, '$1 $2'));
      const [cols, rows] = words.map(Number);
      if (words.length !== 2 || !Number.isInteger(cols) || !Number.isInteger(rows))
        throw new UsageError('usage: /resize <cols> <rows> (or 120x40)');
      const conns = programs(s, 'resize');
      for (const c of conns) c.channel.program!.resize(cols!, rows!);
      s.emit('change');
      return { lines: conns.map((c) => `connection ${c.id}: terminal is ${cols}x${rows} now`) };
    },
  };
}

/** /close of a program: its input ends (EOF); it runs until it exits on its own. */
export function closeProgramInput(c: Conn): string {
  const p = c.channel.program!;
  if (!c.channel.writeClosed) c.channel.shutdown('write');
  const eof = p.pty ? 'EOF (Ctrl-D) typed on its terminal' : 'its standard input closed';
  return `connection ${c.id}: ${eof}; pid ${p.pid} runs until it exits (/signal TERM ends it)`;
}
