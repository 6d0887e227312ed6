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

/** data and version of `path` (NO_NODE when missing); `watch` fires once on its next change or deletion */
export const getDataWatch = (c: Client, path: string, watch?: (e: Event) => void) =>
  call<{ data: string; version: number }>((cb) =>
    c.getData(path, watch as (e: Event) => void, (err, data, stat) => cb(err, { data: data ? data.toString('utf8') : '', version: stat?.version ?? -1 })),
  );

/** writes `data` if the node is still at `version` (BAD_VERSION otherwise) */
export const setDataAt = (c: Client, path: string, data: string, version: number) =>
  call<number>((cb) => c.setData(path, Buffer.from(data), version, (err, stat) => cb(err, stat?.version ?? -1)));

/** creates a persistent node (NODE_EXISTS when somebody was first) */
export const createPersistent = (c: Client, path: string, data: string) =>
  call<string>((cb) => c.create(path, Buffer.from(data), zookeeper.CreateMode.PERSISTENT, cb));

/** the error's ZooKeeper code, if it is one */
export function zkCode(err: unknown): number | undefined {
  return (err as { getCode?: () => number })?.getCode?.();
}
