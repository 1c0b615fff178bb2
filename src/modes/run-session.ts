import type { SessionSpec } from '../session/session-spec.js';
import { chooseMode } from './choose-mode.js';
import { servedProgram } from './program-spec.js';

/**
 * Runs a connect, listen or proxy session in the mode the terminal and options call for (pipe,
 * JSON or the interactive screen), loading only the code that mode needs: pipe mode never loads
 * ink or React. Resolves with the exit code.
 */
export async function startSession(spec: SessionSpec): Promise<number> {
  const mode = chooseMode(spec.options, Boolean(process.stdin.isTTY), Boolean(process.stdout.isTTY));
  if (mode === 'json') {
    const { runJson } = await import('./json-mode.js');
    return runJson(spec);
  }
  if (mode === 'tui') {
    const { runTui } = await import('./screen-mode.js');
    return runTui(spec);
  }
  if (spec.kind === 'exec') {
    const { runPipeExec } = await import('./pipe-connect.js');
    return runPipeExec(spec.program!, spec.options);
  }
  const served = servedProgram(spec.options);
  if (served && spec.kind !== 'proxy') {
    const { runPipeServe } = await import('./pipe-serve.js');
    return runPipeServe(spec, served);
  }
  if (spec.kind === 'proxy') {
    const { runPipeProxy } = await import('./pipe-proxy.js');
    return runPipeProxy(spec);
  }
  if (spec.kind === 'connect') {
    const { runPipeConnect } = await import('./pipe-connect.js');
    return runPipeConnect(spec.host!, spec.port, spec.options);
  }
  const { runPipeListen } = await import('./pipe-listen.js');
  return runPipeListen(spec.host, spec.port, spec.options);
}
