import type { Channel } from '../net/channel.js';
import { bootRelay, FdRelay } from '../net/fd-relay.js';
import { TcpChannel } from '../net/tcp-channel.js';
import { BULK_BYTES, WARM_BYTES } from './bulk-upgrade.js';
import type { PipeOutput } from './output.js';
import { debug, startReceived, type TapsFor } from './relay-path.js';
import { drained, type PipeIo } from './stdio.js';

/**
 * listen -k without --broker: a client's received bytes move onto a relay worker while it is the
 * only client connected, once BULK_BYTES have gone the ordinary way since it became so (as a
 * connecting client's bulk transfer does, bulk-upgrade.ts). The worker is then standard output's
 * one writer. When another client connects, the worker stops (what it took reaches standard
 * output first), the client goes back to 'data' events, and only then is the newcomer read: bytes
 * of several clients meet on standard output a whole chunk at a time, in the order Node read them,
 * as on the ordinary path. Two workers writing at once could not promise that (a write to a full
 * pipe goes in pieces, and another writer's bytes may land between them), nor can one worker
 * write while Node writes. Standard input keeps the ordinary path: it goes to every client.
 */

type Phase = 'ordinary' | 'moving' | 'relayed' | 'returning';

interface Client {
  channel: Channel;
  phase: Phase;
  /** Bytes that went the ordinary way since it became the only client. */
  passed: number;
  /** Booted at WARM_BYTES, started at BULK_BYTES. */
  relay?: FdRelay;
  /** Its move back to the ordinary path, while under way. */
  back?: Promise<void>;
  tapsFor: TapsFor;
}

export class SoloRelays {
  private readonly clients = new Map<Channel, Client>();

  constructor(
    private readonly io: PipeIo,
    private readonly out: PipeOutput,
  ) {}

  /**
   * A client was accepted, before it is read: what to wait for before reading it (another client's
   * worker handing standard output back), or undefined. `tapsFor`: its worker's taps (-x, --pcap).
   */
  joined(channel: Channel, tapsFor: TapsFor): Promise<void> | undefined {
    const others = [...this.clients.values()];
    this.clients.set(channel, { channel, phase: 'ordinary', passed: 0, tapsFor });
    const waits = others.map((c) => this.backToOrdinary(c)).filter((w) => w !== undefined);
    return waits.length > 0 ? Promise.all(waits).then(() => {}) : undefined;
  }

  /** Call after each chunk of `channel` written to standard output the ordinary way. */
  passed(channel: Channel, bytes: number): void {
    const c = this.clients.get(channel);
    if (c?.phase !== 'ordinary' || this.clients.size !== 1 || !movable(channel)) return;
    c.passed += bytes;
    if (c.passed >= WARM_BYTES) c.relay ??= bootRelay('splice');
    // No worker can run here (bootRelay said so): the client stays on the ordinary path. Until its
    // reads are lent, a later chunk tries again.
    if (c.passed >= BULK_BYTES && c.relay && (channel as TcpChannel).lending) this.moveOver(c);
  }

  /** The client closed. */
  left(channel: Channel): void {
    const c = this.clients.get(channel);
    this.clients.delete(channel);
    if (c) this.dropBooted(c);
  }

  /** Stops the workers booted for clients that never used them. */
  dispose(): void {
    for (const c of this.clients.values()) this.dropBooted(c);
  }

  private dropBooted(c: Client): void {
    void c.relay?.stop();
    c.relay = undefined;
  }

  private moveOver(c: Client): void {
    c.phase = 'moving';
    c.channel.pause();
    const go = () => {
      // Another client came meanwhile (backToOrdinary resumed it), or this one is done.
      if (c.phase !== 'moving' || c.channel.closed || c.channel.readClosed) return;
      // What Node queued for standard output goes first: the worker writes the descriptor itself.
      if (this.io.stdout.writableLength > 0) return void drained(this.io.stdout).then(go);
      // A worker was booted for it before (moveOver asks for one), so this one boots too.
      const relay = c.relay ?? new FdRelay('splice');
      c.relay = undefined;
      c.phase = 'relayed';
      startReceived(
        c.channel as TcpChannel,
        relay,
        this.out,
        this.io,
        c.tapsFor,
        ', while it is the only client',
      );
    };
    go();
  }

  /** Puts a client back on the ordinary path; resolves once Node reads it again, if it was relayed. */
  private backToOrdinary(c: Client): Promise<void> | undefined {
    c.passed = 0;
    if (c.phase === 'moving') {
      c.phase = 'ordinary';
      c.channel.resume();
    }
    if (c.phase !== 'relayed') return c.back;
    c.phase = 'returning';
    c.back = (c.channel as TcpChannel).takeReadsBack().then(() => {
      c.phase = 'ordinary';
      c.back = undefined;
      c.channel.resume();
      debug(this.io, 'received bytes go to stdout the ordinary way again: another client connected');
    });
    return c.back;
  }
}

/** A connection whose reads a relay worker can take over (and give back). */
function movable(channel: Channel): channel is TcpChannel {
  return channel instanceof TcpChannel && !channel.tls && channel.borrowsReads;
}
