// One exchange's recorded stream through the worker's own code: a fresh plugin mapper per recorded connection,
// the feed's de-duplication (worker/dedupe.ts) and record pipeline (worker/pipeline.ts), switched where the recording
// says the live feed switched (`begin` lines). Same lines in, same records out: replays are deterministic.

import { RecentRecords } from '../worker/dedupe.ts';
import { errorCode } from '../sdk/errors.ts';
import type { Draft, MarketRecord } from '../sdk/model.ts';
import { RecordPipeline } from '../worker/pipeline.ts';
import type { ExchangePlugin, Mapper, Output, PluginConfig } from '../sdk/plugin.ts';
import { fixtureConfig, isHeader } from '../sdk/fixture/format.ts';
import type { Line } from '../sdk/fixture/format.ts';

/** the feed's limit on records held from a replacement before it switches */
const HELD_MAX = 20_000;
/** the connection of fixture lines without `conn` */
const IMPLICIT = -1;

interface Conn {
  id: number;
  plan: string;
  mapper: Mapper;
  ep: number;
  out: Output;
  rtms: number;
  held: { draft: Draft; rtms: number }[];
}

interface FeedState {
  recent: RecentRecords;
  current: Conn | undefined;
  pipeline: RecordPipeline | undefined;
}

export interface SessionStats {
  lines: number;
  frames: number;
  responses: number;
  records: number;
  duplicates: number;
  gaps: number;
  /** mapper and replay errors by code (BAD_FRAME, EXCHANGE_ERROR, UNKNOWN_CONN for a `begin` of an unknown connection, UNKNOWN_PLAN) */
  errors: Record<string, number>;
}

export type RecordSink = (key: string, record: MarketRecord) => void;

export class ReplaySession {
  readonly stats: SessionStats = { lines: 0, frames: 0, responses: 0, records: 0, duplicates: 0, gaps: 0, errors: {} };
  private config: PluginConfig;
  /** a recording (not a fixture): the kernel's filter by subscription applies, as live */
  private recorded = false;
  private implicitPlan: string | undefined;
  private readonly conns = new Map<number, Conn>();
  private readonly feeds = new Map<string, FeedState>();

  constructor(
    private readonly plugin: ExchangePlugin,
    private readonly sink: RecordSink,
  ) {
    this.config = fixtureConfig(plugin.id);
  }

  /** the configuration in force (the header's, then any live change) */
  get pluginConfig(): PluginConfig {
    return this.config;
  }

  private count(code: string): void {
    this.stats.errors[code] = (this.stats.errors[code] ?? 0) + 1;
  }

  /** feeds one line; mapper errors are counted, never thrown */
  line(l: Line): void {
    this.stats.lines++;
    if (isHeader(l)) {
      this.recorded ||= l.recording !== undefined;
      // a recording's header holds the whole configuration; a fixture's holds the fields that differ
      this.config = fixtureConfig(this.plugin.id, { ...l.config, id: this.plugin.id });
      return;
    }
    if ('connection' in l) {
      this.implicitPlan = l.connection;
      return;
    }
    if ('config' in l) {
      this.config = { ...l.config, id: this.plugin.id };
      return;
    }
    if ('gap' in l) {
      this.stats.gaps++;
      return;
    }
    if ('open' in l) {
      this.open(l.conn, l.open.plan, l.carried ? l.rtms : l.open.ep, l.rtms);
      return;
    }
    if ('begin' in l) {
      const c = this.conns.get(l.conn);
      if (!c) return this.count('UNKNOWN_CONN');
      if (this.feedOf(c).current !== c) this.begin(c);
      return;
    }
    if ('close' in l) {
      const c = this.conns.get(l.conn);
      if (!c) return;
      this.conns.delete(c.id);
      const feed = this.feedOf(c);
      if (feed.current === c) {
        feed.current = undefined;
        feed.pipeline = undefined;
      }
      return;
    }
    const c = this.connOf(l.conn, l.rtms);
    if (!c) return this.count('UNKNOWN_CONN');
    c.rtms = l.rtms;
    try {
      if ('frame' in l) {
        this.stats.frames++;
        c.mapper.onMessage(l.frame, l.rtms, c.out);
      } else {
        this.stats.responses++;
        c.mapper.onResponse?.(l.response.tag, l.response, l.rtms, c.out);
      }
    } catch (err) {
      this.count(errorCode(err));
    }
  }

  /** a line's connection; fixture lines without `conn` share an implicit one, opened at the first of them */
  private connOf(conn: number | undefined, rtms: number): Conn | undefined {
    const id = conn ?? IMPLICIT;
    let c = this.conns.get(id);
    if (!c) {
      // a connection seen first by its data (a fixture, a hand-cut file): opened here, in the epoch of its first
      // line (derived from the recording, so every replay gives the same)
      c = this.open(id, this.implicitPlan, rtms, rtms);
      if (c) this.begin(c);
    }
    return c;
  }

  /** a connection opened: a fresh mapper. A part replayed alone re-declares its connections (`carried`). */
  private open(id: number, planName: string | undefined, ep: number, rtms: number): Conn | undefined {
    const known = this.conns.get(id);
    if (known) return known;
    const plans = this.plugin.connections(this.config);
    const plan = planName === undefined ? plans[0] : plans.find((p) => p.name === planName);
    if (!plan) {
      this.count('UNKNOWN_PLAN');
      return undefined;
    }
    const c: Conn = { id, plan: plan.name, mapper: plan.createMapper(), ep, out: undefined!, rtms, held: [] };
    c.out = {
      emit: (draft) => this.onDraft(c, draft, c.rtms),
      // the recording holds the answers the live worker got
      request: () => {},
      send: () => {},
      rollover: () => {},
    };
    this.conns.set(id, c);
    return c;
  }

  private feedOf(c: Conn): FeedState {
    let f = this.feeds.get(c.plan);
    if (!f) this.feeds.set(c.plan, (f = { recent: new RecentRecords(), current: undefined, pipeline: undefined }));
    return f;
  }

  /** as Feed.begin and switchOver: the connection produces, in its own epoch; what it held goes out first */
  private begin(c: Conn): void {
    const feed = this.feedOf(c);
    feed.current = c;
    feed.pipeline = new RecordPipeline(c.ep, this.config.depth);
    const held = c.held;
    c.held = [];
    for (const h of held) this.deliver(feed, c, h.draft, h.rtms);
  }

  private onDraft(c: Conn, draft: Draft, rtms: number): void {
    const feed = this.feedOf(c);
    if (feed.current === c) this.deliver(feed, c, draft, rtms);
    else if (c.held.length < HELD_MAX) c.held.push({ draft, rtms });
  }

  private deliver(feed: FeedState, c: Conn, draft: Draft, rtms: number): void {
    if (feed.recent.isRepeat(draft, c.id)) {
      this.stats.duplicates++;
      return;
    }
    let r;
    try {
      r = feed.pipeline!.accept(draft, rtms);
    } catch (err) {
      this.count(errorCode(err));
      return;
    }
    if (!r) return;
    // the kernel serves only subscribed keys (after a live unsubscribe the old connection produces until the switch)
    if (this.recorded && (!this.config.symbols.includes(r.record.cd) || !(this.config.channels as string[]).includes(r.record.ty))) return;
    this.stats.records++;
    this.sink(r.key, r.record);
  }
}
