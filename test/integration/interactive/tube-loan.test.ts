import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { connect } from '../../../src/index.js';
import { lendTube } from '../../../src/tube/interactive.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { tcpServer } from '../../helpers/servers.js';

/** The loan under interactive(): unconsumed bytes go to the borrower, no byte to both, the tube reads again after. */

const cleanups = cleanupAfterEach();

describe('lending a tube', () => {
  it('hands over the unconsumed bytes, sees nothing during the loan, reads again after it', async () => {
    const srv = await tcpServer((s) => s.write('line one\nleft over'));
    cleanups.push(() => srv.close());
    const tube = await connect('127.0.0.1', srv.port);
    cleanups.push(() => tube.close());
    expect((await tube.recvLine()).toString()).toBe('line one\n');
    expect((await tube.recvUntil('left ')).toString()).toBe('left ');
    let borrowed = Buffer.alloc(0);
    await lendTube(
      tube,
      async (loan) => {
        borrowed = Buffer.concat([borrowed, loan.take()]);
        const during = new Promise<void>((resolve) =>
          loan.channel.on('data', (d) => {
            borrowed = Buffer.concat([borrowed, d]);
            if (borrowed.includes('during\n')) resolve();
          }),
        );
        srv.connections[0]!.write('during\n');
        await during;
      },
      {},
    );
    expect(borrowed.toString()).toBe('overduring\n');
    srv.connections[0]!.write('after\n');
    expect((await tube.recvLine()).toString()).toBe('after\n');
  });

  it('relays to given streams: buffered bytes first, input sent, FIN at its end', async () => {
    const got: Buffer[] = [];
    const srv = await tcpServer((s) => {
      s.write('hello\nbuffered');
      s.on('data', (d: Buffer) => got.push(d));
      s.on('end', () => s.end(' bye'));
    });
    cleanups.push(() => srv.close());
    const tube = await connect('127.0.0.1', srv.port);
    cleanups.push(() => tube.close());
    await tube.recvUntil('buffered');
    tube.unget(Buffer.from('buffered'));
    const input = new PassThrough();
    const output = new PassThrough();
    const out: Buffer[] = [];
    output.on('data', (d: Buffer) => out.push(d));
    input.end('typed');
    await tube.interactive({ input, output });
    expect(Buffer.concat(out).toString()).toBe('buffered bye');
    expect(Buffer.concat(got).toString()).toBe('typed');
  });
});
