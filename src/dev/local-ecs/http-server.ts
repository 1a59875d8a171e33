import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Aborts when the client closes the connection before it got an answer. */
  clientGone: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface RunningHttpServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A plain HTTP/1.1 server: reads whole bodies, hands them to `handle`, writes what it returns.
 * `handle` may take its time (a held call); answering `undefined` closes the connection unanswered.
 */
export async function startHttpServer(options: {
  host: string;
  port: number;
  logger: Logger;
  handle: (request: HttpRequest) => HttpResponse | undefined | Promise<HttpResponse | undefined>;
}): Promise<RunningHttpServer> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const clientGone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const write = (response: HttpResponse | undefined): void => {
        if (res.destroyed) return;
        if (response === undefined) {
          res.destroy();
          return;
        }
        res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
        res.end(response.body);
      };
      const fail = (err: unknown): void => {
        options.logger.error({ err }, 'local ECS request handler failed');
        write({ status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: String(err) }) });
      };
      try {
        const response = options.handle({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          clientGone: clientGone.signal,
        });
        if (response instanceof Promise) response.then(write, fail);
        else write(response);
      } catch (err) {
        fail(err);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SDK clients keep connections alive; without this, close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}
