import { EventEmitter } from 'node:events';
import type { Channel, Endpoint, Protocol } from './channel.js';
import type { Listener, ListenerEventMap } from './listener.js';

/**
 * A listener built on another one (faults around each client, a proxy's relays): it keeps the
 * inner listener's address, protocol, refusals and errors, and decides itself what a new channel
 * becomes and how closing works.
 */
export abstract class ListenerDecorator extends EventEmitter<ListenerEventMap> implements Listener {
  abstract readonly channels: ReadonlySet<Channel>;

  constructor(protected readonly inner: Listener) {
    super();
    inner.on('channel', (raw) => this.accept(raw));
    inner.on('refused', (peer, why) => this.emit('refused', peer, why));
    inner.on('error', (err) => this.emit('error', err));
  }

  /** Turns a channel of the inner listener into this listener's own (and emits it). */
  protected abstract accept(raw: Channel): void;

  abstract close(): Promise<void>;

  get proto(): Protocol {
    return this.inner.proto;
  }

  get address(): Endpoint {
    return this.inner.address;
  }

  get removedStale(): boolean | undefined {
    return this.inner.removedStale;
  }

  get tlsFingerprint(): string | undefined {
    return this.inner.tlsFingerprint;
  }

  stopAccepting(): void {
    this.inner.stopAccepting();
  }
}
