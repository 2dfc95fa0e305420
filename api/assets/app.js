// The Pi Day page: the histogram of the first N digits of π, the first
// few thousand digits as tiles, and a search ("find your birthday in π").
// Two modes: ask the server (the pi:digits component behind the HTTP
// component), or run the same component in this browser, in Web Workers
// (/browser/worker.js), so the page never blocks. Vanilla ES module, no
// build step.

const TILE_LIMIT = 2000; // the grid shows at most this many digits
const SEARCH_DIGITS = 1000000; // the search looks among this many, in both modes
const number = new Intl.NumberFormat('en-US');
const $ = (id) => document.getElementById(id);

const main = $('main');
const select = $('n');
const status = $('status');
const errorBox = $('error');
const histogram = $('histogram');
const timing = $('timing');
const tiles = $('tiles');
const tilesNote = $('tiles-note');
const tilesSection = tiles.closest('section');
const modeNote = $('mode-note');
const download = $('download');
const form = $('controls');
const searchForm = $('search-form');
const searchInput = $('q');
const searchResult = $('search-result');
const searchSummary = $('search-summary');
const searchContext = $('search-context');

const MODE_NOTES = {
  server: 'Computed by the pi:digits WebAssembly component on the server.',
  browser: 'Computed by the pi:digits WebAssembly component in this browser, in a Web Worker: the page stays responsive.',
};
const MODE_PLACES = { server: 'on the server', browser: 'in this browser' };

// Ten histogram rows, built once: digit, bar, count, percentage.
const rows = Array.from({ length: 10 }, (_, d) => {
  const row = el('li', 'row', { 'data-testid': `bar-${d}` });
  const bar = el('span', `bar d${d}`);
  const count = el('span', 'count', { 'data-testid': `count-${d}` });
  const pct = el('span', 'pct', { 'data-testid': `pct-${d}` });
  const track = el('span', 'track', { 'aria-hidden': 'true' });
  track.append(bar);
  row.append(el('span', 'digit', {}, String(d)), track, count, pct);
  histogram.append(row);
  return { bar, count, pct };
});

let current = null; // the AbortController of the computation in flight
let currentSearch = null; // the AbortController of the search in flight
// The in-browser workers, each started on first use: one computes the
// histogram and the tiles, one searches, so that neither stops the other.
const engines = { compute: null, search: null };
let nextId = 0;
let digitsUrl = null; // the object URL of the digits computed in this browser

function el(tag, className, attrs = {}, text = '') {
  const node = document.createElement(tag);
  node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.textContent = text;
  return node;
}

// GET a JSON resource; throw an Error carrying the server's message on a
// refusal, or a plain explanation when the server cannot be reached.
async function getJson(path, signal) {
  const started = performance.now();
  let response;
  try {
    response = await fetch(path, { signal, headers: { accept: 'application/json' } });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new Error('Could not reach the server. Check your connection and try again.');
  }
  const body = await response.json().catch(() => null);
  const ms = performance.now() - started;
  if (!response.ok) {
    throw new Error(body?.message ?? `The server answered ${response.status} ${response.statusText}.`);
  }
  if (body === null) throw new Error('The server sent an answer that is not JSON.');
  return { body, ms };
}

function setStatus(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

function setBusy(busy) {
  main.setAttribute('aria-busy', String(busy));
  main.classList.toggle('busy', busy);
}

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = !message;
}

function renderHistogram(n, counts) {
  const max = Math.max(0, ...counts);
  counts.forEach((c, d) => {
    rows[d].bar.style.width = max > 0 ? `${(c / max) * 100}%` : '0';
    rows[d].count.textContent = number.format(c);
    rows[d].pct.textContent = `${(n > 0 ? (c / n) * 100 : 0).toFixed(2)}%`;
  });
  histogram.dataset.n = String(n);
}

function clearHistogram() {
  for (const row of rows) {
    row.bar.style.width = '0';
    row.count.textContent = '–';
    row.pct.textContent = '';
  }
  delete histogram.dataset.n;
}

function renderTiles(digits, n) {
  const grid = document.createDocumentFragment();
  for (const digit of digits) grid.append(el('span', `t d${digit}`, {}, digit));
  tiles.replaceChildren(grid);
  tiles.dataset.count = String(digits.length);
  tilesSection.hidden = false;
  tilesNote.hidden = digits.length >= n;
  tilesNote.textContent = `Showing the first ${number.format(digits.length)} of ${number.format(n)} digits; ` +
    'the histogram counts all of them.';
}

