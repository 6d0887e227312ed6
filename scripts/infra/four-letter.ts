// ZooKeeper's four-letter-word commands over a raw socket: `srvr` is the honest readiness probe (it names a Mode
// only once the server really serves; `ruok` says imok earlier).

import { connect } from 'node:net';

export function fourLetter(port: number, command: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${command} on port ${port} timed out`)));
    socket.on('connect', () => socket.write(command));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

/** What a server says it is; `not-serving` while it elects or syncs, `down` when nothing answers on the port. */
export type ZkMode = 'standalone' | 'leader' | 'follower' | 'observer' | 'not-serving' | 'down';

export async function zkMode(port: number): Promise<ZkMode> {
  let text: string;
  try {
    text = await fourLetter(port, 'srvr');
  } catch {
    return 'down';
  }
  const mode = /^Mode: (\w+)/m.exec(text)?.[1];
  return mode === 'standalone' || mode === 'leader' || mode === 'follower' || mode === 'observer' ? mode : 'not-serving';
}
