/**
 * nc's `-C`: every LF sent becomes CRLF; an LF already after a CR stays as it is. The state (was
 * the last byte a CR?) carries across chunks, so a CRLF split between two reads is not doubled.
 */
export class CrlfEncoder {
  private lastWasCr = false;

  encode(chunk: Uint8Array): Buffer {
    let lfs = 0;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0a) lfs++;
    const out = Buffer.allocUnsafe(chunk.length + lfs);
    let o = 0;
    let prevCr = this.lastWasCr;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 0x0a && !prevCr) out[o++] = 0x0d;
      out[o++] = b;
      prevCr = b === 0x0d;
    }
    if (chunk.length > 0) this.lastWasCr = prevCr;
    return out.subarray(0, o);
  }
}
