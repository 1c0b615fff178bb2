import type { ProgramControl } from '../net/program.js';
import type { Conn } from './conn.js';
import type { OpenEvent, SessionEvent } from './session-events.js';

/** What an `open` event says of a program peer: its PID, command line and terminal. */
export function programOpenFields(program: ProgramControl | undefined): Pick<OpenEvent, 'program'> {
  return program ? { program: { pid: program.pid, argv: program.argv, pty: program.pty } } : {};
}

/**
 * Reports a program's exit as an `exit` event. Subscribed when the connection is attached, so
 * the event comes before the connection's `close` (a program channel closes after its exit is seen).
 */
export function reportProgramExit(
  session: { record(e: SessionEvent): void; emit(event: 'change'): boolean },
  conn: Conn,
): void {
  const program = conn.channel.program;
  void program?.exited.then((exit) => {
    session.record({ type: 'exit', time: Date.now(), conn: conn.id, pid: program.pid, ...exit });
    session.emit('change');
  });
}
