import type { Socket as DgramSocket } from 'node:dgram';
import type { Socket } from 'node:net';

interface Handle {
  fd?: number;
}

/**
 * The descriptor behind a Node socket, for getsockopt/setsockopt. Node has no public accessor;
 * net keeps the handle in `_handle`, dgram in its state object (its `_handle` getter is deprecated).
 */
export function tcpSocketFd(socket: Socket): number | undefined {
  return validFd((socket as unknown as { _handle?: Handle })._handle);
}

export function udpSocketFd(socket: DgramSocket): number | undefined {
  const state = Object.getOwnPropertySymbols(socket)
    .map((s) => (socket as unknown as Record<symbol, unknown>)[s])
    .find((v): v is { handle?: Handle } => typeof v === 'object' && v !== null && 'handle' in v);
  return validFd(state?.handle);
}

function validFd(handle: Handle | undefined | null): number | undefined {
  const fd = handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
