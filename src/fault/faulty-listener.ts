import { EventEmitter } from 'node:events';
import type { Channel, Endpoint, Protocol } from '../net/channel.js';
import type { Listener, ListenerEventMap } from '../net/listener.js';
import type { FaultyChannel } from './faulty-channel.js';

/** A listener whose channels come wrapped in the faults, so listen mode gets them per client. */
export class FaultyListener extends EventEmitter<ListenerEventMap> implements Listener {
  readonly channels = new Set<Channel>();

  constructor(
    private readonly inner: Listener,
    wrap: (channel: Channel) => FaultyChannel,
  ) {
    super();
    inner.on('channel', (raw) => {
      const channel = wrap(raw);
      this.channels.add(channel);
      channel.once('close', () => this.channels.delete(channel));
      this.emit('channel', channel);
    });
    inner.on('refused', (peer, why) => this.emit('refused', peer, why));
    inner.on('error', (err) => this.emit('error', err));
  }

  get proto(): Protocol {
    return this.inner.proto;
  }

  get address(): Endpoint {
    return this.inner.address;
  }

  stopAccepting(): void {
    this.inner.stopAccepting();
  }

  /** Closes the faulty channels first, so what their faults hold is passed on before the sockets go. */
  async close(): Promise<void> {
    this.inner.stopAccepting();
    await Promise.all([...this.channels].map((c) => c.close().catch(() => undefined)));
    await this.inner.close();
  }
}
