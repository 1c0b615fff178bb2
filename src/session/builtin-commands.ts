import { writeFileSync } from 'node:fs';
import { NetError, SockreplError, UsageError } from '../errors.js';
import { findSocketOption, parseOptionValue, type SocketOptionValues } from '../net/socket-options.js';
import { formatTlsInfo, formatTlsSummary } from '../net/tls/tls-info.js';
import { alreadyClosedLine, closeTargets } from './close-targets.js';
import { encodeEscaped, parseHexBytes } from './codec-port.js';
import { splitWords } from './command-line.js';
import type { CommandOutcome } from './command-outcome.js';
import type { CommandRun } from './command-spec.js';
import type { Conn } from './conn.js';
import { parseExpectArgs } from './expect.js';
import { sendFile } from './file-sender.js';
import { connInfo, formatInfo, formatOptionValue } from './info.js';
import { closeProgramInput, programCommands } from './program-commands.js';
import type { Session } from './session.js';
import type { DataEvent, ExpectEvent } from './session-events.js';
import { parseEndian, parseEol, parseView, type Settings } from './settings.js';
import { textCodec } from './text-port.js';

/**
 * What the session's own commands do (their specs are command-table.ts). Each takes the text
 * after its name; a user's mistake or a network failure is a SockreplError, which the interpreter
 * turns into an outcome.
 */

export const EXPECT_FAILED_EXIT = 3;

export interface BuiltinOptions {
  /** Timeout of /expect when none is given. */
  defaultExpectTimeoutMs?: number;
  /** The message the inspector is about (the screen's selection); defaults to the latest received. */
  selected?: () => DataEvent | undefined;
}

/** What /reset did, in its protocol's words: only TCP has a reset to send. */
function resetLine(c: Conn): string {
  const { proto, program } = c.channel;
  if (proto === 'tcp') return `connection ${c.id} reset (RST sent)`;
  if (proto === 'exec')
    return `connection ${c.id} reset (${program?.pty ? 'SIGHUP' : 'SIGTERM'} sent, SIGKILL if it goes on)`;
  if (proto === 'udp')
    return `connection ${c.id} reset (UDP has no RST: the sender is forgotten, nothing is sent)`;
  return `connection ${c.id} reset (a unix socket has no RST: closed at once)`;
}

