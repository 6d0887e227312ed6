// Prometheus figures of the exchange workers' recorders: lines written, dropped, write errors, backlog.

import type { Metrics } from '../metrics.ts';
import type { ExchangeSupervisor } from '../supervisor.ts';

export function registerRecordingMetrics(metrics: Metrics, supervisors: () => ExchangeSupervisor[]): void {
  const per = (pick: (s: ExchangeSupervisor) => number) => () => supervisors().map((s) => ({ labels: { exchange: s.id }, value: pick(s) }));
  const total = (k: 'lines' | 'dropped' | 'errors' | 'bytes') => per((s) => s.recordingBefore[k] + (s.recording?.[k] ?? 0));
  metrics.collectedCounter('gateway_record_lines_total', 'Lines (frames, REST answers, connection events) written to the recording, by exchange', total('lines'));
  metrics.collectedCounter('gateway_record_bytes_total', 'Uncompressed bytes written to the recording, by exchange', total('bytes'));
  metrics.collectedCounter('gateway_record_dropped_total', 'Lines dropped from the recording because the disk was too slow or failing (never from the live stream)', total('dropped'));
  metrics.collectedCounter('gateway_record_errors_total', 'Write errors of the recording (a new part is tried after each)', total('errors'));
  metrics.gauge('gateway_record_queued_bytes', 'Bytes of the recording waiting for the disk', per((s) => s.recording?.queuedBytes ?? 0));
  metrics.gauge('gateway_record_ok', '1 while the recording writes everything (0: dropping or failing)', per((s) => (s.recording?.state === 'recording' ? 1 : 0)));
}
