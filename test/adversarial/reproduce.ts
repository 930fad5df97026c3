/**
 * Prints input `n` of an adversarial run (its recipe and the request it becomes) and, given a
 * service URL and a key, sends it and prints the answer:
 *
 *   pnpm exec tsx test/adversarial/reproduce.ts <seed> <n> [<url> <key>]
 *
 * The key stands for every credential of the recipe that is a working one (write key for the
 * collector, API key for serving).
 */
import { send } from './http-client.js';
import { describeInput, materialize } from './materialize.js';
import { inputAt } from './run.js';

async function main(): Promise<void> {
  const [seedText, nText, url, key = ''] = process.argv.slice(2);
  if (seedText === undefined || nText === undefined) {
    process.stderr.write('usage: reproduce.ts <seed> <n> [<url> <key>]\n');
    process.exit(2);
  }
  const n = Number(nText);
  const recipe = inputAt(Number(seedText), n);
  const keys = { write: key, browserWrite: key, revokedWrite: key, read: key, revokedRead: key };
  const request = materialize(recipe, n, keys, Date.now());
  process.stdout.write(`recipe: ${describeInput(recipe)}\n`);
  process.stdout.write(
    `request: ${request.method} ${request.path} ${JSON.stringify(request.headers).slice(0, 500)} body ${request.body?.length ?? 0} bytes: ${request.body?.subarray(0, 300).toString('latin1') ?? ''}\n`,
  );
  if (url === undefined) return;
  const outcome = await send({ ...request, url: `${url}${request.path}`, deadlineMs: 30_000 });
  process.stdout.write(`answer: ${JSON.stringify(outcome).slice(0, 2000)}\n`);
}

await main();