export function builtinCommands(
  s: Session,
  options: BuiltinOptions,
  help: (topic: string) => string[],
): Record<string, CommandRun> {
  const codec = () => textCodec(s.settings.encoding);
  /** `/close 3`, `/reset #3`, `/info 3`: the connection named, or undefined for the session's target. */
  const named = (rest: string, what: string) => {
    const arg = rest.trim();
    if (arg === '') return undefined;
    const id = arg.replace(/^#/, '');
    if (!/^\d+$/.test(id)) throw new UsageError(`${what}: '${arg}' is not a connection number`);
    return s.connection(Number(id));
  };
  const need = (rest: string, usage: string) => {
    if (rest.trim() === '') throw new UsageError(`usage: ${usage}`);
    return rest.trim();
  };
  return {
    send: async (rest) => {
      const text = unquoteWhole(need(rest, '/send <text>'));
      await s.send(encodeEscaped(text, codec(), 'send'));
      return undefined;
    },
    hex: async (rest) => {
      // `/hex ""` is an empty datagram on UDP (nothing at all on a stream), as `/send ""` is.
      await s.send(parseHexBytes(unquoteWhole(need(rest, '/hex <bytes>')), 'hex'));
      return undefined;
    },
    pack: async (rest) => {
      const words = splitWords(need(rest, '/pack <fmt> <values...>'));
      // The codecs behind /pack, /inspect and /save load when first used (`run` rarely needs them).
      const { packValues } = await import('./inspect.js');
      const bytes = packValues(words[0]!, words.slice(1), s.settings.endian, s.settings.encoding);
      await s.send(bytes);
      return {
        lines: [`packed ${bytes.length} bytes: ${bytes.toString('hex').replace(/(..)(?!$)/g, '$1 ')}`],
      };
    },
    file: async (rest, signal) => {
      const path = unquoteWhole(need(rest, '/file <path>'));
      const { sent, elapsedMs } = await sendFile(s, path, undefined, signal);
      const rate = elapsedMs > 0 ? ` (${formatRate((sent / elapsedMs) * 1000)})` : '';
      return { lines: [`sent ${path}: ${sent} bytes in ${(elapsedMs / 1000).toFixed(2)}s${rate}`] };
    },
    expect: async (rest, signal) => {
      const { timeoutMs, ...pattern } = parseExpectArgs(rest, codec());
      const conn = s.targetOne('expect');
      const event = await s.expect(
        pattern,
        timeoutMs ?? options.defaultExpectTimeoutMs ?? 10_000,
        conn,
        signal,
      );
      return expectOutcome(event);
    },
    close: async (rest) => {
      const { open: conns, over } = closeTargets(s, named(rest, 'close'));
      const sockets = conns.filter((c) => !c.channel.program);
      await Promise.all(sockets.map((c) => c.channel.close()));
      return {
        lines: [
          ...over.map(alreadyClosedLine),
          ...conns.map((c) => (c.channel.program ? closeProgramInput(c) : `connection ${c.id} closed`)),
        ],
      };
    },
    ...programCommands(s),
    shutdown: (rest) => {
      const how = (rest.trim() || 'write').toLowerCase();
      if (how !== 'write' && how !== 'read') throw new UsageError(`shutdown: '${how}' is not write or read`);
      // A connection already over needs no shutdown (as with close): a recording whose peer
      // hung up before its `shutdown write` still replays.
      const { open: conns, over } = closeTargets(s);
      for (const c of conns) c.channel.shutdown(how);
      const what = how === 'write' ? 'write side shut (FIN sent); still reading' : 'no longer reading';
      return { lines: [...over.map(alreadyClosedLine), ...conns.map((c) => `connection ${c.id}: ${what}`)] };
    },
    reset: (rest) => {
      const conns = s.targets(named(rest, 'reset')?.id);
      for (const c of conns) c.channel.reset();
      return { lines: conns.map(resetLine) };
    },
    starttls: async (rest) => {
      const conn = s.targetOne('starttls');
      const { startTlsWords } = await import('./start-tls-words.js');
      const words = splitWords(rest);
      const info = await startTlsWords(conn.channel, words);
      s.record({ type: 'tls', time: Date.now(), conn: conn.id, tls: info, words });
      return {
        lines: [`connection ${conn.id}: TLS ${formatTlsSummary(info)}`, ...formatTlsInfo(info).slice(1)],
        data: info,
      };
    },
    opt: (rest) => {
      const words = splitWords(need(rest, '/opt <name> [value]'));
      const spec = findSocketOption(words[0]!);
      const name = spec.aliases[0]!;
      if (words.length === 1) {
        const conn = s.targetOne('opt');
        const v = conn.channel.readOptions()[spec.name];
        return {
          lines: [`${name} ${formatOptionValue(spec.name, v)}  (${spec.summary})`],
          data: { [name]: v ?? null },
        };
      }
      if (words.length > 2) throw new UsageError(`usage: /opt ${name} <value>`);
      const value = parseOptionValue(spec, words[1]!);
      const lines: string[] = [];
      for (const c of s.targets()) {
        if (!(spec.protocols as readonly string[]).includes(c.proto)) {
          throw new UsageError(`${name} does not apply to ${c.proto.toUpperCase()} sockets`);
        }
        try {
          c.channel.setOption(spec.name as keyof SocketOptionValues, value);
        } catch (err) {
          if (err instanceof SockreplError) throw err;
          throw new NetError(`opt ${name}: ${(err as Error).message}`, 'EBADF');
        }
        const now = c.channel.readOptions()[spec.name];
        const late =
          spec.phase !== 'any' ? ` (note: ${spec.phase.replace('-', ' ')} is when it fully applies)` : '';
        lines.push(
          `connection ${c.id}: ${name} set; kernel reports ${formatOptionValue(spec.name, now)}${late}`,
        );
      }
      s.refreshKernel();
      return { lines };
    },
    info: (rest) => {
      const one = named(rest, 'info');
      const conns = one
        ? [one]
        : s.target === 'all' && s.conns.size > 1
          ? [...s.conns.values()].filter((c) => !c.closed)
          : [s.targetOne('info')];
      s.refreshKernel();
      const infos = conns.map((c) => connInfo(c));
      const lines = infos.flatMap(formatInfo);
      if (s.listening) lines.unshift(`listening on ${s.listening.address}:${s.listening.port}`);
      return { lines, data: infos };
    },
    use: (rest) => {
      if (need(rest, '/use <conn>').replace(/^#/, '') === 'all') {
        s.select('all');
        return { lines: [`sending to all open connections (${s.openConns().length})`] };
      }
      const conn = named(rest, 'use')!;
      s.select(conn.id);
      return { lines: [`sending to connection ${conn.id}`] };
    },
    all: () => {
      s.select('all');
      return { lines: [`sending to all open connections (${s.openConns().length})`] };
    },
    enc: (rest) => {
      if (rest.trim() === '') return { lines: [`encoding ${s.settings.encoding}`] };
      return { lines: [`encoding ${s.setEncoding(rest.trim())}`] };
    },
    endian: (rest) => {
      if (rest.trim() !== '') s.update({ endian: parseEndian(rest.trim()) });
      return { lines: [`endian ${s.settings.endian}`] };
    },
    eol: (rest) => {
      if (rest.trim() !== '') s.update({ eol: parseEol(rest.trim()) });
      return { lines: [`eol ${s.settings.eol}`] };
    },
    view: (rest) => {
      if (rest.trim() !== '') s.update({ view: parseView(rest.trim()) });
      return { lines: [`view ${s.settings.view}`] };
    },
    frame: (rest) => {
      // Bare: what is on, as bare /fault lists the faults. `none` is kept as a synonym of `off`.
      const spec = rest.trim();
      if (spec !== '') s.setFrame(spec === 'off' || spec === 'none' ? undefined : spec);
      return { lines: framingLines(s) };
    },
    inspect: async (rest) => {
      const words = splitWords(rest);
      const patch: Partial<Pick<Settings, 'inspectOffset' | 'inspectFormat' | 'inspectFrom'>> = {};
      for (const w of words) {
        if (w === 'payload' || w === 'frame') patch.inspectFrom = w;
        else if (/^(0x[0-9a-f]+|\d+)$/i.test(w)) patch.inspectOffset = Number(w);
        else if (w === 'off' || w === 'none') patch.inspectFormat = undefined;
        else patch.inspectFormat = w;
      }
      s.update(patch);
      const msg = options.selected?.() ?? latestData(s);
      if (!msg) return { lines: ['nothing received yet to inspect'] };
      const { inspectLines } = await import('./inspect.js');
      return inspectLines(msg, s.settings, s.plugins?.decoders());
    },
    save: async (rest) => {
      const words = splitWords(need(rest, '/save <file> [in|out]'));
      const dir = words[1]?.toLowerCase();
      if (dir !== undefined && dir !== 'in' && dir !== 'out')
        throw new UsageError(`save: '${dir}' is not in or out`);
      const { saveTranscript } = await import('./save.js');
      return saveTranscript(s, words[0]!, dir, writeFileSync);
    },
    clear: () => {
      s.log.clear();
      return { clear: true };
    },
    help: (rest) => ({ lines: help(rest.trim()) }),
    quit: () => ({ quit: true }),
  };
}

function expectOutcome(e: ExpectEvent): Partial<CommandOutcome> {
  if (e.ok) {
    const groups = e.groups?.length
      ? `  ${e.groups.map((g, i) => `$${i + 1}=${JSON.stringify(g)}`).join(' ')}`
      : '';
    return {
      lines: [`expect ${e.pattern}: matched after ${e.elapsedMs}ms: ${JSON.stringify(e.match)}${groups}`],
      data: e,
    };
  }
  const message = `expect ${e.pattern}: ${e.reason === 'timeout' ? `timed out after ${e.elapsedMs}ms` : e.reason === 'cancelled' ? 'cancelled' : `the peer closed first (${e.reason})`}`;
  const last = e.lastHex
    ? `last bytes: ${e.lastHex.replace(/(..)(?!$)/g, '$1 ')}  ${JSON.stringify(e.lastText)}`
    : 'nothing unconsumed was received';
  return {
    ok: false,
    lines: [message, `  ${last}`],
    data: e,
    error: { code: 'EEXPECT', message, exitCode: EXPECT_FAILED_EXIT },
  };
}

/**
 * `framing <spec>` or `framing off`. One spec frames both directions of every connection; a
 * direction whose stream could not be framed has gone back to raw chunks, and is named.
 */
function framingLines(s: Session): string[] {
  if (!s.frameSpec) return ['framing off'];
  const lines = [`framing ${s.frameSpec}`];
  for (const c of s.openConns()) {
    const raw = (['in', 'out'] as const).filter((d) => !c.dirs[d].framer || c.dirs[d].rawView);
    if (raw.length > 0)
      lines.push(
        `  connection ${c.id} ${raw.join(' and ')}: raw chunks (framing failed there; /frame ${s.frameSpec} starts again)`,
      );
  }
  return lines;
}

function latestData(s: Session): DataEvent | undefined {
  for (const e of s.log.reversed()) if (e.item.type === 'data' && e.item.dir === 'in') return e.item;
  return undefined;
}

function unquoteWhole(text: string): string {
  if (
    text.length >= 2 &&
    ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'")))
  ) {
    return text.slice(1, -1);
  }
  return text;
}

export function formatRate(bytesPerSec: number): string {
  if (bytesPerSec >= 1024 * 1024) return `${(bytesPerSec / 1024 / 1024).toFixed(1)} MiB/s`;
  if (bytesPerSec >= 1024) return `${(bytesPerSec / 1024).toFixed(1)} KiB/s`;
  return `${Math.round(bytesPerSec)} B/s`;
}
