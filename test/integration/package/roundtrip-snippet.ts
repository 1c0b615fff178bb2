/**
 * What each consumer runs against the packed sockrepl: a listener and a client on loopback, a line
 * one way and packed bytes the other, with a socket option that needs the native path (linger).
 * `head` is how that module style gets the API (`import ... from` or `require`).
 */
export function roundTrip(head: string, where: string): string {
  return `${head}
async function main() {
  const server = await listen(0, { host: '127.0.0.1' });
  const c = await connect('127.0.0.1', server.port, { linger: 0, timeout: '5s' });
  const peer = await server.accept();
  await c.sendLine('hello');
  const line = (await peer.recvLine({ keepEnds: false })).toString();
  await peer.send(pack('>HI', 1, 2));
  const got = unpack('>HI', await c.recvExactly(6));
  let error = '';
  try {
    await c.recvExactly(1, { timeout: 50 });
  } catch (e) {
    error = e instanceof TimeoutError ? 'TimeoutError' : String(e);
  }
  await c.close();
  await server.close();
  return { line, got, error, where: ${where} };
}
`;
}

export const EXPECTED = { line: 'hello', got: [1, 2], error: 'TimeoutError' };
