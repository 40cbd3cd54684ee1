/** The cover letter of a series that was posted, as the series file keeps it. Pure. */

/**
 * The cover letter's own words: without the shortlog and diffstat git format-patch
 * generated under them (they are made again when the series is formatted) and without
 * a trailing git-version signature. b4's change-id and base-commit are read out.
 */
export function coverText(body: string): { text: string; changeId?: string; baseCommit?: string } {
  const lines = body.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    // "Author Name (3):" then indented subjects, a blank line, the diffstat.
    if (/^\S.* \(\d+\):$/.test(line) && /^ {2}\S/.test(lines[i + 1] ?? '')) {
      let j = i + 1;
      while (j < lines.length && !/^ \d+ files? changed/.test(lines[j] as string)) j++;
      if (j < lines.length) {
        i = j;
        continue;
      }
    }
    out.push(line);
  }
  let text = out.join('\n');
  text = text.replace(/\n-- \n\d+\.\d+[\w.-]*\n*$/, '\n');
  const changeId = /^change-id: (\S+)$/m.exec(text)?.[1];
  const baseCommit = /^base-commit: ([0-9a-f]{40})$/m.exec(text)?.[1];
  const result: { text: string; changeId?: string; baseCommit?: string } = { text: `${text.replace(/\n{3,}/g, '\n\n').trim()}\n` };
  if (changeId) result.changeId = changeId;
  if (baseCommit) result.baseCommit = baseCommit;
  return result;
}
