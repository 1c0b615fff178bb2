import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { inspectMessage } from '../../../src/session/inspect.js';
import type { DataEvent } from '../../../src/session/session-events.js';
import type { Settings } from '../../../src/session/settings.js';
import { InspectorPanel, inspectorHeight } from '../../../src/ui/inspector-panel.js';

const settings: Settings = {
  encoding: 'utf8',
  endian: 'be',
  eol: 'lf',
  view: 'both',
  inspectOffset: 0,
  inspectFormat: undefined,
};

describe('the inspector panel', () => {
  it('takes the rows inspectorHeight says, with a struct line or without, near the end or not', () => {
    const bytes = Buffer.from('0001deadbeef00112233', 'hex');
    const message: DataEvent = { type: 'data', time: 0, conn: 1, dir: 'in', bytes, prev: Buffer.alloc(0) };
    for (const s of [
      settings,
      { ...settings, inspectFormat: '>HI' },
      { ...settings, inspectOffset: 8 },
      { ...settings, inspectFormat: '>Q9' },
    ]) {
      const view = inspectMessage(bytes, s);
      const panel = render(<InspectorPanel view={view} message={message} endian="be" width={100} plain />);
      expect(panel.lastFrame()!.split('\n')).toHaveLength(inspectorHeight(view));
      panel.unmount();
    }
  });
});
