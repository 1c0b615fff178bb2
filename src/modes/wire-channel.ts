import type { Channel } from '../net/channel.js';

/** The channel that touches the socket: under any wrapper (faults) that changes what is sent. */
export function wireChannel(channel: Channel): Channel {
  let c = channel;
  for (let inner = (c as { inner?: Channel }).inner; inner; inner = (c as { inner?: Channel }).inner)
    c = inner;
  return c;
}
