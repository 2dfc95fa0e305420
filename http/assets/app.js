// The Pi Day page: asks the server (the pi:digits component behind the HTTP
// component) for the histogram of the first N digits and for the first few
// thousand digits, and draws both. Vanilla ES module, no build step.

const TILE_LIMIT = 2000; // the grid shows at most this many digits
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

let current = null; // the AbortController of the request in flight

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

async function show(n) {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const { signal } = controller;
  const fresh = () => current === controller;

  setBusy(true);
  showError('');
  setStatus('loading', `Computing… ${number.format(n)} digits of π`);
  history.replaceState(null, '', `?n=${n}`);

  const shown = Math.min(n, TILE_LIMIT);
  $('histogram-n').textContent = number.format(n);
  $('tiles-n').textContent = number.format(shown);
  try {
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
    timing.textContent = `Server round trip: histogram of ${number.format(n)} digits ${formatMs(hist.ms)}, ` +
      `first ${number.format(shown)} digits ${formatMs(head.ms)}.`;
    setStatus('ready', `Ready: ${number.format(n)} digits.`);
  } catch (error) {
    if (!fresh()) return; // superseded by a newer choice of N
    controller.abort(); // drop the other request: show nothing half-done
    clearHistogram();
    tiles.replaceChildren();
    delete tiles.dataset.count;
    tilesSection.hidden = true;
    timing.textContent = '';
    showError(error.message);
    setStatus('error', 'Error: nothing to show for this N.');
  } finally {
    if (fresh()) setBusy(false);
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

$('controls').addEventListener('submit', (event) => event.preventDefault());
select.addEventListener('change', () => show(Number(select.value)));
clearHistogram();
show(initialN());
