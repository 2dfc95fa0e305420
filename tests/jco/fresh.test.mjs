// A fresh instance of the jco-transpiled pi component (its own process:
// node --test runs each file apart) answers a million digits from the
// snapshot it starts with; checked against the independent reference
// (testkit/fixtures/reference.json: mpmath, checked against MPFR).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const reference = JSON.parse(readFileSync(`${root}testkit/fixtures/reference.json`, 'utf8'));
const { pi } = await import(new URL('../../target/jco/pi_digits/pi_digits.js', import.meta.url).href);

test('the first call of a fresh instance: histogram(1000000)', () => {
  assert.deepEqual([...pi.histogram(1_000_000n)], reference.histograms['1000000'].map(BigInt));
  const digits = pi.digits(1_000_000n);
  assert.equal(createHash('sha256').update(digits).digest('hex'), reference.sha256['1000000']);
});
