import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nativeSockets } from '../../../src/net/native.js';
import { cleanupAfterEach } from '../../helpers/cleanups.js';

/**
 * Descriptors sockrepl makes through the native calls are close-on-exec: a program started while
 * one is open (an --exec per client, a program on a terminal) must not inherit a copy, which would
 * keep a socket or a terminal open past the moment sockrepl closes it.
 */
const cleanups = cleanupAfterEach();
const O_CLOEXEC = 0o2000000;

/** The open flags /proc reports for one of this process's descriptors. */
const flags = (fd: number) =>
  Number.parseInt(/^flags:\s+(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8);

/** The descriptors a child started now would see open, by number. */
const inheritedBy = () =>
  execFileSync('ls', ['/proc/self/fd'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);

describe.runIf(process.platform === 'linux')('native descriptors', () => {
  it('dup() makes a close-on-exec copy that a started program does not inherit', () => {
    const fd = openSync('/dev/null', 'r');
    const copy = nativeSockets().dup(fd);
    cleanups.push(
      () => closeSync(copy),
      () => closeSync(fd),
    );
    expect(flags(copy) & O_CLOEXEC).toBe(O_CLOEXEC);
    expect(inheritedBy()).not.toContain(copy);
  });

  it('pipe() makes both ends close-on-exec', () => {
    const ends = nativeSockets().pipe();
    cleanups.push(() => {
      for (const fd of ends) closeSync(fd);
    });
    for (const fd of ends) expect(flags(fd) & O_CLOEXEC).toBe(O_CLOEXEC);
    const seen = inheritedBy();
    for (const fd of ends) expect(seen).not.toContain(fd);
  });
});
