// @market-gateway/client: the TypeScript client of the market-data gateway, for browsers, Node 20+ and Deno.

export { GatewayClient } from './client.ts';
export type { ClientEvent, SubscribeOptions } from './client.ts';
export type { ClientOptions } from './options.ts';
export { ClientError } from './events.ts';
export type {
  ClientEvents, CloseEvent, ControlEvent, ExchangeState, GapEvent, GapReason, KeyRef, OpenEvent, PongEvent,
  ResumedEvent, ResyncEvent, ServerErrorEvent, StatusEvent, SubscribedEvent,
} from './events.ts';
export { LatestPool } from './pool.ts';
export type { LatestSelector } from './pool.ts';
export { SequenceTracker } from './tracker.ts';
export type { ResumeEntry } from './tracker.ts';
export { Backoff } from './backoff.ts';
export type { BackoffOptions } from './backoff.ts';
export { decodeFrame } from './transport.ts';
export type { WebSocketConstructor, WebSocketLike } from './transport.ts';
export { STATE_TYPES, isRecord } from './records.ts';
export type {
  BaseRecord, BookUnit, CandleRecord, GatewayRecord, ListingRecord, OrderbookRecord, PremiumRecord, RecordByType,
  RecordType, TickerRecord, TradeRecord,
} from './records.ts';
