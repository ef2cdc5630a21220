import type { AddressInfo } from 'node:net';
import type { App } from '../../src/platform/http/server.ts';

/** Listens on an ephemeral loopback port and returns the base URL. */
export async function listen(http: App): Promise<string> {
  await http.listen({ port: 0, host: '127.0.0.1' });
  const addr = http.server.address() as AddressInfo;
  return `http://127.0.0.1:${addr.port}`;
}
