// Empties dist/ before a packed build, so no file of a deleted source is shipped.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
