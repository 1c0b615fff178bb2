import { readFileSync } from 'node:fs';
import { describeFlow, type FlowChoice, flowEnd, loadCapture, pickFlow } from '../capture/flow-choice.js';
import type { Flow, Turn } from '../capture/flows.js';
import { hexdump } from '../codec/hexdump.js';
import { EXIT, UsageError } from '../errors.js';
import type { Channel } from '../net/channel.js';
import { openConnection, openListener } from '../net/open.js';
import { resolveOptionWords } from '../options/option-words.js';
import { endpointLine } from '../record/recorder.js';
import { ScriptRecording } from '../record/script-recording.js';
import { Tube } from '../tube/tube.js';

/**
 * `sockrepl replay FILE`: the flows of a capture (ours or tcpdump's or Wireshark's), and for one
 * of them: a send/expect script (`--emit-script`), the client's side played against a live server
 * (`--to host:port`), or the server's side played to a live client (`--as server --listen PORT`).
 * By default a reply passes when it has the captured length (what changes from run to run, a
 * timestamp or a session id, still passes); `--strict` wants the captured bytes exactly.
 */

export interface ReplayOptions extends FlowChoice {
  to?: string;
  as?: 'client' | 'server';
  listen?: number;
  emitScript?: string;
  strict?: boolean;
  timeoutMs: number;
}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export async function runReplay(file: string, options: ReplayOptions, io: Io = processIo): Promise<number> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new UsageError(
      `replay: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const capture = loadCapture(bytes, file);
  const acting = options.to !== undefined || options.as === 'server' || options.emitScript !== undefined;
  if (!acting) {
    io.out(
      `${file}: ${capture.format}, ${capture.flows.length} flow${capture.flows.length === 1 ? '' : 's'}`,
    );
    for (const f of capture.flows) io.out(describeFlow(f));
    if (capture.skipped > 0) io.out(`(${capture.skipped} frames were not TCP or UDP over IP)`);
    if (capture.truncated) io.out('(the file ends in the middle of a packet: the rest is missing)');
    return EXIT.ok;
  }
  const flow = pickFlow(capture.flows, options);
  if (flow.missing > 0)
    io.err(
      `sockrepl: flow #${flow.id}: ${flow.missing} bytes are missing from the capture; replaying what is there`,
    );
  if (options.emitScript !== undefined) {
    emitScript(flow, options);
    io.out(
      `wrote flow #${flow.id} (${flow.turns.length} turns) to ${options.emitScript}; run it: sockrepl run ${options.emitScript}`,
    );
  }
  if (options.as === 'server') return playServer(flow, options, io);
  if (options.to !== undefined) return playClient(flow, options.to, options, io);
  return EXIT.ok;
}

const optionsFor = (flow: Flow, line: 'connect' | 'listen') =>
  resolveOptionWords(flow.proto === 'udp' ? [{ name: 'udp' }] : [], line);

function parseHostPort(text: string, what: string): { host: string; port: number } {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(text.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m?.[1] || !(port > 0 && port < 65536))
    throw new UsageError(`replay: ${what} ${text}: expected host:port`);
  return { host: m[1], port };
}

/** The flow as a script: the client's bytes are sent, the server's expected (edit, then run). */
function emitScript(flow: Flow, options: ReplayOptions): void {
  const rec = new ScriptRecording(options.emitScript!);
  const target = options.to
    ? parseHostPort(options.to, '--to')
    : { host: flow.server.address, port: flow.server.port };
  rec.line(
    `# flow #${flow.id} of a capture: ${flow.proto} ${flowEnd(flow.client)} -> ${flowEnd(flow.server)}`,
    endpointLine('connect', target.host, target.port, optionsFor(flow, 'connect')),
  );
  for (const turn of flow.turns) {
    if (turn.from === 'client') rec.sent(turn.bytes);
    else rec.received(turn.bytes);
  }
  for (const side of flow.finOrder) {
    if (side === 'client') rec.shutdown();
    else rec.peerEof();
  }
  rec.closed('local');
}

