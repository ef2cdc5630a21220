// A TCP proxy in front of a real service that a test can stop and start on the same port: the service "goes away" and
// "comes back" for the client while the real server keeps running for everyone else.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Closes the listener and every connection through it. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

/** A proxy to host:port. With `stopped`, the port is reserved but nothing listens on it until start(). */
export async function tcpProxy(target: { host: string; port: number }, options: { stopped?: boolean } = {}) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const proxy: TcpProxy = {
    port,
    stop: () =>
      new Promise<void>((r) => {
        if (!server.listening) return r();
        server.close(() => r());
        for (const so of sockets) so.destroy();
      }),
    start: () => new Promise<void>((r) => server.listen(port, '127.0.0.1', r)),
  };
  if (options.stopped) await proxy.stop();
  return proxy;
}
