// WASI 0.2 for the pi component in a browser worker: the cli and io
// interfaces its transpiled module (pi_digits.js) imports. Rust's std links
// them in; the pi code calls none of them unless it panics, when it writes
// the message to stderr (here: the console) and exits. There are no files,
// clocks, sockets or arguments to offer, and the answers say so.
//
// jco's preview2-shim implements the same in full; this module stands in
// for it so the server serves the in-browser mode without an npm build.

const closed = { tag: 'closed' }; // the stream-error a closed stream throws

class Pollable {
  ready() {
    return true;
  }
  block() {}
}

class IoError {
  constructor(message) {
    this.message = message;
  }
  toDebugString() {
    return this.message;
  }
}

class InputStream {
  read() {
    throw closed;
  }
  blockingRead() {
    throw closed;
  }
  skip() {
    throw closed;
  }
  blockingSkip() {
    throw closed;
  }
  subscribe() {
    return new Pollable();
  }
}

// Writes whole lines to `log` (console.log or console.error).
class OutputStream {
  #decoder = new TextDecoder();
  #pending = '';
  #log;

  constructor(log) {
    this.#log = log;
  }
  checkWrite() {
    return 1n << 20n;
  }
  write(bytes) {
    this.#pending += this.#decoder.decode(bytes, { stream: true });
    const lines = this.#pending.split('\n');
    this.#pending = lines.pop();
    for (const line of lines) this.#log(line);
  }
  blockingWriteAndFlush(bytes) {
    this.write(bytes);
    this.flush();
  }
  flush() {
    this.#pending += this.#decoder.decode();
    if (this.#pending) this.#log(this.#pending);
    this.#pending = '';
  }
  blockingFlush() {
    this.flush();
  }
  subscribe() {
    return new Pollable();
  }
}

class TerminalInput {}
class TerminalOutput {}

const stdinStream = new InputStream();
const stdoutStream = new OutputStream((line) => console.log(line));
const stderrStream = new OutputStream((line) => console.error(line));

export const environment = {
  getEnvironment: () => [],
  getArguments: () => [],
  initialCwd: () => undefined,
};

export const exit = {
  exit(status) {
    throw new Error(`the pi component exited (${status.tag === 'err' ? 'with an error' : 'successfully'})`);
  },
};

export const stdin = { getStdin: () => stdinStream };
export const stdout = { getStdout: () => stdoutStream };
export const stderr = { getStderr: () => stderrStream };

// Not a terminal: every terminal getter answers `none`.
export const terminalInput = { TerminalInput };
export const terminalOutput = { TerminalOutput };
export const terminalStdin = { getTerminalStdin: () => undefined };
export const terminalStdout = { getTerminalStdout: () => undefined };
export const terminalStderr = { getTerminalStderr: () => undefined };

export const error = { Error: IoError };
export const poll = {
  Pollable,
  poll: (pollables) => Uint32Array.from(pollables, (_, index) => index),
};
export const streams = { InputStream, OutputStream };
