import { UsageError } from '../errors.js';

/**
 * ink and React draw the interactive screen and nothing else, so they are optional dependencies:
 * a project that only uses the library, pipe mode, --json or scripts may install sockrepl without
 * them (`npm install --omit=optional`). Asking for the screen then says what is missing before a
 * socket is opened, instead of failing halfway with a module-not-found stack trace.
 */
export function checkScreenPackages(): void {
  const missing = ['ink', 'react'].filter((name) => {
    try {
      import.meta.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  throw new UsageError(
    `the interactive screen needs ${missing.join(' and ')}, optional dependencies that are not installed: ` +
      `run \`npm install ${missing.join(' ')}\` (pipe mode, --json, scripts and the library work without them)`,
  );
}