function formatMs(ms) {
  return ms < 10 ? `${ms.toFixed(1)} ms` : ms < 10000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

// Server mode: the histogram of N and the first digits, drawn as each
// answer arrives.
async function fromServer(n, shown, signal, fresh) {
  const [hist, head] = await Promise.all([
    getJson(`/api/histogram?n=${n}`, signal).then((answer) => {
      if (fresh()) renderHistogram(n, answer.body.counts);
      return answer;
    }),
    getJson(`/api/digits?n=${shown}`, signal).then((answer) => {
      if (fresh()) renderTiles(answer.body.digits, n);
      return answer;
    }),
  ]);
  if (!fresh()) return;
  setDownload(`/api/digits?n=${n}&format=text`, n);
  timing.textContent = `Server round trip: histogram of ${number.format(n)} digits ${formatMs(hist.ms)}, ` +
    `first ${number.format(shown)} digits ${formatMs(head.ms)}.`;
}

// In-browser mode: the worker computes all N digits and their histogram.
async function inBrowser(n, shown, signal, fresh) {
  const answer = await inWorker('compute', { n }, signal);
  if (!fresh()) return;
  renderHistogram(n, answer.counts);
  renderTiles(answer.digits.slice(0, shown), n);
  if (digitsUrl) URL.revokeObjectURL(digitsUrl);
  digitsUrl = URL.createObjectURL(new Blob([answer.digits], { type: 'text/plain' }));
  setDownload(digitsUrl, n);
  const bytes = downloadedBytes(answer.downloads);
  timing.dataset.ms = String(answer.ms);
  timing.dataset.downloadBytes = String(bytes);
  timing.textContent = `Computed in this browser: all ${number.format(n)} digits and their histogram in ` +
    `${formatMs(answer.ms)}. The component loaded in ${formatMs(answer.loadMs)}; the browser downloaded ` +
    `${formatBytes(bytes)} for it, once.`;
}

// A worker with the component loaded; `ready` resolves with the load time.
function startWorker() {
  const started = performance.now();
  const worker = new Worker('/browser/worker.js', { type: 'module' });
  const ready = new Promise((resolve, reject) => {
    worker.addEventListener('message', ({ data }) => {
      if (data.ready) resolve(performance.now() - started);
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      reject(new Error('The in-browser component could not be loaded. Try the server instead.'));
    });
  });
  return { worker, ready };
}

function stopWorker(kind) {
  engines[kind]?.worker.terminate();
  engines[kind] = null;
}

// One call in the worker of this kind. Aborting it (a newer choice) stops
// the worker outright: a computation in wasm cannot be interrupted otherwise.
async function inWorker(kind, message, signal) {
  engines[kind] ??= startWorker();
  const engine = engines[kind];
  const { worker, ready } = engine;
  let loadMs;
  try {
    loadMs = await ready;
  } catch (error) {
    if (engines[kind] === engine) stopWorker(kind);
    throw error;
  }
  if (signal.aborted) throw new DOMException('Superseded', 'AbortError');
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const done = () => {
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onMessage = ({ data }) => {
      if (data.id !== id) return;
      done();
      if (data.error) reject(new Error(data.error));
      else resolve({ ...data, loadMs });
    };
    const onError = (event) => {
      event.preventDefault();
      done();
      if (engines[kind] === engine) stopWorker(kind);
      reject(new Error('The in-browser computation failed (out of memory?). Try fewer digits or the server.'));
    };
    const onAbort = () => {
      done();
      if (engines[kind] === engine) stopWorker(kind);
      reject(new DOMException('Superseded', 'AbortError'));
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
    worker.postMessage({ id, ...message });
  });
}

// Bytes of the in-browser mode's files: those the worker fetched, and the
// worker script, which the page fetched.
function downloadedBytes(workerDownloads) {
  const files = new Map();
  for (const entry of performance.getEntriesByType('resource')) {
    if (new URL(entry.name).pathname.startsWith('/browser/')) files.set(entry.name, entry.encodedBodySize);
  }
  for (const { url, bytes } of workerDownloads) files.set(url, bytes);
  return [...files.values()].reduce((sum, bytes) => sum + bytes, 0);
}

function formatBytes(bytes) {
  return bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function setDownload(href, n) {
  download.href = href;
  download.download = `pi-${n}-digits.txt`;
  download.textContent = `Download the ${number.format(n)} digits (.txt)`;
  download.hidden = false;
}

function selectedMode() {
  return form.elements.mode.value === 'browser' ? 'browser' : 'server';
}

async function show(n) {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const { signal } = controller;
  const fresh = () => current === controller;
  const mode = selectedMode();

  setBusy(true);
  showError('');
  modeNote.textContent = MODE_NOTES[mode];
  document.body.dataset.mode = mode;
  setStatus('loading', `Computing… ${number.format(n)} digits of π ${MODE_PLACES[mode]}`);
  history.replaceState(null, '', mode === 'browser' ? `?n=${n}&mode=browser` : `?n=${n}`);

  const shown = Math.min(n, TILE_LIMIT);
  $('histogram-n').textContent = number.format(n);
  $('tiles-n').textContent = number.format(shown);
  delete timing.dataset.ms;
  delete timing.dataset.downloadBytes;
  try {
    await (mode === 'browser' ? inBrowser : fromServer)(n, shown, signal, fresh);
    if (!fresh()) return;
    setStatus('ready', `Ready: ${number.format(n)} digits, computed ${MODE_PLACES[mode]}.`);
  } catch (error) {
    if (!fresh()) return; // superseded by a newer choice of N or mode
    controller.abort(); // drop the other request: show nothing half-done
    clearHistogram();
    tiles.replaceChildren();
    delete tiles.dataset.count;
    tilesSection.hidden = true;
    timing.textContent = '';
    download.hidden = true;
    showError(error.message);
    setStatus('error', 'Error: nothing to show for this N.');
  } finally {
    if (fresh()) setBusy(false);
  }
}

// The mode from the address (&mode=browser), else the server.
function initialMode() {
  if (new URLSearchParams(location.search).get('mode') === 'browser') {
    form.querySelector('input[value="browser"]').checked = true;
  }
}

// N from the address (?n=…) if it is a plain count, else the select's default.
function initialN() {
  const text = new URLSearchParams(location.search).get('n') ?? '';
  if (!/^\d{1,15}$/.test(text)) return Number(select.value);
  const n = Number(text);
  if (![...select.options].some((option) => Number(option.value) === n)) {
    select.append(new Option(number.format(n), String(n)));
  }
  select.value = String(n);
  return n;
}

// Where the digits typed occur: the first position, how often, and the
// digits around the first occurrence, from the server or the worker.
async function search(q) {
  currentSearch?.abort();
  const controller = new AbortController();
  currentSearch = controller;
  const { signal } = controller;
  const mode = selectedMode();
  searchResult.dataset.state = 'loading';
  searchResult.dataset.mode = mode;
  searchContext.hidden = true;
  searchSummary.textContent = `Searching the first ${number.format(SEARCH_DIGITS)} digits ${MODE_PLACES[mode]}…`;
  try {
    const found = mode === 'browser'
      ? await inWorker('search', { search: q, n: SEARCH_DIGITS }, signal)
      : (await getJson(`/api/search?q=${encodeURIComponent(q)}&n=${SEARCH_DIGITS}`, signal)).body;
    if (currentSearch !== controller) return;
    renderSearch(found, mode);
  } catch (error) {
    if (currentSearch !== controller) return; // superseded by a newer search
    searchResult.dataset.state = 'error';
    searchSummary.textContent = `Could not search for “${q}”: ${error.message}`;
  }
}

function renderSearch({ q, n, position, count, before, after }, mode) {
  const digits = `the first ${number.format(n)} digits of π`;
  if (position === null) {
    searchResult.dataset.state = 'not-found';
    searchSummary.textContent = `${q} is not among ${digits} (searched ${MODE_PLACES[mode]}).`;
    return;
  }
  const where = position === 0
    ? 'at position 0, the leading 3'
    : `at position ${number.format(position)}, the ${ordinal(position)} digit after the decimal point`;
  const times = count === 1 ? 'once' : `${number.format(count)} times`;
  searchResult.dataset.state = 'found';
  searchSummary.textContent = `${q} first appears ${where}; it occurs ${times} in ${digits} ` +
    `(searched ${MODE_PLACES[mode]}).`;
  // An ellipsis where the digits go on beyond those shown.
  const start = position - before.length;
  $('search-before').textContent = (start > 0 ? '…' : '') + before;
  $('search-match').textContent = q;
  $('search-after').textContent = after + (position + q.length + after.length < n ? '…' : '');
  searchContext.hidden = false;
}

function ordinal(k) {
  const suffix = { one: 'st', two: 'nd', few: 'rd', other: 'th' }[new Intl.PluralRules('en-US', { type: 'ordinal' }).select(k)];
  return `${number.format(k)}${suffix}`;
}

searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  search(searchInput.value.trim());
});
form.addEventListener('submit', (event) => event.preventDefault());
select.addEventListener('change', () => show(Number(select.value)));
form.addEventListener('change', (event) => {
  if (event.target.name === 'mode') show(Number(select.value));
});
clearHistogram();
initialMode();
show(initialN());
