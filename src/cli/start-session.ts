import type { SessionSpec } from '../session/session-spec.js';

/**
 * Starts a session's mode, loading it only now: the modes and all they pull in (transports,
 * sessions, codecs) are not needed to print help or to refuse a bad command line.
 */
export async function startSession(spec: SessionSpec): Promise<number> {
  const { startSession: start } = await import('../modes/run-session.js');
  return start(spec);
}
