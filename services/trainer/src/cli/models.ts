/**
 * Operating the model registry by hand (uses the trainer's environment):
 *
 *   pnpm trainer:models list [--model sasrec] [--json]
 *   pnpm trainer:models promote <version> [--model sasrec] [--reason text]   publish it, guardrail bypassed
 *   pnpm trainer:models pin [version] [--model sasrec]      hold automatic publishing on the live version
 *   pnpm trainer:models unpin [--model sasrec]
 *   pnpm trainer:models rollback [--to version] [--model sasrec] [--reason text]
 *
 * Every change goes through the same operations as the jobs: the registry state, the ClickHouse
 * mirror (a `model_decisions` row naming the operator's reason) and, when the live version
 * changes, the models topic. A corrupt artifact is refused before anything changes.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { createClickHouse } from '@recstream/clickhouse';
import { clickhouseConnection } from '@recstream/config';
import { errorMessage } from '@recstream/errors';
import { connectKafka } from '@recstream/kafka';
import { createLogger } from '@recstream/logger';
import { topicName } from '@recstream/schemas';
import { loadConfig } from '../config.js';
import { createModelRegistry, publishedMessage, type VersionRecord } from '@recstream/model-registry';
import {
  pinVersion,
  publishVersion,
  rollbackModel,
  unpinModel,
  type ModelOperationsDeps,
} from '../registry/model-operations.js';
import { createClickHouseMirror } from '../registry/registry-mirror.js';

function table(records: readonly VersionRecord[]): string {
  const rows = records.map((r) => [
    r.version,
    r.kind,
    r.status + (r.pinned ? ' (pinned)' : ''),
    r.parent ?? '-',
    String(r.dataWindow.events),
    r.metrics['holdout.hr10']?.toFixed(4) ?? '-',
    r.metrics['holdout.ndcg10']?.toFixed(4) ?? '-',
  ]);
  const header = ['version', 'kind', 'status', 'parent', 'events', 'HR@10', 'NDCG@10'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  return [header, ...rows]
    .map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '))
    .join('\n');
}

async function main(argv: readonly string[]): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'trainer-models', level: config.REC_LOG_LEVEL });
  const registry = createModelRegistry(resolve(config.REC_MODEL_REGISTRY_DIR));
  const clickhouse = createClickHouse(clickhouseConnection(config));
  let kafka: Awaited<ReturnType<typeof connectKafka>> | undefined;
  const deps: ModelOperationsDeps = {
    registry,
    mirror: createClickHouseMirror(clickhouse, () => new Date()),
    announce: async (record) => {
      kafka ??= await connectKafka({
        brokers: config.REC_KAFKA_BROKERS,
        compression: config.REC_KAFKA_COMPRESSION,
        clientId: 'trainer-models-cli',
        logger,
        topicPrefix: config.REC_TOPIC_PREFIX,
        produceTimeoutMs: 10_000,
      });
      await kafka.producer.send(topicName('modelsPublished', config.REC_TOPIC_PREFIX), [
        publishedMessage(record),
      ]);
    },
  };
  const out = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  const model = (options: { model?: string }): string => options.model ?? config.REC_TRAIN_MODEL;

  const program = new Command('trainer:models').description(
    'List, promote, pin and roll back model versions',
  );
  program
    .command('list')
    .description('versions of a model, oldest first')
    .option('--model <name>')
    .option('--json', 'print the records as JSON')
    .action(async (options: { model?: string; json?: boolean }) => {
      const records = await registry.list(model(options));
      if (options.json === true) out(records);
      else process.stdout.write(`${table(records)}\n`);
    });
  program
    .command('promote <version>')
    .description('make a version live now, bypassing the guardrail (recorded as a manual promotion)')
    .option('--model <name>')
    .option('--reason <text>', 'why, for the decision log', 'manual promotion (CLI)')
    .action(async (version: string, options: { model?: string; reason: string }) => {
      const record = await publishVersion(deps, model(options), version, {
        action: 'promote',
        reason: options.reason,
      });
      out({ live: record.version });
    });
  program
    .command('pin [version]')
    .description('hold automatic publishing: the live version (default) stays live until unpinned')
    .option('--model <name>')
    .action(async (version: string | undefined, options: { model?: string }) => {
      const name = model(options);
      const target = version ?? (await registry.live(name))?.version;
      if (target === undefined) throw new Error(`${name} has no live version to pin`);
      out({ pinned: (await pinVersion(deps, name, target)).version });
    });
  program
    .command('unpin')
    .option('--model <name>')
    .action(async (options: { model?: string }) => out({ unpinned: await unpinModel(deps, model(options)) }));
  program
    .command('rollback')
    .description('withdraw the live version: the previous live one (or --to) goes live again')
    .option('--model <name>')
    .option('--to <version>')
    .option('--reason <text>', 'why, for the decision log', 'manual rollback (CLI)')
    .action(async (options: { model?: string; to?: string; reason: string }) => {
      const result = await rollbackModel(deps, model(options), options.to, options.reason);
      out({ from: result.from.version, to: result.to.version, withdrawn: result.withdrawn });
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } finally {
    await kafka?.stop();
    await clickhouse.close();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`trainer:models: ${errorMessage(err)}\n`);
  process.exit(1);
});
