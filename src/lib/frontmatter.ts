/**
 * Markdown files with YAML front matter, as Jekyll, Hugo and remark-frontmatter read them:
 * a `---` line, YAML, a `---` line, then the Markdown body.
 */
export interface FrontMatterSplit {
  yaml: string;
  /** File line (1-based) of the first YAML line, for error messages. */
  yamlLine: number;
  body: string;
  bodyLine: number;
}

const FENCE = /^---[ \t]*$/;

/** Splits the text; null when it does not start with a front matter block. */
export function splitFrontMatter(text: string): FrontMatterSplit | null {
  const src = text.startsWith('\ufeff') ? text.slice(1) : text;
  const lines = src.split('\n');
  if (!FENCE.test((lines[0] ?? '').replace(/\r$/, ''))) return null;
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    if (FENCE.test(line) || line === '...') {
      return {
        yaml: lines.slice(1, i).join('\n') + (i > 1 ? '\n' : ''),
        yamlLine: 2,
        body: lines.slice(i + 1).join('\n'),
        bodyLine: i + 2,
      };
    }
  }
  return null;
}

export function joinFrontMatter(yaml: string, body: string): string {
  const y = yaml.endsWith('\n') ? yaml : `${yaml}\n`;
  return `---\n${y}---\n${body}`;
}
