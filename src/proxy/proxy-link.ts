import { FaultyChannel } from '../fault/faulty-channel.js';
import type { Channel, CloseReason } from '../net/channel.js';
import { describeArgv, describeExit } from '../net/program.js';
import { drainOrClose } from '../net/wait-for-drain.js';
import { holdReading } from './hold-reading.js';

/** Bytes a client may send before its upstream is connected that are kept for it. */
const EARLY_LIMIT = 1024 * 1024;

export type ProxyLog = (text: string, level: 'info' | 'warn' | 'error', conn?: number) => void;

/** How a client's other side is opened: a connection upstream, or a program (-e/-c). */
export interface Dialer {
  open(): Promise<Channel>;
  /**
   * The other side is a program: when it has exited the client is closed (FIN after its output),
   * as ncat's -e does, instead of waiting for the client's own FIN.
   */
  program?: boolean;
}

/**
 * One client and its own upstream connection, relayed both ways. A FIN from one side becomes
 * `shutdown('write')` on the other (after whatever the faults still hold), an RST becomes
 * `reset()`. Backpressure both ways: while one side cannot take more, the other is not read.
 * The client is not read until the upstream is connected; if that fails, the client is reset,
 * as a refusing server would.
 */
export class ProxyLink {
  upstream: Channel | undefined;
  readonly done: Promise<void>;
  private finished!: () => void;
  private clientGone: CloseReason | undefined;
  private discarded = { toClient: 0, toUpstream: 0 };
  private readonly early = { chunks: [] as Buffer[], bytes: 0 };
  /** Sides this link waits on to drain (each holds the other's reading meanwhile). */
  private readonly blocked = new Set<Channel>();

  constructor(
    readonly client: Channel,
    private readonly dialer: Dialer,
    private readonly log: ProxyLog,
    private readonly connected: (upstream: Channel) => void = () => {},
  ) {
    this.done = new Promise((resolve) => {
      this.finished = resolve;
    });
    holdReading(client, 'connecting upstream', true);
    client.on('data', (chunk) => this.toUpstream(chunk));
    client.on('end', () => {
      const up = this.upstream;
      if (!up || up.closed || up.writeClosed) return;
      this.note('client sent FIN; passed on to the upstream');
      up.shutdown('write');
    });
    client.on('close', (reason) => this.clientClosed(reason));
  }

  /** Connects the upstream and starts relaying. */
  async start(): Promise<void> {
    let up: Channel;
    try {
      up = await this.dialer.open();
    } catch (err) {
      this.log(
        `${this.dialer.program ? '' : 'upstream '}${(err as Error).message}; the client is ${this.client.proto === 'tcp' ? 'reset' : 'closed'}`,
        'error',
        this.client.id,
      );
      if (!this.client.closed) {
        if (this.client.proto === 'tcp') this.client.reset();
        else void this.client.close();
      }
      this.finished();
      return;
    }
    if (this.clientGone !== undefined) {
      // The client left while the upstream was being connected.
      await up.close();
      this.finished();
      return;
    }
    this.upstream = up;
    this.connected(up);
    const program = up.program;
    if (program) {
      this.note(`program ${describeArgv(program.argv)} started (pid ${program.pid})`);
      void program.exited.then((exit) => this.note(`program ${program.pid} ${describeExit(exit)}`));
    } else {
      this.note(`upstream ${label(up.remote)} connected from ${label(up.local)}`);
    }
    up.on('data', (chunk) => this.toClient(chunk));
    up.on('end', () => {
      if (this.client.closed || this.client.writeClosed) return;
      this.note(
        `${this.dialer.program ? 'program output ended' : 'upstream sent FIN'}; passed on to the client`,
      );
      this.client.shutdown('write');
    });
    up.on('close', (reason, error) => this.upstreamClosed(reason, error?.message));
    for (const chunk of this.early.chunks.splice(0)) this.toUpstream(chunk);
    this.early.bytes = 0;
    holdReading(this.client, 'connecting upstream', false);
  }

  /** Closes both sides gracefully (the proxy is stopping). */
  async close(): Promise<void> {
    await Promise.all([
      this.client.close().catch(() => undefined),
      this.upstream?.close().catch(() => undefined),
    ]);
  }

