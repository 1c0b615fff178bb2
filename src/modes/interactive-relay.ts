import type { Readable, Writable } from 'node:stream';
import type { Loan } from '../tube/interactive.js';

/**
 * interactive() off a terminal, as netcat: what arrives goes to `output` (the owner's unconsumed
 * bytes first), what `input` gives is sent. At the input's end the write side is shut down and
 * reading goes on until the peer closes (UDP has no close: the relay ends with the input). Both
 * directions honour backpressure. Resolves once the peer closed (FIN, reset) or, for UDP, the
 * input ended, with everything written; the connection stays the owner's, open or not.
 */
export function relayLoan(loan: Loan, input: Readable, output: Writable): Promise<void> {
  const channel = loan.channel;
  return new Promise<void>((resolve) => {
    let done = false;
    let pausedChannel = false;
    let inputEnded = false;
    const write = (chunk: Buffer) => {
      if (output.write(chunk) || pausedChannel) return;
      pausedChannel = true;
      channel.pause();
      output.once('drain', () => {
        pausedChannel = false;
        if (!done) channel.resume();
      });
    };
    const send = (chunk: Buffer) => {
      if (done || channel.writeClosed) return;
      try {
        if (!channel.send(chunk)) {
          input.pause();
          channel.once('drain', () => done || input.resume());
        }
      } catch {
        // The connection is going away; its close event ends the relay.
      }
    };
    const onInputEnd = () => {
      if (inputEnded) return;
      inputEnded = true;
      if (channel.proto === 'udp') return finish();
      try {
        if (!channel.writeClosed) channel.shutdown('write');
      } catch {
        // Already closed: the close event (or the check below) ends the relay.
      }
    };
    const finish = () => {
      if (done) return;
      done = true;
      channel.off('data', write);
      channel.off('end', finish);
      channel.off('close', finish);
      input.off('data', send);
      input.off('end', onInputEnd);
      input.off('error', onInputEnd);
      input.pause();
      if (pausedChannel) channel.resume();
      // Everything received is written before the caller goes on (or exits).
      if (output.writableNeedDrain) output.once('drain', () => resolve());
      else resolve();
    };
    const received = loan.take();
    channel.on('data', write);
    channel.on('end', finish);
    channel.on('close', finish);
    if (received.length > 0) write(received);
    if (channel.readClosed || channel.closed) return finish();
    input.on('data', send);
    input.on('end', onInputEnd);
    input.on('error', onInputEnd);
    if (input.readableEnded) onInputEnd();
    else input.resume();
  });
}
