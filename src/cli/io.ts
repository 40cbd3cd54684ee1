/** What every command shares: finding the workspace, printing tables and JSON. */
import type { Command } from 'commander';
import type { Workspace } from '../workspace/workspace.js';

export interface GlobalOptions {
  workspace?: string;
}

export async function workspaceOf(cmd: Command): Promise<Workspace> {
  const { workspace } = cmd.optsWithGlobals<GlobalOptions>();
  const { openWorkspace } = await import('../workspace/workspace.js');
  return openWorkspace(workspace === undefined ? {} : { workspace });
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Columns separated by two spaces, no borders or colours, so output pastes into mail and
 * greps well. Hand-written: the table libraries measure every cell for ANSI codes and
 * wide characters, which cost more than the whole of `list` on a large database.
 */
export function formatTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return `${[head, ...rows].map(line).join('\n')}\n`;
}

export function printTable(head: string[], rows: string[][]): void {
  process.stdout.write(formatTable(head, rows));
}

/** Collects a repeatable option into a list (`--ref A --ref B`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
