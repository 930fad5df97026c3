/**
 * Ports for the processes tests start. Chosen below Linux's ephemeral range (32768+, where the
 * kernel picks the local ports of outgoing connections, so a port chosen there can be taken by any
 * client socket a moment later) and checked free by binding them.
 */
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

const LOW = 20_000;
const HIGH = 32_000;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `count` distinct free ports on 127.0.0.1, below the ephemeral range. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempts = 0; ports.size < count; attempts += 1) {
    if (attempts > 1000) throw new Error(`no ${count} free ports found in ${LOW}-${HIGH}`);
    const port = randomInt(LOW, HIGH);
    if (!ports.has(port) && (await canBind(port))) ports.add(port);
  }
  return [...ports];
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}
