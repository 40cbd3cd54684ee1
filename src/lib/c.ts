/**
 * Text from quirk files (titles, descriptions, references) in generated C: the one
 * escaper for comments, and the block comment kernel style wants.
 */
import { wrapWords } from './wrap.js';

const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * Text inside a C comment: no `*\/` to end it and no `/*` for -Wcomment (a space goes
 * between), no `??` trigraph, no control character to start a line.
 */
export function cComment(text: string): string {
  return text.replace(CONTROL, ' ').replace(/\*\//g, '* /').replace(/\/\*/g, '/ *').replace(/\?\?/g, '?\\?');
}

/** A C block comment of paragraphs wrapped at `width` columns, ` * ` before each line. */
export function blockComment(paragraphs: string[], width = 80): string[] {
  return ['/*', ...paragraphs.flatMap((p) => wrapWords(cComment(p), width, ' * ')), ' */'];
}
