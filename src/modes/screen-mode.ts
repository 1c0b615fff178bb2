import { isSockreplError } from '../errors.js';
import type { Session } from '../session/session.js';
import type { SessionSpec } from '../session/session-spec.js';
import { KEY_HELP } from '../ui/key-help.js';
import { oneWayNotice } from '../ui/one-way.js';
import { checkScreenPackages, loadInk } from './screen-packages.js';

/**
 * The interactive screen. Reached only through a dynamic import (pipe mode never loads ink or
 * React). React is put in production mode before it loads: development React is several times
 * slower and keeps warnings in memory.
 */
export async function runTui(spec: SessionSpec): Promise<number> {
  const { createSession, startSession } = await import('./open-session.js');
  let session: Awaited<ReturnType<typeof createSession>>;
  try {
    prepareScreen();
    session = await createSession(spec);
    await startSession(session, spec);
  } catch (err) {
    if (!isSockreplError(err)) throw err;
    process.stderr.write(`sockrepl: ${err.message}\n`);
    return err.exitCode;
  }
  try {
    await showScreen(session);
  } finally {
    // Also when the screen failed: an open socket would keep the process alive after the error.
    await session.close();
  }
  return 0;
}

/** Checks ink and React are there and sets the environment they load in; a UsageError when missing. */
export function prepareScreen(): void {
  checkScreenPackages();
  process.env.NODE_ENV ??= 'production';
  // ink renders nothing but a last frame when it believes it runs in CI (CI=true). The screen only
  // opens on a real terminal (or with --tui), so a CI variable in the environment must not blank it.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
}

/** Shows the session on the screen with the prompt and every command; resolves when the user quits. */
export async function showScreen(session: Session): Promise<void> {
  const { createInterpreter } = await import('./open-session.js');
  await loadInk();
  const { mountApp } = await import('../ui/mount.js');
  if (session.oneWay) session.notice(oneWayNotice(session.oneWay), 'warn');
  const selection: { current: number | undefined } = { current: undefined };
  const interpreter = createInterpreter(session, {
    helpFooter: KEY_HELP,
    selected: () => {
      const e = selection.current === undefined ? undefined : session.log.get(selection.current)?.item;
      return e?.type === 'data' ? e : undefined;
    },
  });
  await mountApp({ session, interpreter, selection });
}
