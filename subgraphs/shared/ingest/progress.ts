/**
 * Progress of an import: on a terminal, one line redrawn in place (bar, rows, rate, ETA); into a
 * file or a pipe, a plain line every few seconds, so logs stay readable.
 */
export interface Progress {
  start(file: string, total: number): void;
  advance(done: number): void;
  finish(): void;
}

export const silentProgress: Progress = { start() {}, advance() {}, finish() {} };

const WIDTH = 24;

function eta(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

export function streamProgress(
  stream: NodeJS.WriteStream,
  options: { tty?: boolean; everyMs?: number; now?: () => number } = {},
): Progress {
  const tty = options.tty ?? stream.isTTY === true;
  const everyMs = options.everyMs ?? (tty ? 100 : 5000);
  const now = options.now ?? Date.now;
  let file = "";
  let total = 0;
  let started = 0;
  let last = 0;
  let done = 0;
  const line = () => {
    const seconds = Math.max((now() - started) / 1000, 0.001);
    const rate = done / seconds;
    const fraction = total ? done / total : 1;
    const text = `${file}: ${done}/${total} rows (${Math.round(fraction * 100)}%), ${Math.round(rate)} rows/s, ETA ${eta((total - done) / rate)}`;
    if (!tty) return `${text}\n`;
    const filled = Math.round(fraction * WIDTH);
    return `\r[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${text}\u001b[K`;
  };
  return {
    start(name, rows) {
      file = name;
      total = rows;
      done = 0;
      started = last = now();
    },
    advance(rows) {
      done = rows;
      if (now() - last < everyMs) return;
      last = now();
      stream.write(line());
    },
    finish() {
      stream.write(tty ? `${line()}\n` : line());
    },
  };
}
