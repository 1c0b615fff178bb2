import { UsageError } from '../errors.js';
import { optionWords } from '../options/option-words.js';
import type { Session } from '../session/session.js';
import type { SessionEvent } from '../session/session-events.js';
import type { SessionSpec } from '../session/session-spec.js';
import { hostWord, scriptOptionWord, scriptWord, spawnLine } from './script-lines.js';
import { ScriptRecording } from './script-recording.js';

/**
 * Records a session as a script that `sockrepl run` replays (`--record <file>`, `/record <file>`).
 * A view like the others: it reads the session's events. It follows one connection (the one open
 * when recording starts, else the first to open): what was sent becomes `send`/`hex` lines, what
 * arrived becomes `expect` lines.
 *
 * Through `sockrepl proxy` the script takes the client's part against the upstream: what the
 * client sent is sent, what the upstream answered is expected.
 */

/** The upstream of a proxy session, as its spec gives it. */
interface Upstream {
  host: string;
  port: number;
  options?: Parameters<typeof optionWords>[0];
}

export class Recorder {
  private readonly rec: ScriptRecording;
  private conn: number | undefined;
  private writeSideSeen = false;
  private others = new Set<number>();
  /** Recording a proxy: the client's bytes (`in`) are what the script sends. */
  private readonly proxied: boolean;
  private readonly onEvent = (e: SessionEvent) => this.event(e);

  constructor(
    private readonly session: Session,
    file: string,
    private readonly spec?: SessionSpec,
  ) {
    this.proxied = (session.mode as string) === 'proxy';
    this.rec = new ScriptRecording(file, (message) => session.notice(message, 'error'));
    const open = session.openConns();
    const current = session.target === 'all' ? open[0] : session.conns.get(session.target);
    if (current && !current.closed) this.follow(current.id);
    session.on('event', this.onEvent);
  }

  get file(): string {
    return this.rec.file;
  }

  get active(): boolean {
    return this.rec.active;
  }

  /** Lines written so far. */
  get lineCount(): number {
    return this.rec.lineCount;
  }

  /** Writes what is pending and closes the file. Safe to call twice. */
  stop(): void {
    this.session.off('event', this.onEvent);
    this.rec.stop();
  }

  private follow(conn: number): void {
    const c = this.session.conns.get(conn);
    if (!c) return;
    this.conn = conn;
    this.rec.setEncoding(this.session.settings.encoding);
    const upstream = (this.spec as { upstream?: Upstream } | undefined)?.upstream;
    if (this.proxied && upstream) {
      this.rec.line(
        `# through sockrepl proxy: the client's side of connection ${conn}, replayed against the upstream`,
        [
          `connect ${hostWord(upstream.host)} ${upstream.port}`,
          ...optionWords(upstream.options ?? {}, 'connect').map(scriptOptionWord),
        ].join(' '),
      );
    } else if (c.channel.program) {
      // A program (`sockrepl exec`): the script starts it again with the same argv and terminal.
      this.rec.line(spawnLine(c.channel.program.argv, c.channel.program.pty));
    } else {
      const options = { ...(this.spec?.options ?? {}), udp: c.proto === 'udp' };
      const at = this.session.listening;
      this.rec.line(
        this.session.mode === 'listen' || at !== undefined
          ? endpointLine('listen', this.spec?.host, at?.port ?? this.spec?.port ?? 0, options)
          : endpointLine('connect', this.spec?.host ?? c.remote.address, c.remote.port, options),
      );
    }
    if (c.peerEof) this.rec.peerEof();
  }

  private event(e: SessionEvent): void {
    if (!this.rec.active) return;
    if (e.type === 'open' && this.conn === undefined) {
      this.follow(e.conn);
      return;
    }
    if (!('conn' in e) || e.conn === undefined) return;
    if (e.conn !== this.conn) {
      if (e.type === 'open' && !this.others.has(e.conn)) {
        this.others.add(e.conn);
        this.rec.line(`# connection ${e.conn} (from ${e.remote.address}:${e.remote.port}) is not recorded`);
      }
      return;
    }
    this.noteWriteSide();
    this.rec.setEncoding(this.session.settings.encoding);
    switch (e.type) {
      case 'data':
        if ((e.dir === 'in') !== this.proxied) this.rec.received(e.bytes);
        else this.rec.sent(e.bytes);
        return;
      case 'tls':
        // An upgrade at the prompt (`/starttls`); TLS from the first byte is on the connect line.
        if (e.words) this.rec.command(['starttls', ...e.words.map(scriptWord)].join(' '));
        return;
      case 'eof':
        // Through a proxy the client's FIN is what the script does: shut down its write side.
        if (this.proxied) this.rec.shutdown();
        else this.rec.peerEof();
        return;
      case 'close':
        if (this.proxied) this.rec.closed(this.rec.shutdownDone ? 'eof' : 'local');
        else this.rec.closed(e.reason, e.message);
        this.stop();
        return;
      default:
    }
  }

  /** `/shutdown write` leaves no event: it shows as the channel's write side being closed. */
  private noteWriteSide(): void {
    if (this.writeSideSeen || this.conn === undefined) return;
    const c = this.session.conns.get(this.conn);
    if (c?.channel.writeClosed && !c.channel.closed) {
      this.writeSideSeen = true;
      // Through a proxy our write side to the client closes when the upstream finished.
      if (this.proxied) this.rec.peerEof();
      else this.rec.shutdown();
    }
  }
}

/**
 * `connect host port words` / `listen [host] port words`, or `connect unix=PATH words` for a unix
 * socket: every option word that made the connection (`ssl`, `ssl-servername=...`, `udp`), so the
 * replay reaches the peer the same way.
 */
export function endpointLine(
  kind: 'connect' | 'listen',
  host: string | undefined,
  port: number,
  options: Parameters<typeof optionWords>[0],
): string {
  const words = optionWords(options, kind).map(scriptOptionWord);
  if (options.unix !== undefined) return [kind, ...words].join(' ');
  const where = host === undefined ? `${port}` : `${hostWord(host)} ${port}`;
  return [`${kind} ${where}`, ...words].join(' ');
}

// ---- one recording per session, started by --record or /record --------------------------------

const recordings = new WeakMap<Session, Recorder>();
const specs = new WeakMap<Session, SessionSpec>();

/** Remembers how the session was opened (for `/record`'s connect line) and honours `--record`. */
export function prepareRecording(session: Session, spec: SessionSpec): void {
  specs.set(session, spec);
  if (spec.options.record) startRecording(session, spec.options.record);
}

export function startRecording(session: Session, file: string): Recorder {
  const running = recordings.get(session);
  if (running?.active)
    throw new UsageError(`record: already recording to ${running.file} (/record stop first)`);
  const recorder = new Recorder(session, file, specs.get(session));
  recordings.set(session, recorder);
  return recorder;
}

/** Stops the session's recording; undefined when none is running. */
export function stopRecording(session: Session): Recorder | undefined {
  const running = recordings.get(session);
  if (!running?.active) return undefined;
  running.stop();
  return running;
}

export function currentRecording(session: Session): Recorder | undefined {
  const running = recordings.get(session);
  return running?.active ? running : undefined;
}
