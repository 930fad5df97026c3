import t from 'tap';
import { createExpiryRenewals } from './expiry-renewals.js';

t.test('a key is due once per period, and again in the next', (t) => {
  let now = 1_000;
  const renewals = createExpiryRenewals(() => now, 100, 10);
  t.ok(renewals.due('k'), 'never renewed: due');
  t.ok(renewals.due('k'), 'asking does not record a renewal');
  renewals.renewed(['k']);
  t.notOk(renewals.due('k'), 'renewed this period: not due');
  t.ok(renewals.due('other'), 'other keys are unaffected');
  now = 1_099;
  t.notOk(renewals.due('k'), 'still the same period');
  now = 1_100;
  t.ok(renewals.due('k'), 'a new period: due again');
  t.end();
});

t.test('past its bound the memory starts over', (t) => {
  const renewals = createExpiryRenewals(() => 0, 100, 3);
  renewals.renewed(['a', 'b', 'c']);
  t.ok(renewals.due('a'), 'full: forgotten, so renewed again (harmless)');
  renewals.renewed(['a']);
  t.notOk(renewals.due('a'), 'remembered again');
  t.end();
});
