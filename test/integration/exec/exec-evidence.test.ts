import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFlows, sha256, tcpdumpRead, toolMissing } from '../../helpers/capture-tools.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';
import { runCli } from '../../helpers/cli.js';
import { parseJsonEvents } from '../../helpers/json-events.js';

/**
 * `sockrepl exec` keeps evidence like a socket does: --record writes a script that starts the
 * program again with `spawn`, --pcap a capture under the documented pseudo-addresses.
 */
const cleanups = cleanupAfterEach();

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sockrepl-exec-evidence-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const PROGRAM = ['sh', '-c', 'read x; echo "got $x"'];

describe('exec with --record and --pcap', () => {
  it('--json: the recording replays with spawn; the capture holds both directions', async () => {
    const dir = tempDir();
    const script = join(dir, 's.srs');
    const capture = join(dir, 'c.pcap');
    const r = await runCli(
      ['exec', '--json', '--record', script, '--pcap', capture, '--', ...PROGRAM],
      '/send "hi\\n"\n/expect "got hi\\n" 20s\n',
      60_000,
    );
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(parseJsonEvents(r.stdout).map((e) => e.type)).toContain('exit');
    const recorded = readFileSync(script, 'utf8');
    expect(recorded).toContain('spawn sh -c "read x; echo \\"got \\$x\\""\n');
    expect(recorded).toContain('send "hi\\n"\nexpect "got hi\\n"\n');
    const replay = await runCli(['run', script], '', 60_000);
    expect({ code: replay.code, stderr: replay.stderr }).toEqual({ code: 0, stderr: '' });

    const [flow] = readFlows(capture);
    expect(sha256(flow!.clientBytes)).toBe(sha256(Buffer.from('hi\n')));
    expect(sha256(flow!.serverBytes)).toBe(sha256(Buffer.from('got hi\n')));
    if (!toolMissing('tcpdump')) expect(tcpdumpRead(capture).join('\n')).toMatch(/127\.0\.0\.2/);
  }, 90_000);

  it('pipe mode: --pcap leaves the direct path and captures what passed', async () => {
    const capture = join(tempDir(), 'p.pcap');
    const r = await runCli(['exec', '--pcap', capture, '--', ...PROGRAM], 'there\n', 60_000);
    expect({ code: r.code, stdout: r.stdout.toString() }).toEqual({ code: 0, stdout: 'got there\n' });
    const [flow] = readFlows(capture);
    expect(Buffer.from(flow!.clientBytes).toString()).toBe('there\n');
    expect(Buffer.from(flow!.serverBytes).toString()).toBe('got there\n');
  }, 90_000);
});
