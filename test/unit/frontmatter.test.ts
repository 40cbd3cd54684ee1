import { describe, expect, it } from 'vitest';
import { joinFrontMatter, splitFrontMatter } from '../../src/lib/frontmatter.js';

describe('front matter', () => {
  it('splits YAML from the body and remembers where each starts', () => {
    const s = splitFrontMatter('---\na: 1\nb: 2\n---\n# Body\n');
    expect(s).toEqual({ yaml: 'a: 1\nb: 2\n', yamlLine: 2, body: '# Body\n', bodyLine: 5 });
  });

  it('accepts CRLF line ends and a BOM', () => {
    expect(splitFrontMatter('\ufeff---\r\na: 1\r\n---\r\nx')?.body).toBe('x');
  });

  it('finds no front matter when the file does not open with ---', () => {
    expect(splitFrontMatter('# Title\n---\na: 1\n---\n')).toBeNull();
    expect(splitFrontMatter('---\na: 1\n')).toBeNull();
  });

  it('joins back to the same text', () => {
    const text = '---\nid: x\n---\n\n## Symptom\n';
    const s = splitFrontMatter(text);
    expect(s && joinFrontMatter(s.yaml, s.body)).toBe(text);
  });
});
