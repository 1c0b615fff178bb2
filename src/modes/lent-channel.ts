import { EventEmitter } from 'node:events';
import type { Channel, ChannelEventMap } from '../net/channel.js';
import type { SocketOptionValues } from '../net/socket-options.js';
import type { TlsInfo } from '../net/tls/tls-info.js';
import type { TlsOptions } from '../net/tls/tls-options.js';

const FORWARDED = ['data', 'sent', 'end', 'shutdown', 'drain', 'close'] as const;

/**
 * A channel lent to a screen session by interactive(): the session attaches it like any other,
 * while every event and call passes through to the real one. It starts with the bytes the owner
 * had received and not consumed (`replay`), so they show as received traffic. `giveBack()` cuts
 * it off: the session (and its tube) see nothing more, and the owner reads the real channel again.
 */
export class LentChannel extends EventEmitter<ChannelEventMap> implements Channel {
  private returned = false;
  private paused = false;
  private readonly forwards: [string, (...args: unknown[]) => void][] = [];
  readonly startTls?: (options?: Partial<TlsOptions>) => Promise<TlsInfo>;

  constructor(private readonly real: Channel) {
    super();
    for (const name of FORWARDED) {
      const forward = (...args: unknown[]) =>
        (this.emit as (n: string, ...a: unknown[]) => boolean)(name, ...args);
      this.forwards.push([name, forward]);
      real.on(name, forward as never);
    }
    if (real.startTls) this.startTls = (options) => real.startTls!(options);
  }

  /** Emits what was received before the loan, then the end or close that already happened. */
  replay(received: Buffer): void {
    if (received.length > 0) this.emit('data', received);
    if (this.real.closed) this.emit('close', 'eof');
    else if (this.real.readClosed) this.emit('end');
  }

  /** Ends the loan: no more events; calls do nothing; reading is resumed if the borrower paused it. */
  giveBack(): void {
    if (this.returned) return;
    this.returned = true;
    for (const [name, forward] of this.forwards) this.real.off(name as never, forward as never);
    if (this.paused) this.real.resume();
  }

  get id() {
    return this.real.id;
  }
  get proto() {
    return this.real.proto;
  }
  get local() {
    return this.real.local;
  }
  get remote() {
    return this.real.remote;
  }
  get stats() {
    return this.real.stats;
  }
  get writeClosed() {
    return this.returned || this.real.writeClosed;
  }
  get readClosed() {
    return this.returned || this.real.readClosed;
  }
  get closed() {
    return this.returned || this.real.closed;
  }
  get fd() {
    return this.returned ? undefined : this.real.fd;
  }
  get program() {
    return this.real.program;
  }
  get tls() {
    return this.real.tls;
  }

  send(data: Uint8Array, written?: () => void): boolean {
    // After the loan (a fault's delayed bytes), bytes would arrive out of order: dropped.
    if (this.returned) {
      written?.();
      return true;
    }
    return this.real.send(data, written);
  }
  shutdown(how: 'write' | 'read'): void {
    if (!this.returned) this.real.shutdown(how);
  }
  async close(): Promise<void> {
    if (!this.returned) await this.real.close();
  }
  reset(): void {
    if (!this.returned) this.real.reset();
  }
  pause(): void {
    if (this.returned) return;
    this.paused = true;
    this.real.pause();
  }
  resume(): void {
    if (this.returned) return;
    this.paused = false;
    this.real.resume();
  }
  setOption(name: keyof SocketOptionValues, value: number | boolean): void {
    if (!this.returned) this.real.setOption(name, value);
  }
  readOptions(): SocketOptionValues {
    return this.real.readOptions();
  }
}
