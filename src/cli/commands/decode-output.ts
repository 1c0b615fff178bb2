/** stdout with backpressure, and a reader that has gone away (`| head`) ending output quietly. */
export class Output {
  closed = false;
  private readonly onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') this.closed = true;
  };

  constructor() {
    process.stdout.on('error', this.onError);
  }

  /** Resolves when the chunk has been handed to the OS, so its buffer may be reused. */
  write(chunk: Uint8Array | string): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      process.stdout.write(chunk, (err) => {
        if (err && (err as NodeJS.ErrnoException).code === 'EPIPE') this.closed = true;
        resolve();
      });
    });
  }

  flush(): Promise<void> {
    return this.write('');
  }

  dispose(): void {
    // Keep swallowing EPIPE for writes still queued when the command ends.
    if (!this.closed) process.stdout.off('error', this.onError);
  }
}
