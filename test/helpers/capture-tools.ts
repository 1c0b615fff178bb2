import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildFlows, type Flow } from '../../src/capture/flows.js';
import { type DecodedPacket, decodeFrame } from '../../src/capture/packet-decode.js';
import { readCapture } from '../../src/capture/pcap-reader.js';

/**
 * Reading capture files back in tests: with the real tools (tshark, tcpdump; CI installs both)
 * and with the project's own reader, which reassembles each direction for a sha256 comparison.
 */

function has(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

export const TOOLS = { tshark: has('tshark'), tcpdump: has('tcpdump') };

/** Says once, visibly, why a check with a missing tool is skipped. */
export function toolMissing(tool: keyof typeof TOOLS): boolean {
  if (TOOLS[tool]) return false;
  console.warn(`SKIPPED: ${tool} is not installed; the capture is checked by the project's own reader only`);
  return true;
}

const quiet = { stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 };

/** Both directions of TCP stream `n` as `tshark -z follow,tcp,raw` reassembles them. */
export function tsharkFollow(
  file: string,
  n = 0,
  proto: 'tcp' | 'udp' = 'tcp',
): { client: Buffer; server: Buffer } {
  const out = execFileSync('tshark', ['-r', file, '-q', '-z', `follow,${proto},raw,${n}`], quiet).toString();
  const body = out.split(/^Node 1: .*$/m)[1]?.split(/^=+$/m)[0] ?? '';
  const client: string[] = [];
  const server: string[] = [];
  for (const line of body.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('\t')) server.push(line.trim());
    else client.push(line.trim());
  }
  return { client: Buffer.from(client.join(''), 'hex'), server: Buffer.from(server.join(''), 'hex') };
}

/** The expert infos tshark raises at warning level or above (malformed packets, bad checksums, ...). */
export function tsharkWarnings(file: string): string[] {
  const out = execFileSync(
    'tshark',
    [
      '-r',
      file,
      '-o',
      'tcp.check_checksum:TRUE',
      '-o',
      'ip.check_checksum:TRUE',
      '-o',
      'udp.check_checksum:TRUE',
      '-q',
      '-z',
      'expert,warn',
    ],
    quiet,
  ).toString();
  return out
    .split('\n')
    .filter((l) => /^\s+\d+\s+\S+/.test(l) && !/Frequency/.test(l))
    .map((l) => l.trim());
}

/** Lines of `tcpdump -nn -r file`; throws when tcpdump fails or warns. */
export function tcpdumpRead(file: string): string[] {
  const r = spawnSync('tcpdump', ['-nn', '-r', file], { ...quiet, encoding: 'utf8' });
  const stderr = r.stderr.split('\n').filter((l) => l && !/^reading from file/.test(l));
  if (r.status !== 0 || stderr.length > 0) throw new Error(`tcpdump -r ${file}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

export function readPackets(file: string): DecodedPacket[] {
  const contents = readCapture(readFileSync(file));
  if (contents.truncated) throw new Error(`${file} is truncated`);
  return contents.frames.map((f) => {
    const p = decodeFrame(f);
    if (!p) throw new Error(`${file}: frame ${f.index} is not TCP or UDP`);
    return p;
  });
}

export function readFlows(file: string): Flow[] {
  return buildFlows(readPackets(file));
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
