import { render } from 'ink';
import type { Interpreter } from '../session/interpreter.js';
import type { Session } from '../session/session.js';
import { App } from './app.js';
import { historyPath, loadHistory } from './history.js';
import { noColor } from './theme.js';

/**
 * Renders the app on the alternate screen (restored on exit, as vim and htop do), with ink's
 * frame rate capped and only changed lines redrawn.
 */
export async function mountApp(props: {
  session: Session;
  interpreter: Interpreter;
  selection: { current: number | undefined };
}): Promise<void> {
  const historyFile = historyPath();
  const stdout = process.stdout;
  stdout.write('\x1b[?1049h\x1b[H');
  const restore = () => stdout.write('\x1b[?1049l');
  process.once('exit', restore);
  const app = render(
    <App
      session={props.session}
      interpreter={props.interpreter}
      history={loadHistory(historyFile)}
      historyFile={historyFile}
      plain={noColor()}
      selection={props.selection}
    />,
    { exitOnCtrlC: false, patchConsole: true, maxFps: 30 },
  );
  try {
    await app.waitUntilExit();
  } finally {
    app.cleanup();
    process.off('exit', restore);
    restore();
  }
}
