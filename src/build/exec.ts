/**
 * Running runner commands: into a log file for builds (long, loud, read when they
 * fail), or captured for probes and short queries.
 */
import { lastLines } from '../lib/format.js';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { showCommand, type Command } from './runners.js';

export interface Captured {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Set when the program is not there. */
  missing?: boolean;
}

/** The runner's own environment (podman wants XDG_RUNTIME_DIR and the like) plus the command's. */
function env(c: Command): { env: Record<string, string> } {
  return { env: { LC_ALL: 'C', ...c.env } };
}

export async function runCaptured(c: Command, opts: { timeoutMs?: number; input?: string | Buffer } = {}): Promise<Captured> {
  try {
    const r = await execa(c.file, c.args, {
      ...env(c),
      ...(c.cwd ? { cwd: c.cwd } : {}),
      reject: false,
      ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
      ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
    });
    const missing = (r as { code?: string }).code === 'ENOENT';
    return { exitCode: r.exitCode ?? (r.timedOut ? 124 : 1), stdout: String(r.stdout), stderr: r.timedOut ? `timed out after ${opts.timeoutMs} ms` : String(r.stderr), ...(missing ? { missing } : {}) };
  } catch (e) {
    return { exitCode: 127, stdout: '', stderr: (e as Error).message, missing: true };
  }
}

/** Appends a line (or lines) to a log, making its directory. */
export function logLine(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
}

/** Runs `c` with stdout and stderr appended to `log` after a `$ command` line; returns the exit status. */
export async function runLogged(c: Command, log: string): Promise<number> {
  logLine(log, `$ ${showCommand(c)}`);
  const r = await execa(c.file, c.args, {
    ...env(c),
    ...(c.cwd ? { cwd: c.cwd } : {}),
    reject: false,
    stdin: 'ignore',
    stdout: { file: log, append: true },
    stderr: { file: log, append: true },
  });
  if ((r as { code?: string }).code === 'ENOENT') {
    logLine(log, `${c.file}: not found`);
    return 127;
  }
  const code = r.exitCode ?? 1;
  logLine(log, `[exit ${code}${r.signal ? `, ${r.signal}` : ''}]`);
  return code;
}

/**
 * The line of a tool's output that says why it failed: the last one matching `pattern`
 * (apt's `E:`, an engine's `Error:`), else the last line that is not quirkctl's own.
 */
export function whyLine(text: string, pattern = /^(E: |Error|error|docker: |bwrap: )/): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^\[exit \d+/.test(l) && !l.startsWith('$ '));
  return [...lines].reverse().find((l) => pattern.test(l)) ?? lines.pop() ?? '';
}

/** The last `n` lines of a log, for error messages. */
export function tailOf(file: string, n = 12): string {
  try {
    return lastLines(readFileSync(file, 'utf8'), n);
  } catch {
    return '';
  }
}
