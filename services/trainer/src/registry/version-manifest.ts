/**
 * What the registry knows about a version. The manifest is immutable and written with the
 * artifact (one rename publishes both); the status and the pin change over time and live in the
 * registry's state, never in the manifest.
 */
import type { Watermark } from '../watermark/watermark.js';

export const VERSION_STATUSES = ['candidate', 'live', 'retired', 'rejected', 'rolled-back'] as const;
/**
 * candidate: saved, not (yet) published; live: what serving loads (one per model); retired: was
 * live, replaced by a newer live version (a rollback target); rejected: failed the guardrail;
 * rolled-back: withdrawn by a rollback, never trained on again.
 */
export type VersionStatus = (typeof VERSION_STATUSES)[number];

export type VersionKind = 'full' | 'incremental' | 'baseline';

export interface VersionManifest {
  readonly model: string;
  readonly version: string;
  readonly kind: VersionKind;
  /** The version this one was warm-started from; null for a training from scratch. */
  readonly parent: string | null;
  readonly createdAt: string;
  /** The events this version itself learned (its parents' are in their manifests). */
  readonly dataWindow: {
    readonly from: string | null;
    readonly to: string | null;
    readonly events: number;
  };
  /** Cumulative over the lineage: the last offset learned per events-topic partition. */
  readonly watermark: Watermark;
  readonly metrics: Readonly<Record<string, number>>;
  readonly hyperParameters: Readonly<Record<string, unknown>>;
  /** How the artifact is stored and the SHA-256 of its entry file (which lists any others). */
  readonly artifact: { readonly format: 'sequence-model' | 'json'; readonly sha256: string };
}

export interface VersionRecord extends VersionManifest {
  readonly status: VersionStatus;
  readonly pinned: boolean;
  /** Directory holding the version (manifest.json and its artifact). */
  readonly path: string;
}
