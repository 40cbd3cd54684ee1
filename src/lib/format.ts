/** Small text forms used across the tool. */

/** The last `n` lines of a text, for error messages built from a tool's output. */
export function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

/** An instant as the workspace's files write it: ISO 8601 UTC to the second (2026-11-21T10:00:00Z). */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}
