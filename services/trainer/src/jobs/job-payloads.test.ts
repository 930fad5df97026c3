import t from 'tap';
import { PermanentError } from '@recstream/errors';
import { checkJobName, parsePayload } from './job-payloads.js';

t.test('valid payloads pass through unchanged', (t) => {
  t.same(parsePayload('publish', { model: 'sasrec', version: 'v1', force: true }), {
    model: 'sasrec',
    version: 'v1',
    force: true,
  });
  t.same(parsePayload('train-popularity', {}), {});
  t.end();
});

t.test('bad payloads and unknown jobs are permanent errors naming the problem', (t) => {
  t.throws(() => parsePayload('publish', { model: 'sasrec' }), PermanentError);
  t.throws(() => parsePayload('publish', { model: 'sasrec' }), /job publish: invalid payload: .*version/);
  t.throws(() => parsePayload('rollback', { model: '../etc' }), /\/model/);
  t.throws(() => parsePayload('evaluate', { model: 'sasrec', extra: 1 }), /invalid payload/);
  t.throws(() => parsePayload('incremental-update', { model: 'sasrec', trigger: 'cron' }), /trigger/);
  t.throws(() => checkJobName('train-everything'), /unknown job "train-everything"/);
  t.end();
});
