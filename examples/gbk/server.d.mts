/** Starts the example server on loopback (port 0 picks a free one). */
export function start(port?: number, host?: string): Promise<{ port: number; close(): Promise<void> }>;
