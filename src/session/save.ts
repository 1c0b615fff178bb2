import type { writeFileSync } from 'node:fs';
import { TrafficDumper } from '../codec/traffic-dump.js';
import { UsageError } from '../errors.js';
import type { CommandOutcome } from './command-outcome.js';
import { formatEndpoint } from './conn.js';
import type { Session } from './session.js';
import { listeningOn, type SessionEvent } from './session-events.js';

/**
 * /save: the raw bytes of one direction of the target connection (`in`/`out`, like a capture
 * you can feed to xxd or a parser), or the whole retained log as a hex transcript.
 */
export function saveTranscript(
  session: Session,
  path: string,
  dir: 'in' | 'out' | undefined,
  write: typeof writeFileSync,
): Partial<CommandOutcome> {
  const lost =
    session.log.dropped > 0
      ? ` (the oldest ${session.log.dropped} events were already dropped from the log)`
      : '';
  if (dir) {
    const conn = session.targetOne('save');
    const parts: Buffer[] = [];
    for (const { item } of session.log.entries()) {
      if (item.type === 'data' && item.conn === conn.id && item.dir === dir) parts.push(item.bytes);
    }
    const bytes = Buffer.concat(parts);
    writeOrThrow(write, path, bytes);
    return { lines: [`saved ${bytes.length} bytes (${dir}) of connection ${conn.id} to ${path}${lost}`] };
  }
  const lines: string[] = [];
  // One stream per connection and direction, so a character split between chunks shows whole.
  const dumper = new TrafficDumper({ encoding: session.settings.encoding });
  for (const { item } of session.log.entries()) {
    lines.push(...transcriptLines(item, dumper));
  }
  writeOrThrow(write, path, `${lines.join('\n')}\n`);
  return { lines: [`saved the transcript (${session.log.length} events) to ${path}${lost}`] };
}

function transcriptLines(e: SessionEvent, dumper: TrafficDumper): string[] {
  switch (e.type) {
    case 'data':
      return [
        dumper
          .format({ dir: e.dir, conn: e.conn, frame: e.frame, time: new Date(e.time), bytes: e.bytes })
          .trimEnd(),
      ];
    case 'open':
      return [
        `# ${iso(e.time)} conn=${e.conn} open ${e.proto} ${formatEndpoint(e.local)} -> ${formatEndpoint(e.remote)}`,
      ];
    case 'eof':
      return [`# ${iso(e.time)} conn=${e.conn} peer sent FIN`];
    case 'exit':
      return [`# ${iso(e.time)} conn=${e.conn} pid ${e.pid} exit code=${e.code} signal=${e.signal}`];
    case 'close':
      return [`# ${iso(e.time)} conn=${e.conn} closed (${e.reason})${e.message ? `: ${e.message}` : ''}`];
    case 'listening':
      return [`# ${iso(e.time)} listening on ${listeningOn(e)} (${e.proto})`];
    case 'error':
      return [`# ${iso(e.time)} error ${e.code}: ${e.message}`];
    case 'expect':
      return [
        `# ${iso(e.time)} conn=${e.conn} expect ${e.pattern}: ${e.ok ? 'matched' : `failed (${e.reason})`}`,
      ];
    case 'notice':
      return e.text.split('\n').map((l) => `# ${l}`);
    case 'fault':
      return [
        `# ${iso(e.time)} conn=${e.conn} fault #${e.id} ${e.fault}${e.dir ? ` ${e.dir}` : ''}: ${e.action}`,
      ];
    default:
      return [];
  }
}

const iso = (t: number) => new Date(t).toISOString();

function writeOrThrow(write: typeof writeFileSync, path: string, data: string | Buffer): void {
  try {
    write(path, data);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new UsageError(`save ${path}: ${code}`);
  }
}
