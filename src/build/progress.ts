/**
 * What the user watches while the matrix runs, on stderr: on a terminal, one line per
 * target (per kernel, once known) redrawn in place with its state and clock; elsewhere
 * (CI logs, pipes) one plain line per change, which reads well afterwards.
 */
import { createLogUpdate } from 'log-update';

export type Status = 'queued' | 'preparing' | 'building' | 'passed' | 'failed' | 'skipped' | 'error';

export const FINAL: readonly Status[] = ['passed', 'failed', 'skipped', 'error'];

export interface Row {
  /** Stable: the target name, then target/kernel once kernels are known. */
  id: string;
  target: string;
  kernel?: string;
  status: Status;
  /** What is going on, or why it ended so. */
  note?: string;
  /** ms since the epoch, when work on the row began; cleared never. */
  started?: number;
  /** When the row reached a final status. */
  ended?: number;
}

export interface View {
  /** Adds or replaces a row; a new row goes after `after` (else at the end). */
  update(row: Row, after?: string): void;
  /** Takes a row out (a target that turned out to have no wanted kernel). */
  remove(id: string): void;
  note(text: string): void;
  close(): void;
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

export function elapsed(row: Row, now: number): string {
  return row.started === undefined ? '' : formatSeconds((row.ended ?? now) - row.started);
}

/** The lines of the live view: target, kernel, state, clock, note; columns aligned. */
export function renderRows(rows: Row[], now: number, width = 200): string {
  const cells = rows.map((r) => [r.target, r.kernel ?? '-', r.status, elapsed(r, now), r.note ?? '']);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...cells.map((c) => (c[i] as string).length)));
  return cells
    .map((c) => {
      const line = c.map((x, i) => (i < 4 ? x.padEnd(widths[i] ?? 0) : x)).join('  ').trimEnd();
      return line.length > width ? `${line.slice(0, width - 1).trimEnd()}…` : line;
    })
    .join('\n');
}

/** The line a change makes in the plain view. */
export function eventLine(row: Row, now: number): string {
  const what = `${row.target}${row.kernel ? ` ${row.kernel}` : ''}`;
  const time = FINAL.includes(row.status) ? ` (${elapsed(row, now)})` : '';
  return `${what}: ${row.status}${time}${row.note ? `: ${row.note}` : ''}`;
}

class RowList {
  rows: Row[] = [];
  put(row: Row, after?: string): Row | undefined {
    const i = this.rows.findIndex((r) => r.id === row.id);
    const old = i >= 0 ? this.rows[i] : undefined;
    if (i >= 0) this.rows[i] = row;
    else {
      const j = after === undefined ? -1 : this.rows.findIndex((r) => r.id === after);
      this.rows.splice(j >= 0 ? j + 1 : this.rows.length, 0, row);
    }
    return old;
  }
  remove(id: string): void {
    this.rows = this.rows.filter((r) => r.id !== id);
  }
}

export function plainView(write: (text: string) => void, now: () => number = Date.now): View {
  const list = new RowList();
  return {
    update(row, after) {
      const old = list.put(row, after);
      if (old?.status !== row.status || old.note !== row.note) write(`${eventLine(row, now())}\n`);
    },
    remove: (id) => list.remove(id),
    note: (text) => write(`${text}\n`),
    close() {},
  };
}

export function liveView(stream: NodeJS.WriteStream): View {
  const list = new RowList();
  const draw = createLogUpdate(stream, { showCursor: true });
  const render = () => draw(renderRows(list.rows, Date.now(), stream.columns || 200));
  // The clocks move once a second; unref'd so that a finished run does not wait for it.
  const timer = setInterval(render, 1000);
  timer.unref();
  return {
    update(row, after) {
      list.put(row, after);
      render();
    },
    remove(id) {
      list.remove(id);
      render();
    },
    note(text) {
      draw.clear();
      stream.write(`${text}\n`);
      render();
    },
    close() {
      clearInterval(timer);
      render();
      draw.done();
    },
  };
}
