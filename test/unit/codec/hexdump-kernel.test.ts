import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HexDumper, type HexDumpOptions } from '../../../src/codec/hexdump.js';
import { KERNEL_WASM } from '../../../src/codec/hexdump-kernel-wasm.js';

/**
 * The line writer in WebAssembly where the property tests of hexdump-fast.test.ts do not reach:
 * buffers in its own memory (formatted in place, as `decode --file` does), runs longer than
 * one slice of the copied path, and the committed module being what its source compiles to.
 */

function general(data: Uint8Array, options: HexDumpOptions): Buffer {
  const d = new HexDumper(options, { fastPath: false });
  const out = Buffer.alloc(d.outputBound(data.length));
  return out.subarray(0, d.formatInto(data, true, out).written);
}

/** As decode-run's dumpSequential: blocks in the writer's memory, a line's tail carried over. */
function inPlace(data: Uint8Array, options: HexDumpOptions, block: number): Buffer {
  const head = 1024;
  const { dumper, inputs, outputs } = HexDumper.withBuffers(options, head + block, 1);
  const input = inputs[0]!;
  const output = outputs[0]!;
  const parts: Buffer[] = [];
  let carry = Buffer.alloc(0);
  for (let at = 0; ; at += block) {
    const chunk = data.subarray(at, at + block);
    const final = at + block >= data.length;
    input.set(carry, head - carry.length);
    input.set(chunk, head);
    const view = input.subarray(head - carry.length, head + chunk.length);
    const { written, consumed } = dumper.formatInto(view, final, output);
    parts.push(Buffer.from(output.subarray(0, written)));
    carry = Buffer.from(view.subarray(consumed));
    if (final) break;
  }
  return Buffer.concat(parts);
}

/** Random bytes with runs of repeated lines and of UTF-8 text in them. */
function mixed(size: number): Buffer {
  const data = randomBytes(size);
  for (let at = 0; at + 4096 < size; at += 50_000) {
    data.fill(0x41, at, at + 200);
    data.write('héllo 世界 😀 '.repeat(40), at + 1000, 'utf8');
  }
  return data;
}

const LAYOUTS: HexDumpOptions[] = [
  {},
  { columns: 16, uppercase: true },
  { columns: 16, squeeze: false },
  { columns: 7 },
  { columns: 32, group: 4 },
  { columns: 3, group: 1 },
  { encoding: 'latin1' },
  { encoding: false },
  { columns: 16, group: 2, encoding: 'cp437' },
];

describe('hex dump line writer (WebAssembly)', () => {
  it('formats buffers in its own memory in place as the general writer does', () => {
    const data = mixed(300_000);
    for (const options of LAYOUTS) {
      expect(inPlace(data, options, 65_536).equals(general(data, options)), JSON.stringify(options)).toBe(
        true,
      );
    }
  });

  it('copies runs longer than a slice in and out without seams', () => {
    // 1.2 MB: runs of many slices (256 KiB of input each), squeezed lines across their seams.
    const data = mixed(1_200_000);
    const layouts: HexDumpOptions[] = [{}, { columns: 7 }, { encoding: false }];
    for (const options of layouts) {
      const d = new HexDumper(options);
      const out = Buffer.alloc(d.outputBound(data.length));
      const fast = out.subarray(0, d.formatInto(data, true, out).written);
      expect(fast.equals(general(data, options)), JSON.stringify(options)).toBe(true);
    }
  });

  it('formats any bytes in place as the general writer does, in any block size', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.constantFrom<HexDumpOptions>(...LAYOUTS),
        fc.integer({ min: 1, max: 700 }),
        (data, options, block) => {
          expect(inPlace(data, options, block).equals(general(data, options))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is what wasm/hexdump-kernel.ts compiles to (npm run build:wasm)', async () => {
    const script = new URL('../../../scripts/build-wasm.mjs', import.meta.url).href;
    const { compileKernel } = (await import(script)) as { compileKernel(): Promise<string> };
    const text = await compileKernel();
    expect(text).toContain(KERNEL_WASM.slice(0, 100));
    const committed = readFileSync(
      new URL('../../../src/codec/hexdump-kernel-wasm.ts', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(text);
  }, 60_000);
});
