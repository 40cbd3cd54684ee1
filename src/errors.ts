/** Exit codes shared by every command: 0 ok, 1 findings, 2 usage or input errors. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/**
 * Bad input from the user: an argument, an option, a file or a field.
 * The message names what was wrong and what was expected; the CLI exits 2.
 */
export class InputError extends Error {
  override name = 'InputError';
  constructor(message: string) {
    super(message);
  }
}

/** One problem found in a file, located for `file:line: field: message` output. */
export interface Problem {
  file: string;
  line: number;
  field: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** Input that failed validation, with every problem found, not just the first. */
export class ValidationError extends InputError {
  override name = 'ValidationError';
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}
