/**
 * The load process of bench:serving (started by get-load.ts' startGetLoadProcess): a lean Node.js
 * process that holds only the shopper ids it asks for, so its collections are short and its
 * event loop keeps the schedule. Takes a target, then runs one load phase per request, answering
 * each with the latencies and its own event-loop delay.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mulberry32 } from '@recstream/traffic';
import {
  runClosedLoop,
  runOpenLoop,
  type GetLoadReply,
  type GetLoadRequest,
  type GetLoadRun,
  type GetLoadTarget,
} from './get-load.js';

let target: GetLoadTarget | undefined;
let random: () => number = Math.random;

const reply = (message: GetLoadReply) => process.send?.(message);

function urlFor(t: GetLoadTarget) {
  return (sequence: number) => {
    const user = t.shopperIds[Math.floor(random() * t.shopperIds.length)] ?? '';
    const base = t.bases[sequence % t.bases.length] ?? '';
    return new URL(`${base}/v1/recommendations?user_id=${encodeURIComponent(user)}&k=${t.k}`);
  };
}

async function runPhase(t: GetLoadTarget, run: GetLoadRun) {
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const result =
    run.mode === 'open'
      ? await runOpenLoop(urlFor(t), t.headers, run.rate, run.durationMs, run.maxInFlight)
      : await runClosedLoop(urlFor(t), t.headers, run.connections, run.durationMs);
  lag.disable();
  return { ...result, loopDelayMs: { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 } };
}

process.on('message', (message: GetLoadRequest) => {
  if (message.type === 'target') {
    target = message.target;
    random = mulberry32(message.target.seed);
    return;
  }
  if (target === undefined) {
    reply({ type: 'error', message: 'a run was asked for before the target' });
    return;
  }
  runPhase(target, message.run).then(
    (report) => reply({ type: 'report', report }),
    (error: unknown) =>
      reply({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('SIGTERM', () => process.exit(0));
