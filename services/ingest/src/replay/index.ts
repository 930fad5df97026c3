/** Replay of parked records, for the `dlq:replay` command and integration tests. */
export {
  countParked,
  replayParked,
  type ReplayDeps,
  type ReplayFilter,
  type ReplayReport,
} from './dlq-replay.js';
export { createPublisher, type Publisher } from '../handlers/event-publisher.js';
