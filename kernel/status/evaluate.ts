// The state machine's input side: an exchange's state (up / degraded / down) and reason, from what the node that
// holds the exchange connections knows: its worker, each connection's reports, and books being resynchronized.

import type { SupervisorState } from '../supervisor.ts';
import type { ConnectionStats } from '../../boundary/worker-protocol.ts';
import type { StatusState } from './events.ts';

export interface ExchangeFacts {
  /** 'inactive': configured, but this node holds no connection for it */
  worker: SupervisorState | 'inactive';
  workerError?: string;
  connections: ConnectionStats[];
  /** when the worker reported them: silence is judged as of then (a late report is not a silent exchange) */
  reportedAt: number;
  /** the exchange's stall timeout: a connection silent for half of it is not counted as delivering */
  stallTimeoutMs: number;
  /** book keys invalidated and not yet published again */
  resyncing: number;
}

export interface Verdict {
  state: StatusState;
  reason?: string;
}

/** why a connection does not deliver, or undefined when it does; reasons are stable texts (no timings or counts) */
function trouble(c: ConnectionStats, stallTimeoutMs: number, reportedAt: number): string | undefined {
  if (c.state === 'open') {
    if (c.lastHeardAt > 0 && reportedAt - c.lastHeardAt > stallTimeoutMs / 2) return `${c.name}: silent (stalled)`;
    return undefined;
  }
  const last = c.lastClose;
  if (!last) return `${c.name}: connecting`;
  if (last.httpStatus) return `${c.name}: refused by the exchange (HTTP ${last.httpStatus})`;
  if (last.stalled) return `${c.name}: stalled (nothing heard), reconnecting`;
  if (!last.wasOpen) return `${c.name}: could not connect`;
  return `${c.name}: connection closed (${last.code}${last.reason ? ` ${last.reason}` : ''}), reconnecting`;
}

export function evaluate(f: ExchangeFacts, now = Date.now()): Verdict {
  switch (f.worker) {
    case 'inactive':
      return { state: 'down', reason: 'not connected on this node' };
    case 'starting':
      return { state: 'down', reason: 'worker starting' };
    case 'restarting':
      return { state: 'down', reason: `worker restarting after a crash${f.workerError ? `: ${f.workerError}` : ''}` };
    case 'failed':
      return { state: 'down', reason: `worker failed${f.workerError ? `: ${f.workerError}` : ''}` };
    case 'closed':
      return { state: 'down', reason: 'stopped' };
  }
  if (f.connections.length === 0) return { state: 'down', reason: 'no connection yet' };
  // a worker that stopped reporting for longer than a stall would have been noticed is not vouched for
  if (now - f.reportedAt > Math.max(f.stallTimeoutMs, 5000)) return { state: 'down', reason: 'worker not reporting' };
  const troubles = f.connections.map((c) => trouble(c, f.stallTimeoutMs, f.reportedAt)).filter((t): t is string => t !== undefined);
  if (troubles.length === f.connections.length) return { state: 'down', reason: troubles.join('; ') };
  if (troubles.length) return { state: 'degraded', reason: troubles.join('; ') };
  if (f.resyncing > 0) return { state: 'degraded', reason: 'order books resynchronizing' };
  return { state: 'up' };
}
