// Whether a plugin's load has timed out in this process: that plugin may still be running (a
// timer, a socket), so the CLI entry must not wait for it to finish (cli/main.ts). A module of
// its own so that the entry can ask without loading the plugin loader.

let timedOut = false;

export function markPluginLoadTimedOut(): void {
  timedOut = true;
}

export function pluginLoadTimedOut(): boolean {
  return timedOut;
}
