// Leader election on ZooKeeper: ephemeral sequential candidates, each watching only its predecessor (no herd),
// with fencing: a leader that loses its session, or cannot be sure it still has it, steps down at once.

import { EventEmitter } from 'node:events';
import type { Logger } from '../log.ts';
import { children, createEphemeralSequential, existsWatch, getData, isNoNode, mkdirp, remove, zookeeper } from './zk.ts';
import type { Client } from './zk.ts';

export type ElectionState = 'connecting' | 'candidate' | 'leader' | 'follower' | 'disconnected' | 'closed';

export interface ElectionOptions {
  connectString: string;
  /** base path; candidates live under `<path>/election` */
  path: string;
  sessionTimeoutMs: number;
  nodeId: string;
  /**
   * What a leader does when its ZooKeeper connection drops: `fence` steps down at once; `grace` keeps leading until
   * the session timeout has passed without reconnecting (the session may still be alive), then steps down.
   * Either way two nodes never lead for longer than the session timeout at the same time.
   */
  onDisconnect: 'fence' | 'grace';
  log: Logger;
}

/** Events: `elected`, `revoked` (reason: string), `changed` (state). */
export class LeaderElection extends EventEmitter {
  state: ElectionState = 'connecting';
  /** node id of the current leader, when known */
  leaderId: string | undefined;
  /** our candidate node, e.g. /gateway/election/n_0000000007 */
  candidate: string | undefined;
  private client: Client | undefined;
  private leading = false;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private slowTimer: ReturnType<typeof setTimeout> | undefined;
  private leaderTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly dir: string;

  constructor(private readonly opts: ElectionOptions) {
    super();
    this.dir = `${opts.path.replace(/\/$/, '')}/election`;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Connects and enters the election; resolves at once (ZooKeeper may be unreachable: it keeps trying). */
  start(): void {
    this.connect();
  }

  private connect(): void {
    if (this.closed) return;
    const { log } = this.opts;
    const client = zookeeper.createClient(this.opts.connectString, {
      sessionTimeout: this.opts.sessionTimeoutMs,
      spinDelay: 500,
      retries: 0,
    });
    this.client = client;
    this.setState('connecting');
    this.slowTimer = setTimeout(
      () => log.warn(`cannot reach ZooKeeper at ${this.opts.connectString} yet; still trying (this node serves clients meanwhile)`),
      this.opts.sessionTimeoutMs,
    );
    client.on('connected', () => {
      if (client !== this.client) return;
      clearTimeout(this.slowTimer);
      clearTimeout(this.graceTimer);
      log.info(`ZooKeeper session established (${this.opts.connectString})`);
      this.enter().catch((err) => this.fail(client, err));
    });
    client.on('disconnected', () => {
      if (client !== this.client || this.closed) return;
      this.setState('disconnected');
      log.warn('ZooKeeper connection lost');
      if (!this.leading) return;
      if (this.opts.onDisconnect === 'fence') this.stepDown('ZooKeeper connection lost (fencing)');
      else {
        this.graceTimer = setTimeout(() => this.stepDown('ZooKeeper session presumed expired'), this.opts.sessionTimeoutMs);
      }
    });
    client.on('expired', () => {
      if (client !== this.client || this.closed) return;
      log.warn('ZooKeeper session expired: joining the election again with a new session');
      this.stepDown('ZooKeeper session expired');
      client.close();
      this.candidate = undefined;
      this.connect();
    });
    client.connect();
  }

  /** creates our candidate node (once per session) and checks our place */
  private async enter(): Promise<void> {
    const client = this.client!;
    await mkdirp(client, this.dir);
    if (!this.candidate) {
      this.candidate = await createEphemeralSequential(client, `${this.dir}/n_`, this.opts.nodeId);
      this.opts.log.info(`joined the election as ${this.candidate}`);
    }
    await this.check(client);
  }

  /** leader if ours is the lowest candidate; otherwise watch the one just before ours */
  private async check(client: Client): Promise<void> {
    if (client !== this.client || this.closed) return;
    const names = (await children(client, this.dir)).filter((n) => n.startsWith('n_')).sort();
    const mine = this.candidate!.slice(this.dir.length + 1);
    const at = names.indexOf(mine);
    if (at < 0) {
      // our node is gone (session replaced): enter again
      this.candidate = undefined;
      return this.enter();
    }
    this.leaderId = await getData(client, `${this.dir}/${names[0]}`).catch(() => undefined);
    if (at === 0) {
      this.setState('leader');
      if (!this.leading) {
        this.leading = true;
        this.opts.log.info('elected leader');
        this.emit('elected');
      }
      return;
    }
    if (this.leading) this.stepDown('another candidate leads');
    this.setState('follower');
    this.refreshLeader(client);
    const predecessor = `${this.dir}/${names[at - 1]}`;
    const exists = await existsWatch(client, predecessor, () => this.check(client).catch((err) => this.fail(client, err)));
    if (!exists) await this.check(client);
  }

  /**
   * A follower watches only its predecessor (no herd on failover), so it re-reads who leads now and then, for
   * /ws/info and health.
   */
  private refreshLeader(client: Client): void {
    clearTimeout(this.leaderTimer);
    this.leaderTimer = setTimeout(async () => {
      if (client !== this.client || this.closed || this.leading) return;
      try {
        const names = (await children(client, this.dir)).filter((n) => n.startsWith('n_')).sort();
        if (names[0]) this.leaderId = await getData(client, `${this.dir}/${names[0]}`);
      } catch {
        /* disconnected: the next session refreshes it */
      }
      this.refreshLeader(client);
    }, Math.max(500, this.opts.sessionTimeoutMs / 3));
  }

  private stepDown(reason: string): void {
    clearTimeout(this.graceTimer);
    if (!this.leading) return;
    this.leading = false;
    this.opts.log.warn(`no longer leader: ${reason}`);
    this.emit('revoked', reason);
  }

  private fail(client: Client, err: unknown): void {
    if (client !== this.client || this.closed) return;
    if (isNoNode(err)) return void this.check(client).catch((e) => this.fail(client, e));
    this.opts.log.warn(`election step failed: ${(err as Error).message}; retrying`);
    setTimeout(() => this.check(client).catch((e) => this.fail(client, e)), 500);
  }

  private setState(state: ElectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('changed', state);
  }

  /** Steps down, removes our candidate node (so a successor takes over at once) and closes the session. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.slowTimer);
    clearTimeout(this.graceTimer);
    clearTimeout(this.leaderTimer);
    this.stepDown('closing');
    const client = this.client;
    if (client && this.candidate && client.getState() === zookeeper.State.SYNC_CONNECTED) {
      await Promise.race([remove(client, this.candidate).catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    }
    client?.close();
    this.setState('closed');
  }
}
