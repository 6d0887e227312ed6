// The live subscription set a cluster agrees on: one ZooKeeper node (`<cluster.path>/subscriptions`) that every
// member watches and any member writes with compare-and-set. Absent = every node follows its config file.

import { EventEmitter } from 'node:events';
import { GatewayError } from '../../sdk/errors.ts';
import type { Logger } from '../log.ts';
import { createPersistent, getDataWatch, isNoNode, existsWatch, mkdirp, remove, setDataAt, zkCode, zookeeper } from './zk.ts';
import type { Client } from './zk.ts';

/** per exchange id: what it subscribes to */
export type SubscriptionSet = Record<string, { symbols: string[]; channels: string[] }>;

/** what the node holds: the set, and who wrote it when (docs/operations.md, "Live subscription changes in a cluster") */
export interface StoredSubscriptions {
  exchanges: SubscriptionSet;
  updatedBy: string;
  updatedAt: number;
}

export interface SharedSubscriptionsOptions {
  connectString: string;
  /** cluster.path; the node is `<path>/subscriptions` */
  path: string;
  sessionTimeoutMs: number;
  nodeId: string;
  log: Logger;
}

const WRITE_TIMEOUT_MS = 5000;
const CAS_ATTEMPTS = 20;

function parse(data: string): StoredSubscriptions | null {
  try {
    const v = JSON.parse(data) as StoredSubscriptions;
    return v && typeof v.exchanges === 'object' && v.exchanges ? v : null;
  } catch {
    return null;
  }
}

/** Events: `change` (stored: StoredSubscriptions | null, version: number), after every read that differs. */
export class SharedSubscriptions extends EventEmitter {
  /** the set as last read (null: none stored), and its ZooKeeper version (-1: none) */
  stored: StoredSubscriptions | null = null;
  version = -1;
  private client: Client | undefined;
  private connected = false;
  private closed = false;
  private loadedResolve!: () => void;
  /** resolves after the first successful read: a new leader opens exchange connections only after it */
  readonly loaded = new Promise<void>((r) => (this.loadedResolve = r));
  readonly node: string;

  constructor(private readonly opts: SharedSubscriptionsOptions) {
    super();
    this.node = `${opts.path.replace(/\/$/, '')}/subscriptions`;
  }

  start(): void {
    if (this.closed) return;
    const client = zookeeper.createClient(this.opts.connectString, { sessionTimeout: this.opts.sessionTimeoutMs, spinDelay: 500, retries: 0 });
    this.client = client;
    // one watcher function per session: ZooKeeper clients keep one registration per function and path
    const watch = () => void this.read(client, watch);
    client.on('connected', () => {
      if (client !== this.client) return;
      this.connected = true;
      void this.read(client, watch);
    });
    client.on('disconnected', () => client === this.client && (this.connected = false));
    client.on('expired', () => {
      if (client !== this.client || this.closed) return;
      client.close();
      this.start();
    });
    client.connect();
  }

  /** reads the node and watches it (or its creation); every change is read again */
  private async read(client: Client, again: () => void): Promise<void> {
    if (client !== this.client || this.closed) return;
    try {
      await mkdirp(client, this.opts.path);
      let got: { data: string; version: number } | null = null;
      try {
        got = await getDataWatch(client, this.node, again);
      } catch (err) {
        if (!isNoNode(err)) throw err;
        // not there: watch for its creation (and read at once if it appeared meanwhile)
        if (await existsWatch(client, this.node, again)) return this.read(client, again);
      }
      this.accept(got ? parse(got.data) : null, got?.version ?? -1);
    } catch (err) {
      this.opts.log.warn(`reading ${this.node} failed: ${(err as Error).message}; retrying`);
      setTimeout(again, 1000);
    }
  }

  private accept(stored: StoredSubscriptions | null, version: number): void {
    const changed = version !== this.version || JSON.stringify(stored) !== JSON.stringify(this.stored);
    this.stored = stored;
    this.version = version;
    this.loadedResolve();
    if (changed) this.emit('change', stored, version);
  }

  private ready(): Client {
    if (!this.client || !this.connected || this.closed) {
      throw new GatewayError('UNAVAILABLE', 'ZooKeeper does not answer: cluster-wide subscription changes are refused until it does');
    }
    return this.client;
  }

  /**
   * Changes the stored set with compare-and-set: `next` gets the current set (null: none stored yet) and returns the
   * new one, or throws (e.g. BAD_REQUEST) to refuse; retried from a fresh read when another node wrote meanwhile.
   */
  async update(next: (current: SubscriptionSet | null) => SubscriptionSet): Promise<StoredSubscriptions> {
    const client = this.ready();
    const work = async (): Promise<StoredSubscriptions> => {
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        let current: { data: string; version: number } | null = null;
        try {
          current = await getDataWatch(client, this.node);
        } catch (err) {
          if (!isNoNode(err)) throw err;
        }
        const stored: StoredSubscriptions = {
          exchanges: next(current ? parse(current.data)?.exchanges ?? null : null),
          updatedBy: this.opts.nodeId,
          updatedAt: Date.now(),
        };
        const data = JSON.stringify(stored);
        try {
          const version = current ? await setDataAt(client, this.node, data, current.version) : (await createPersistent(client, this.node, data), 0);
          this.accept(stored, version);
          return stored;
        } catch (err) {
          const code = zkCode(err);
          if (code !== zookeeper.Exception.BAD_VERSION && code !== zookeeper.Exception.NODE_EXISTS && !isNoNode(err)) throw err;
        }
      }
      throw new GatewayError('UNAVAILABLE', `${this.node}: too many concurrent changes; try again`);
    };
    return this.bounded(work(), 'writing the subscription set');
  }

  /** removes the stored set: every node goes back to its config file */
  async reset(): Promise<void> {
    const client = this.ready();
    await this.bounded(
      remove(client, this.node).catch((err) => {
        if (!isNoNode(err)) throw err;
      }),
      'removing the subscription set',
    );
    this.accept(null, -1);
  }

  private bounded<T>(p: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new GatewayError('UNAVAILABLE', `${what}: ZooKeeper did not answer within ${WRITE_TIMEOUT_MS} ms`)), WRITE_TIMEOUT_MS);
    });
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  }

  health(): Record<string, unknown> {
    return {
      node: this.node,
      connected: this.connected,
      stored: this.stored !== null,
      version: this.version,
      ...(this.stored ? { updatedBy: this.stored.updatedBy, updatedAt: this.stored.updatedAt } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client?.close();
  }
}
