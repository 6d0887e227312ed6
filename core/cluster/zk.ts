// Promise wrappers over the few node-zookeeper-client calls the election uses.

import zookeeper from 'node-zookeeper-client';
import type { Client, Event } from 'node-zookeeper-client';

export { zookeeper };
export type { Client };

const call = <T>(fn: (cb: (err: unknown, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

export const mkdirp = (c: Client, path: string) => call<string>((cb) => c.mkdirp(path, cb));

export const createEphemeralSequential = (c: Client, prefix: string, data: string) =>
  call<string>((cb) => c.create(prefix, Buffer.from(data), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb));

export const children = (c: Client, path: string) => call<string[]>((cb) => c.getChildren(path, cb));

export const getData = (c: Client, path: string) =>
  call<Buffer>((cb) => c.getData(path, (err, data) => cb(err, data))).then((b) => (b ? b.toString('utf8') : ''));

/** true if `path` exists; `watch` fires once on its next change (deletion included) */
export const existsWatch = (c: Client, path: string, watch: (e: Event) => void) =>
  call<boolean>((cb) => c.exists(path, watch, (err, stat) => cb(err, Boolean(stat))));

export const remove = (c: Client, path: string) => call<void>((cb) => c.remove(path, -1, (err) => cb(err, undefined)));

/** true when the error is ZooKeeper's NO_NODE */
export function isNoNode(err: unknown): boolean {
  return (err as { getCode?: () => number })?.getCode?.() === zookeeper.Exception.NO_NODE;
}
