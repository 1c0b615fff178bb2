import type { Channel } from '../net/channel.js';
import { type ConnectionOptions, defaultConnectionOptions } from '../options/connection-options.js';
import type { Loan } from '../tube/interactive.js';
import { LentChannel } from './lent-channel.js';
import { createSession } from './open-session.js';
import { prepareScreen, showScreen } from './screen-mode.js';

/**
 * interactive() on a terminal: the screen, attached to a connection that is already open (a
 * library tube's, a script's). Everything slow (loading ink, making the session) happens before
 * the loan is taken, so the owner keeps reading until the very tick the screen's session starts to.
 * Quitting the screen gives the connection back open; /close, /shutdown in it act on it for real.
 */
export async function screenOnLoan(loan: Loan, display: Partial<ConnectionOptions> = {}): Promise<void> {
  prepareScreen();
  const channel = loan.channel;
  const session = await createSession(
    {
      kind: channel.proto === 'exec' ? 'exec' : 'connect',
      port: channel.remote.port,
      options: optionsFor(channel, display),
    },
    { keepConnections: true },
  );
  const lent = new LentChannel(channel);
  try {
    // One tick: the owner stops reading, the session starts; the owner's unconsumed bytes come first.
    const received = loan.take();
    session.attach(session.faults ? session.faults.wrap(lent) : lent);
    lent.replay(received);
    await showScreen(session);
  } finally {
    lent.giveBack();
    await session.close();
  }
}

/** The screen's options: the defaults with the transport the channel has and the caller's display settings. */
function optionsFor(channel: Channel, display: Partial<ConnectionOptions>): ConnectionOptions {
  return {
    ...defaultConnectionOptions(),
    ...display,
    udp: channel.proto === 'udp',
    unix: channel.proto === 'unix' ? channel.remote.address : undefined,
  };
}
