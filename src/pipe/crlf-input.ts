import { CrlfEncoder } from '../codec/crlf.js';

type OnChunk = (chunk: Buffer, done: () => void) => void;

/**
 * nc -C on standard input: each chunk passes through a CRLF encoder before it is sent. The encoded
 * copy is new memory, so the read buffer goes back to the input at once.
 */
export function withCrlf(crlf: boolean | undefined, onChunk: OnChunk): OnChunk {
  if (!crlf) return onChunk;
  const encoder = new CrlfEncoder();
  return (chunk, done) => {
    const encoded = encoder.encode(chunk);
    done();
    onChunk(encoded, () => {});
  };
}
