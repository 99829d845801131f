import { createServer } from 'node:net';

/**
 * A loopback port that nothing listens on: bound, then released. Unlike a fixed port such as 9
 * (which fetch refuses without connecting), connecting to it really fails with ECONNREFUSED.
 */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