async function playClient(flow: Flow, to: string, options: ReplayOptions, io: Io): Promise<number> {
  const { host, port } = parseHostPort(to, '--to');
  const channel = await openConnection(host, port, optionsFor(flow, 'connect'));
  io.err(`replaying flow #${flow.id}'s client side to ${host}:${port} (${flow.turns.length} turns)`);
  return play(flow, channel, 'client', options, io);
}

async function playServer(flow: Flow, options: ReplayOptions, io: Io): Promise<number> {
  if (options.listen === undefined) throw new UsageError('replay: --as server needs --listen PORT');
  const listener = await openListener(undefined, options.listen, optionsFor(flow, 'listen'));
  io.err(`playing flow #${flow.id}'s server side on port ${listener.address.port}; waiting for a client`);
  const channel = await new Promise<Channel>((resolve) => listener.once('channel', resolve));
  listener.stopAccepting();
  try {
    return await play(flow, channel, 'server', options, io);
  } finally {
    await listener.close();
  }
}

/** Plays `side`'s turns and checks the other side's against what arrives. */
async function play(
  flow: Flow,
  channel: Channel,
  side: 'client' | 'server',
  options: ReplayOptions,
  io: Io,
): Promise<number> {
  const tube = new Tube(channel, {});
  let differences = 0;
  try {
    for (const [n, turn] of flow.turns.entries()) {
      if (turn.from === side) {
        await tube.send(turn.bytes);
        continue;
      }
      const got = await receiveTurn(tube, turn, flow.proto, options.timeoutMs);
      const same = Buffer.compare(Buffer.from(got), Buffer.from(turn.bytes)) === 0;
      if (same || (!options.strict && got.length === turn.bytes.length)) {
        io.err(
          `turn ${n + 1}: ${got.length} bytes${same ? ', as captured' : ', same length (different bytes)'}`,
        );
        continue;
      }
      differences++;
      io.out(
        `turn ${n + 1}: expected ${turn.bytes.length} bytes, got ${got.length}${options.strict ? ' (--strict)' : ''}`,
      );
      io.out(diffDumps(turn.bytes, got));
    }
  } catch (err) {
    const message = (err as Error).message;
    io.out(`sockrepl: replay stopped: ${message}`);
    differences++;
  } finally {
    await channel.close().catch(() => undefined);
  }
  io.err(
    differences === 0
      ? `replay passed: ${flow.turns.length} turns`
      : `replay failed: ${differences} turn(s) differ`,
  );
  return differences === 0 ? EXIT.ok : EXIT.expectFailed;
}

/** One turn of the other side: as many bytes as captured (TCP), or one datagram (UDP). */
async function receiveTurn(
  tube: Tube,
  turn: Turn,
  proto: 'tcp' | 'udp',
  timeoutMs: number,
): Promise<Uint8Array> {
  if (proto === 'udp') return tube.recv(Number.POSITIVE_INFINITY, { timeout: timeoutMs });
  try {
    return await tube.recvExactly(turn.bytes.length, { timeout: timeoutMs });
  } catch (err) {
    // Fewer bytes than captured (timeout, EOF): compare what did come.
    const partial = (err as { received?: Uint8Array }).received;
    if (partial) return partial;
    throw err;
  }
}

/** Captured and received side by side as hex dumps, differing lines marked. */
function diffDumps(expected: Uint8Array, got: Uint8Array): string {
  const a = hexdump(expected).split('\n');
  const b = hexdump(got).split('\n');
  const lines: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) lines.push(`  ${a[i] ?? ''}`);
    else {
      if (a[i] !== undefined) lines.push(`- ${a[i]}`);
      if (b[i] !== undefined) lines.push(`+ ${b[i]}`);
    }
  }
  return lines.join('\n');
}
