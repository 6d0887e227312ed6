// Whether a given process holds the listening socket of a port, read from /proc: a readiness probe alone could be
// answered by somebody else's server that already sat on a port we were told to use.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const TCP_LISTEN = '0A';

/** Socket inodes listening on `port`, IPv4 and IPv6 (a JVM binds 127.0.0.1 through a dual-stack socket). */
function listeningInodes(port: number): Set<string> | undefined {
  const inodes = new Set<string>();
  let readable = false;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    readable = true;
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== TCP_LISTEN) continue;
      const localPort = parseInt(fields[1]!.split(':')[1]!, 16);
      if (localPort === port) inodes.add(fields[9]!);
    }
  }
  return readable ? inodes : undefined;
}

/** True when `pid` has an open file descriptor on a socket listening on `port`; also true without /proc (not Linux). */
export function listensOn(pid: number, port: number): boolean {
  const inodes = listeningInodes(port);
  if (inodes === undefined) return true;
  if (inodes.size === 0) return false;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode && inodes.has(inode)) return true;
    } catch {
      // closed while we looked
    }
  }
  return false;
}
