/**
 * Word wrapping for commit messages (75 columns, as submitting-patches.rst asks) and C
 * block comments (80 columns with the ` * ` prefix). A word longer than the line, a URL
 * say, gets a line of its own instead of being broken.
 */
export function wrapWords(text: string, width: number, firstPrefix = '', restPrefix = firstPrefix): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const out: string[] = [];
  let line = firstPrefix;
  let empty = true;
  for (const w of words) {
    if (!empty && line.length + 1 + w.length > width) {
      out.push(line);
      line = restPrefix;
      empty = true;
    }
    line += (empty ? '' : ' ') + w;
    empty = false;
  }
  if (!empty) out.push(line);
  return out;
}
