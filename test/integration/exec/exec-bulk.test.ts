import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BIN } from '../../helpers/cli.js';

/**
 * Bulk data through `exec cat`, checked by sha256 both ways: 1 GiB through the program channel
 * (every byte through JavaScript: `--stderr mark` keeps the program on pipes), and through the
 * path that hands the program sockrepl's own descriptors. SOCKREPL_BULK_BYTES sets a smaller size
 * for a quick local run; the speed is bench/exec.mjs's business, not a test's.
 */

const GIB = 1024 ** 3;
const bytes = Number(process.env.SOCKREPL_BULK_BYTES ?? GIB);
const BLOCK = randomBytes(1024 * 1024);

function pushThrough(
  args: string[],
  total: number,
): Promise<{ code: number | null; sent: string; got: string; n: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const sent = createHash('sha256');
    const got = createHash('sha256');
    let n = 0;
    child.stdout.on('data', (d: Buffer) => {
      got.update(d);
      n += d.length;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, sent: sent.digest('hex'), got: got.digest('hex'), n }));
    let offset = 0;
    const pump = () => {
      while (offset < total) {
        const chunk = Buffer.from(BLOCK.subarray(0, Math.min(BLOCK.length, total - offset)));
        // Every MiB differs from the others: a lost, doubled or reordered block changes the hash.
        chunk.writeUInt32BE(offset >>> 0, 0);
        offset += chunk.length;
        sent.update(chunk);
        if (!child.stdin.write(chunk)) return void child.stdin.once('drain', pump);
      }
      child.stdin.end();
    };
    pump();
  });
}

describe('exec cat with bulk data', () => {
  it(`passes ${bytes} bytes through the program channel unchanged (sha256)`, {
    timeout: 20 * 60_000,
  }, async () => {
    const r = await pushThrough(['exec', '--stderr', 'mark', 'cat'], bytes);
    expect({ code: r.code, n: r.n, same: r.got === r.sent }).toEqual({ code: 0, n: bytes, same: true });
  });

  it('passes 64 MiB through the direct path unchanged (sha256)', { timeout: 5 * 60_000 }, async () => {
    const r = await pushThrough(['exec', 'cat'], 64 * 1024 * 1024);
    expect({ code: r.code, n: r.n, same: r.got === r.sent }).toEqual({
      code: 0,
      n: 64 * 1024 * 1024,
      same: true,
    });
  });
});