  private toUpstream(chunk: Buffer): void {
    const up = this.upstream;
    if (!up && this.clientGone === undefined) {
      // Reading is held until the upstream is there, but a channel may already have had bytes
      // in hand (a UDP datagram arrives with its client): they wait here, bounded.
      if (this.early.bytes + chunk.length <= EARLY_LIMIT) {
        this.early.chunks.push(Buffer.from(chunk));
        this.early.bytes += chunk.length;
      } else {
        this.discard('toUpstream', chunk.length, 'more arrived before the upstream connected than is kept');
      }
      return;
    }
    if (!up || up.closed || up.writeClosed) {
      this.discard('toUpstream', chunk.length, 'the upstream no longer takes data');
      return;
    }
    if (!up.send(chunk)) this.backpressure(this.client, up, 'upstream is slow');
  }

  private toClient(chunk: Buffer): void {
    const client = this.client;
    if (client.closed || client.writeClosed) {
      this.discard('toClient', chunk.length, "the client's write side is shut");
      return;
    }
    if (!client.send(chunk)) this.backpressure(this.upstream!, client, 'client is slow');
  }

  /** Stops reading `from` until `to` drains (or closes). */
  private backpressure(from: Channel, to: Channel, reason: string): void {
    // Chunks already in hand (a fault's queue, a read in flight) arrive after the hold and are
    // refused too: they join the one wait, rather than each adding a listener to `to`.
    if (this.blocked.has(to)) return;
    this.blocked.add(to);
    holdReading(from, reason, true);
    void drainOrClose(to).then(() => {
      this.blocked.delete(to);
      holdReading(from, reason, false);
    });
  }

  private clientClosed(reason: CloseReason): void {
    this.clientGone = reason;
    if (!this.upstream) return;
    const byFault = this.client instanceof FaultyChannel && this.client.resetByFault !== undefined;
    if (this.dialer.program && !byFault && reason !== 'reset' && reason !== 'error') {
      // The client is gone for good: the program has had EOF; it gets a grace period, then a signal.
      const up = this.upstream;
      void up.close();
      if (up.closed) this.finished();
      else up.once('close', () => this.finished());
      return;
    }
    const who = byFault ? 'a fault reset the client' : 'the client reset the connection';
    this.passOnClose(this.upstream, reason, byFault, `${who} (RST); the upstream is reset too`);
  }

  private upstreamClosed(reason: CloseReason, message: string | undefined): void {
    if (this.dialer.program && reason !== 'error') {
      // ncat -e: the program's end is the connection's end; what it wrote leaves first (FIN).
      if (!this.client.closed) void this.client.close();
      if (this.client.closed) this.finished();
      else this.client.once('close', () => this.finished());
      return;
    }
    const what = reason === 'reset' ? 'reset the connection (RST)' : `failed: ${message}`;
    this.passOnClose(this.client, reason, false, `upstream ${what}; the client is reset too`);
  }

  /**
   * One side closed; `other` follows. An abortive close (RST, error, or an RST a fault sent)
   * takes it down with an RST; a graceful one has had its FIN passed on already, and `other`
   * closes on its own once its FIN has gone after what the faults hold; a local close is passed
   * on. The link is done when both are closed.
   */
  private passOnClose(other: Channel, reason: CloseReason, byFault: boolean, resetNote: string): void {
    if (!other.closed) {
      if (reason === 'reset' || reason === 'error' || byFault) {
        this.note(resetNote, 'warn');
        other.reset();
      } else if (reason === 'eof') {
        if (!other.writeClosed) other.shutdown('write');
      } else {
        void other.close();
      }
    }
    if (other.closed) this.finished();
    else other.once('close', () => this.finished());
  }

  private discard(which: 'toClient' | 'toUpstream', n: number, why: string): void {
    if (this.discarded[which] === 0)
      this.note(
        `bytes ${which === 'toClient' ? 'for the client' : 'for the upstream'} are discarded: ${why}`,
        'warn',
      );
    this.discarded[which] += n;
  }

  private note(text: string, level: 'info' | 'warn' = 'info'): void {
    this.log(text, level, this.client.id);
  }
}

function label(e: { address: string; port: number; family: string }): string {
  return e.family === 'IPv6' ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}
