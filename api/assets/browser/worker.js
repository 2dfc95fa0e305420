// The page's in-browser mode: this module worker runs the pi component,
// transpiled to JavaScript by jco, off the page's main thread, so the page
// stays responsive however long the digits take.
//
// In:  { id, n }
// Out: { id, n, digits, counts, ms, downloads } — all n digits, their
//      histogram, the milliseconds both took, and the files this worker
//      fetched, [{ url, bytes }];
//   or { id, n, error } — a message for the page.
import { pi } from './pi_digits.js';

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
  return `The component failed: ${error?.message ?? error}`;
}

self.addEventListener('message', ({ data: { id, n } }) => {
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
