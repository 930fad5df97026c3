/**
 * The model registry's contracts, written by the trainer and read by serving: a version's manifest
 * (`<root>/<model>/<version>/manifest.json`), a model's registry state (`<root>/_registry/<model>.json`)
 * and the message that announces a live version on `rec.models.published.v1`. The layout on disk,
 * the validation and the writer and reader are in @recstream/model-registry.
 */
import Type from 'typebox';

/** A model's name: a path segment, so no dot, slash or upper case. */
export const MODEL_NAME_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
/** A version's name (`newVersionName`: UTC time to the millisecond and a random suffix). */
export const VERSION_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const ModelName = Type.String({ pattern: MODEL_NAME_PATTERN.source });
export const VersionName = Type.String({ pattern: VERSION_NAME_PATTERN.source });

/** `{partition: last offset learned}` of the events topic; an absent partition has learned nothing (-1). */
export const Watermark = Type.Record(
  Type.String({ pattern: '^(0|[1-9][0-9]{0,8})$' }),
  Type.Integer({ minimum: -1, maximum: Number.MAX_SAFE_INTEGER }),
  {
    additionalProperties: false,
    description: 'Cumulative over the lineage: the last offset learned per events-topic partition',
  },
);
export type Watermark = Readonly<Record<string, number>>;

export const VERSION_STATUSES = ['candidate', 'live', 'retired', 'rejected', 'rolled-back'] as const;
/**
 * candidate: saved, not (yet) published; live: what serving loads (one per model); retired: was
 * live, replaced by a newer live version (a rollback target); rejected: failed the guardrail;
 * rolled-back: withdrawn by a rollback, never trained on again.
 */
export type VersionStatus = (typeof VERSION_STATUSES)[number];

export const VERSION_KINDS = ['full', 'incremental', 'baseline'] as const;
export type VersionKind = (typeof VERSION_KINDS)[number];

export const ARTIFACT_FORMATS = ['sequence-model', 'json'] as const;
export type ArtifactFormat = (typeof ARTIFACT_FORMATS)[number];

const Time = Type.String({ format: 'date-time' });
const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });

/**
 * What the registry knows about a version for ever: written with the artifact (one rename
 * publishes both), never changed. Status and pin change over time and live in the registry state.
 */
export const VersionManifest = Type.Object({
  model: ModelName,
  version: VersionName,
  kind: Type.Enum(VERSION_KINDS),
  parent: Type.Union([VersionName, Type.Null()], {
    description: 'The version this one was warm-started from; null for a training from scratch',
  }),
  createdAt: Time,
  dataWindow: Type.Object(
    {
      from: Type.Union([Time, Type.Null()]),
      to: Type.Union([Time, Type.Null()]),
      events: Type.Integer({ minimum: 0 }),
    },
    { description: "The events this version itself learned (its parents' are in their manifests)" },
  ),
  watermark: Watermark,
  // JSON has no NaN: a metric that was not a number is written as null.
  metrics: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])),
  hyperParameters: Type.Record(Type.String(), Type.Unknown()),
  artifact: Type.Object(
    { format: Type.Enum(ARTIFACT_FORMATS), sha256: Sha256 },
    { description: 'How the artifact is stored and the SHA-256 of its entry file (which lists any others)' },
  ),
});
export type VersionManifest = Type.Static<typeof VersionManifest>;

/** A version as the registry reports it: its manifest, its status and pin, and its directory. */
export const VersionRecord = Type.Intersect([
  VersionManifest,
  Type.Object({
    status: Type.Enum(VERSION_STATUSES),
    pinned: Type.Boolean(),
    path: Type.String({ description: "The version's directory on the writer's side of the volume" }),
  }),
]);
export type VersionRecord = Type.Static<typeof VersionRecord>;

/** The mutable half of the registry, per model (`_registry/<model>.json`). */
export const RegistryState = Type.Object({
  live: Type.Union([VersionName, Type.Null()]),
  pinned: Type.Union([VersionName, Type.Null()]),
  statuses: Type.Record(Type.String(), Type.Enum(VERSION_STATUSES)),
  liveHistory: Type.Array(VersionName, { description: 'Versions in the order they went live, oldest first' }),
});
export type RegistryState = Type.Static<typeof RegistryState>;

/**
 * `rec.models.published.v1` (key: the model name): a version went live (a publish, a promotion,
 * a rollback). Serving loads `model`/`version` from its own mount of the registry, never `path`.
 */
export const ModelPublished = Type.Intersect([VersionRecord, Type.Object({ publishedAt: Time })]);
export type ModelPublished = Type.Static<typeof ModelPublished>;
