import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SESSION_COMMANDS } from '../../../src/modes/session-commands.js';
import { complete } from '../../../src/ui/completion.js';
import {
  ctrlCQuits,
  initialPromptState,
  type PromptAction,
  promptReducer,
  promptView,
} from '../../../src/ui/prompt-state.js';

const run = (actions: PromptAction[], history: string[] = []) =>
  actions.reduce(promptReducer, initialPromptState(history));

describe('prompt reducer', () => {
  it('edits a line: insert, cursor moves, backspace, delete, kill word', () => {
    let s = run([
      { type: 'insert', text: 'helo world' },
      { type: 'wordLeft' },
      { type: 'left' },
      { type: 'left' },
    ]);
    s = promptReducer(s, { type: 'insert', text: 'l' });
    expect(s.input).toBe('hello world');
    s = promptReducer(promptReducer(s, { type: 'end' }), { type: 'killWord' });
    expect(s.input).toBe('hello ');
    s = promptReducer(promptReducer(s, { type: 'home' }), { type: 'delete' });
    expect(s.input).toBe('ello ');
    s = promptReducer(s, { type: 'backspace' });
    expect(s).toMatchObject({ input: 'ello ', cursor: 0 });
  });

  it('keeps surrogate pairs whole', () => {
    const s = run([{ type: 'insert', text: 'a😀' }, { type: 'backspace' }]);
    expect(s.input).toBe('a');
  });

  it('history: Up/Down browse, the draft comes back, duplicates are not repeated', () => {
    let s = run([
      { type: 'insert', text: 'one' },
      { type: 'submit' },
      { type: 'insert', text: 'two' },
      { type: 'submit' },
      { type: 'insert', text: 'two' },
      { type: 'submit' },
      { type: 'insert', text: 'draft' },
    ]);
    expect(s.history).toEqual(['one', 'two']);
    s = promptReducer(s, { type: 'historyPrev' });
    expect(s.input).toBe('two');
    s = promptReducer(promptReducer(s, { type: 'historyPrev' }), { type: 'historyPrev' });
    expect(s.input).toBe('one');
    s = promptReducer(promptReducer(s, { type: 'historyNext' }), { type: 'historyNext' });
    expect(s.input).toBe('draft');
  });

  it('Ctrl-C twice within two seconds on an empty line quits; typing disarms it', () => {
    let s = run([
      { type: 'insert', text: 'x' },
      { type: 'ctrlC', now: 1000 },
    ]);
    expect(s.input).toBe('');
    expect(ctrlCQuits(s, 2500)).toBe(true);
    expect(ctrlCQuits(s, 3500)).toBe(false);
    s = promptReducer(s, { type: 'insert', text: 'y' });
    expect(ctrlCQuits(s, 1100)).toBe(false);
  });

  it('scroll stays within 0..max; clearing the selection follows the end again', () => {
    let s = run([{ type: 'scroll', delta: 50, max: 20 }]);
    expect(s.scroll).toBe(20);
    s = promptReducer(s, { type: 'scroll', delta: -100, max: 20 });
    expect(s.scroll).toBe(0);
    s = promptReducer(promptReducer(s, { type: 'scroll', delta: 5, max: 20 }), {
      type: 'select',
      seq: undefined,
    });
    expect(s.scroll).toBe(0);
  });

  it('a line longer than the prompt scrolls so the cursor stays in view', () => {
    expect(promptView('hello', 5, 20)).toEqual({ before: 'hello', at: ' ', after: '' });
    expect(promptView('hello', 1, 20)).toEqual({ before: 'h', at: 'e', after: 'llo' });
    const long = `/send ${'x'.repeat(30)}END`;
    expect(promptView(long, long.length, 20)).toEqual({
      before: `…${'x'.repeat(15)}END`,
      at: ' ',
      after: '',
    });
    // Text after the cursor keeps a column, so the screen's cut at the edge spares the cursor.
    expect(promptView(long, long.length - 3, 20)).toEqual({
      before: `…${'x'.repeat(17)}`,
      at: 'E',
      after: 'ND',
    });
    // Cursor at the start: nothing gives way; the end is left for the screen to cut.
    expect(promptView(long, 0, 20).before).toBe('');
    // Wide characters take two columns; a surrogate pair under the cursor stays whole.
    expect(promptView('中文中文中文', 6, 8).before).toBe('…文中文');
    expect(promptView('a😀b', 1, 20)).toEqual({ before: 'a', at: '😀', after: 'b' });
  });

  it('property: the cursor stays inside the line whatever is pressed', () => {
    const action = fc.oneof(
      fc.string({ maxLength: 5 }).map((text) => ({ type: 'insert', text }) as PromptAction),
      fc.constantFrom<PromptAction>(
        { type: 'backspace' },
        { type: 'delete' },
        { type: 'left' },
        { type: 'right' },
        { type: 'wordLeft' },
        { type: 'wordRight' },
        { type: 'home' },
        { type: 'end' },
        { type: 'killToStart' },
        { type: 'killToEnd' },
        { type: 'killWord' },
        { type: 'historyPrev' },
        { type: 'historyNext' },
        { type: 'submit' },
      ),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 40 }), (actions) => {
        const s = run(actions, ['a', 'bb']);
        expect(s.cursor).toBeGreaterThanOrEqual(0);
        expect(s.cursor).toBeLessThanOrEqual(s.input.length);
        expect(s.input).not.toMatch(/[\r\n]/);
      }),
    );
  });
});

describe('Tab completion', () => {
  const ctx = {
    commands: SESSION_COMMANDS,
    conns: [1, 2],
    encodings: ['gbk', 'gb18030', 'utf8'],
    listDir: () => [
      { name: 'data.bin', dir: false },
      { name: 'dir', dir: true },
    ],
  };
  it('completes commands, option names, bool values, encodings, connections and paths', () => {
    expect(complete('/inf', ctx)).toEqual({ input: '/info ', candidates: [] });
    expect(complete('/in', ctx).candidates).toEqual(['/info', '/inspect']);
    expect(complete('/s', ctx).candidates).toEqual(['/send', '/shutdown', '/signal', '/starttls', '/save']);
    expect(complete('/opt nod', ctx).input).toBe('/opt nodelay ');
    expect(complete('/opt nodelay o', ctx).candidates).toEqual(['on', 'off']);
    expect(complete('/enc gb1', ctx).input).toBe('/enc gb18030');
    expect(complete('/use ', ctx).candidates).toEqual(['1', '2', 'all']);
    expect(complete('/view b', ctx).input).toBe('/view both');
    expect(complete('/file d', ctx).candidates).toEqual(['data.bin', 'dir/']);
    expect(complete('/file da', ctx).input).toBe('/file data.bin ');
    expect(complete('plain text', ctx).input).toBe('plain text');
  });
});
