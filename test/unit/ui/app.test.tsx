import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { createInterpreter } from '../../../src/modes/open-session.js';
import { type OneWay, Session } from '../../../src/session/session.js';
import { App } from '../../../src/ui/app.js';

/** The whole screen over a session with no connection, driven through ink's stdin. */
function mount(only?: OneWay) {
  const session = new Session({
    mode: 'connect',
    proto: 'tcp',
    kernelRefreshMs: 0,
    oneWay: only,
    settings: {
      encoding: 'utf8',
      endian: 'be',
      eol: 'lf',
      view: 'both',
      inspectOffset: 0,
      inspectFormat: undefined,
    },
  });
  const interpreter = createInterpreter(session);
  const app = render(
    <App
      session={session}
      interpreter={interpreter}
      history={[]}
      historyFile={undefined}
      plain
      selection={{ current: undefined }}
    />,
  );
  mounted.push(app);
  const type = async (keys: string) => {
    app.stdin.write(keys);
    await new Promise((r) => setTimeout(r, 20));
  };
  const frameShows = async (pattern: RegExp) => {
    const deadline = Date.now() + 2000;
    while (!pattern.test(app.lastFrame() ?? '')) {
      if (Date.now() > deadline) throw new Error(`never showed ${pattern}:\n${app.lastFrame()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { session, app, type, frameShows };
}

const mounted: ReturnType<typeof render>[] = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m.unmount();
});

describe('the screen', () => {
  it('shows why an /expect could not start (usage, no connection), not only the command', async () => {
    const { type, frameShows } = mount();
    await type('/expect\r');
    await frameShows(/expect: what\? e\.g\. \/expect "OK" 5s/);
    await type('/expect "x" 1s\r');
    await frameShows(/no open connection/);
  });

  it('Ctrl-C once arms quitting for two seconds, and the hint says so only while it does', async () => {
    const { app, type, frameShows } = mount();
    await type('\x03');
    await frameShows(/press Ctrl-C again to quit/);
    await new Promise((r) => setTimeout(r, 2100));
    expect(app.lastFrame()).not.toContain('press Ctrl-C again');
    expect(app.lastFrame()).toContain('Ctrl-C twice quits');
  });

  it('--recv-only: a typed line and the sending commands are refused; the others run', async () => {
    const { app, type, frameShows } = mount('recv');
    await frameShows(/recv-only/);
    for (const line of ['hello', '/send x', '/hex 00', '/pack >H 1', '/file /dev/null']) {
      await type(`${line}\r`);
    }
    await type('/eol crlf\r');
    await frameShows(/eol crlf/);
    const frame = app.lastFrame() ?? '';
    expect(frame.match(/--recv-only: this session sends nothing/g)).toHaveLength(5);
    expect(frame).not.toContain('no open connection');
  });

  it("--send-only: the status line says so and received data is not listed (the session's hiddenDir)", async () => {
    const { session, app, frameShows } = mount('send');
    for (const [dir, text] of [
      ['out', 'ping-out'],
      ['in', 'pong-in'],
    ] as const) {
      session.record({
        type: 'data',
        time: 0,
        conn: 1,
        dir,
        bytes: Buffer.from(text),
        prev: Buffer.alloc(0),
      });
    }
    await frameShows(/ping-out/);
    const frame = app.lastFrame() ?? '';
    expect(frame).toContain('send-only');
    expect(frame).not.toContain('pong-in');
  });

  it('/enc hex: one line at the prompt says it is no character encoding; the screen goes on in utf8', async () => {
    const { session, app, type, frameShows } = mount();
    await type('/enc hex\r');
    await frameShows(/hex is not a character encoding; pick one for text/);
    await type('/eol crlf\r');
    await frameShows(/eol crlf/);
    expect(session.settings.encoding).toBe('utf8');
    expect(app.lastFrame()).toMatch(/utf8 be crlf/);
  });

  it('Tab lists the candidates under the traffic', async () => {
    const { type, frameShows } = mount();
    await type('/en\t');
    await frameShows(/\/enc {2}\/endian/);
  });

  it('Shift-Up twice in one read selects the message before the last', async () => {
    const { session, app, type, frameShows } = mount();
    for (const text of ['first', 'second', 'third']) {
      session.record({
        type: 'data',
        time: 0,
        conn: 1,
        dir: 'in',
        bytes: Buffer.from(text),
        prev: Buffer.alloc(0),
      });
    }
    await frameShows(/third/);
    await type('\x1b[1;2A\x1b[1;2A');
    await frameShows(/inspector/);
    const selected = (app.lastFrame() ?? '').split('\n').filter((l) => l.startsWith('▌'));
    expect(selected.join('\n')).toContain('second');
  });
});
