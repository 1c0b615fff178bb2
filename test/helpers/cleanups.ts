import { afterEach } from 'vitest';

/**
 * A list of things to undo after each test (servers, sockets, processes), undone in reverse order
 * even when the test failed.
 */
export function cleanupAfterEach(): (() => unknown)[] {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return cleanups;
}
