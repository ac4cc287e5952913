/** A one-line terminal progress bar for long replays, drawn only on a TTY and at most ~10 Hz. */

/** Where the bar is drawn: anything with `write`, such as `process.stdout` or a CliIo stream. */
export interface ProgressStream {
  write(text: string): void;
  readonly isTTY?: boolean;
}

/** Options of `createProgressBar`. */
export interface ProgressBarOptions {
  /** Word after the counts; default `packets`. */
  readonly label?: string;
  /** Milliseconds between redraws, and before the first one; default 100. */
  readonly intervalMs?: number;
  /** Characters of the bar itself; default 30. */
  readonly width?: number;
  /** Milliseconds from some fixed point; default `performance.now`. */
  readonly now?: () => number;
}

/** A progress bar: feed it counts, then finish it to erase its line. */
export interface ProgressBar {
  /** Whether it draws at all (the stream is a TTY). */
  readonly active: boolean;
  /** Reports `done` of `total` (total undefined when unknown); redraws if the interval passed. */
  update(done: number, total: number | undefined): void;
  /** Erases the bar's line if it was drawn. */
  finish(): void;
}

/** Renders one frame of the bar (no carriage return): `[#####-----]  50% 5,000/10,000 packets`. */
export function renderProgressBar(
  done: number,
  total: number | undefined,
  width = 30,
  label = 'packets',
): string {
  const count = done.toLocaleString('en-US');
  if (total === undefined || total <= 0) return `${count} ${label}`;
  const fraction = Math.min(1, Math.max(0, done / total));
  const filled = Math.round(fraction * width);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent} ${count}/${total.toLocaleString('en-US')} ${label}`;
}

/**
 * A progress bar on `stream`, which does nothing unless `stream.isTTY`. The first frame appears
 * only after `intervalMs`, so short runs never show one.
 *
 * @example
 * const bar = createProgressBar(io.stdout);
 * replay(capture, run, { onProgress: (done, total) => bar.update(done, total) });
 * bar.finish();
 */
export function createProgressBar(
  stream: ProgressStream,
  options: ProgressBarOptions = {},
): ProgressBar {
  if (stream.isTTY !== true) return { active: false, update() {}, finish() {} };
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? 100;
  let last = now();
  let drawn = false;
  return {
    active: true,
    update(done, total) {
      const t = now();
      if (t - last < interval) return;
      last = t;
      drawn = true;
      stream.write(`\r\x1b[2K${renderProgressBar(done, total, options.width, options.label)}`);
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
