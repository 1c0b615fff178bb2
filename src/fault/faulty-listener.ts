import type { Channel } from '../net/channel.js';
import type { Listener } from '../net/listener.js';
import { ListenerDecorator } from '../net/listener-decorator.js';
import type { FaultyChannel } from './faulty-channel.js';

/** A listener whose channels come wrapped in the faults, so listen mode gets them per client. */
export class FaultyListener extends ListenerDecorator {
  readonly channels = new Set<Channel>();

  constructor(
    inner: Listener,
    private readonly wrap: (channel: Channel) => FaultyChannel,
  ) {
    super(inner);
  }

  protected accept(raw: Channel): void {
    const channel = this.wrap(raw);
    this.channels.add(channel);
    channel.once('close', () => this.channels.delete(channel));
    this.emit('channel', channel);
  }

  /** Closes the faulty channels first, so what their faults hold is passed on before the sockets go. */
  async close(): Promise<void> {
    this.inner.stopAccepting();
    await Promise.all([...this.channels].map((c) => c.close().catch(() => undefined)));
    await this.inner.close();
  }
}
