/**
 * What a per-message handler decides. The consumer runner, not the handler, turns these into
 * metrics, DLQ messages and offset resolution.
 */
export type MessageResult =
  | { readonly kind: 'ok' }
  /** Deliberately ignored (e.g. a tombstone for a topic that has none); counted with its reason. */
  | { readonly kind: 'drop'; readonly reason: string }
  /** Cannot ever succeed: parked in the DLQ with the reason, then the offset moves on. */
  | { readonly kind: 'dlq'; readonly reason: string; readonly step: string; readonly code: string }
  /** Might succeed later (dependency down): the message and all after it are tried again. */
  | { readonly kind: 'retry'; readonly error: unknown };

export const ok: MessageResult = { kind: 'ok' };
export const drop = (reason: string): MessageResult => ({ kind: 'drop', reason });
export const dlq = (step: string, code: string, reason: string): MessageResult => ({
  kind: 'dlq',
  reason,
  step,
  code,
});
export const retry = (error: unknown): MessageResult => ({ kind: 'retry', error });
