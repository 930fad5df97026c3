/**
 * Bodies that once took the collector process down or made it answer 500, against a real collector
 * process (in-process injection does not drive Node's HTTP stack and zlib the same way). Found by
 * the adversarial suite (test/adversarial, seed 20261207, inputs 37846, 15840, 91407, 42904 and 233).
 */
import t from 'tap';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { startService, testNamespace } from '@recstream/testing';
import { send as sendAdversarial } from '../adversarial/http-client.js';
import { materialize } from '../adversarial/materialize.js';
import { inputAt } from '../adversarial/run.js';

function send(url: string, method: string, headers: Record<string, string>, body: Buffer) {
  return new Promise<number | string>((resolve) => {
    const request = httpRequest(
      `${url}/v1/events`,
      { method, headers: { ...headers, 'content-length': body.length } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', (error) => resolve(`no answer: ${error.message}`));
    request.end(body);
  });
}

t.test('the collector survives and answers hostile bodies with 4xx', async (t) => {
  const ns = testNamespace('hostilebody');
  const collector = await startService({
    service: 'ingest',
    env: { ...ns.env, REC_INGEST_ROLE: 'collector', REC_INGEST_AUTH: 'disabled' },
  });
  t.teardown(() => collector.stop('SIGKILL'));
  const gzipHeaders = (type = 'application/json') => ({ 'content-type': type, 'content-encoding': 'gzip' });
  const deepArray = Buffer.from('['.repeat(10_000) + ']'.repeat(10_000));
  const cases: [string, string, Record<string, string>, Buffer][] = [
    ['GET, an empty gzip body', 'GET', gzipHeaders('application/x-ndjson; charset=latin1'), gzipSync('')],
    ['HEAD, a gzip body', 'HEAD', gzipHeaders(), gzipSync(gzipSync('[]'))],
    ['DELETE, a truncated gzip body', 'DELETE', gzipHeaders(), gzipSync('{"a":1}').subarray(0, 12)],
    ['POST, JSON nested 10,000 deep', 'POST', { 'content-type': 'application/json' }, deepArray],
    ['POST, the same gzipped', 'POST', gzipHeaders(), gzipSync(deepArray)],
  ];
  for (const [label, method, headers, body] of cases) {
    const status = await send(collector.url, method, headers, body);
    t.ok(typeof status === 'number' && status >= 400 && status < 500, `${label}: ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    t.equal(collector.process.exitCode, null, `${label}: the collector is still running`);
  }
  // The adversarial suite's own inputs that took the process down, sent by its own client.
  const keys = {
    write: 'rk_x',
    browserWrite: 'rk_x',
    revokedWrite: 'rk_x',
    read: 'rk_x',
    revokedRead: 'rk_x',
  };
  for (const n of [37846, 15840, 91407, 42904]) {
    const request = materialize(inputAt(20261207, n), n, keys, Date.now());
    const outcome = await sendAdversarial({
      ...request,
      url: `${collector.url}${request.path}`,
      deadlineMs: 10_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    t.equal(
      collector.process.exitCode,
      null,
      `adversarial input ${n} (${request.method} ${request.path}, answered ${outcome.status}): still running`,
    );
  }
  t.equal((await fetch(`${collector.url}/livez`)).status, 200, 'and live');
});
