// The page's in-browser mode: this module worker runs the pi component,
// transpiled to JavaScript by jco, off the page's main thread, so the page
// stays responsive however long the digits take.
//
// In:  { id, n }
// Out: { id, n, digits, counts, ms, downloads } — all n digits, their
//      histogram, the milliseconds both took, and the files this worker
//      fetched, [{ url, bytes }];
//   or { id, n, error } — a message for the page.
//
// In:  { id, search: q, n }
// Out: { id, q, n, position, count, before, after } — as /api/search
//      answers: the first position of q among the first n digits (null if
//      none), how often it occurs, and up to 20 digits either side of the
//      first occurrence, within the n;
//   or { id, n, error }.
import { pi } from './pi_digits.js';

// Digits shown on each side of a match, as /api/search shows them.
const CONTEXT_DIGITS = 20;

// The page's own limit, as the other hosts' default: the component computes
// up to 100,000,000 digits, minutes of work and over a gigabyte in a tab.
const MAX_DIGITS = 10_000_000;
const BEYOND = `This page computes at most ${MAX_DIGITS.toLocaleString('en-US')} digits in the browser.`;

// The component's words for a bad pattern (`pattern-problem`), as the
// server's message puts them.
const PATTERN_PROBLEMS = {
  empty: 'q must be 1 to 100 decimal digits, and it is empty',
  'not-a-digit': 'q must be decimal digits 0-9 only',
  'too-long': 'q must be 1 to 100 decimal digits, and it is longer',
};

// What this worker downloaded (the transpiled module and the core wasm; the
// component imports nothing, so there is no WASI shim); the page adds the
// worker script itself.
function downloads() {
  return performance
    .getEntriesByType('resource')
    .map((entry) => ({ url: entry.name, bytes: entry.encodedBodySize }));
}

function explain(error) {
  if (error?.payload?.tag === 'beyond-maximum') {
    return `The component computes at most ${error.payload.val.toLocaleString('en-US')} digits.`;
  }
  if (error?.payload?.tag === 'bad-pattern') {
    return `${PATTERN_PROBLEMS[error.payload.val] ?? 'q is not 1 to 100 decimal digits'}.`;
  }
  return `The component failed: ${error?.message ?? error}`;
}

// u64s are BigInts both ways; positions and counts up to 10^7 fit a Number.
function search(q, n) {
  const found = pi.search(q, BigInt(n));
  const count = Number(found.count);
  // An absent option<u64> is `undefined`.
  if (found.position === undefined || found.position === null) {
    return { q, n, position: null, count, before: '', after: '' };
  }
  const position = Number(found.position);
  const start = Math.max(0, position - CONTEXT_DIGITS);
  const end = Math.min(n, position + q.length + CONTEXT_DIGITS);
  const around = pi.digitsWindow(BigInt(start), BigInt(end - start));
  const before = around.slice(0, position - start);
  const after = around.slice(position - start + q.length);
  return { q, n, position, count, before, after };
}

self.addEventListener('message', ({ data: { id, n, search: q } }) => {
  if (n > MAX_DIGITS) {
    self.postMessage({ id, n, error: BEYOND });
    return;
  }
  if (q !== undefined) {
    try {
      self.postMessage({ id, ...search(q, n) });
    } catch (error) {
      self.postMessage({ id, n, error: explain(error) });
    }
    return;
  }
  try {
    const started = performance.now();
    const digits = pi.digits(BigInt(n));
    const counts = Array.from(pi.histogram(BigInt(n)), Number);
    const ms = performance.now() - started;
    self.postMessage({ id, n, digits, counts, ms, downloads: downloads() });
  } catch (error) {
    self.postMessage({ id, n, error: explain(error) });
  }
});

// Loaded: the module and its wasm are in, the page may send work.
self.postMessage({ ready: true });
