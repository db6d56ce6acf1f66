import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { GroundworkError } from '../../errors.js';

/** A running console: its URL and how to stop it. */
export interface RunningConsole {
  /** `http://127.0.0.1:PORT`, without the token. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** True when the port asked for was taken and another was picked. */
  readonly movedFrom?: number;
  close(): Promise<void>;
}

function listenOnce(site: Hono, port: number, hostname: string): Promise<RunningConsole> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: site.fetch, port, hostname }, (info: AddressInfo) => {
      server.off('error', reject);
      resolve({
        url: `http://${hostname}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}

/**
 * Serves the console on loopback only. An explicit port that is taken is an error; the default one falls back to a
 * free port, and says so.
 */
export async function listenConsole(
  site: Hono,
  options: { readonly port: number; readonly explicit: boolean; readonly hostname?: string },
): Promise<RunningConsole> {
  const hostname = options.hostname ?? '127.0.0.1';
  try {
    return await listenOnce(site, options.port, hostname);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    if (options.explicit) {
      throw new GroundworkError('USAGE', `port ${options.port} on ${hostname} is taken`, { hint: 'pass another --port, or stop what listens there' });
    }
    return { ...(await listenOnce(site, 0, hostname)), movedFrom: options.port };
  }
}
