/** series new / show / edit / reroll, run as a user runs them. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, freshWorkspace, REPO, tempDir, treeHash } from '../helpers/cli.js';

function workspaceWithQuirk(): string {
  const ws = freshWorkspace();
  writeFileSync(path.join(ws, 'quirks', 'amd-polaris-no-bus-reset.md'), readFileSync(path.join(REPO, 'quirks', 'amd-polaris-no-bus-reset.md')));
  return ws;
}

/** An $EDITOR that runs a sed script on the file it is given. */
function sedEditor(script: string): string {
  const dir = tempDir('quirkctl-editor-');
  const file = path.join(dir, 'edit.sed');
  writeFileSync(file, script);
  return `sed -i -f ${file}`;
}

describe('series new', () => {
  it('drafts a series from a quirk: its title as subject, its text in an EDITME cover letter', () => {
    const ws = workspaceWithQuirk();
    const r = cli(['series', 'new', 'polaris', '--from-quirk', '1002:67df', '--to', 'Bjorn Helgaas <bhelgaas@google.com>', '--cc', 'linux-pci@vger.kernel.org'], { cwd: ws });
    expect(r).toMatchObject({ code: 0, stdout: 'created series/polaris.md\n' });
    const text = readFileSync(path.join(ws, 'series', 'polaris.md'), 'utf8');
    expect(text).toMatch(/^---\n# Patch series: .*\n\nsubject: AMD Polaris 10 GPU stops responding after a secondary bus reset\nchange-id: \d{8}-polaris-[0-9a-f]{12}\nrevision: 1\nprefixes: \[ PATCH \]\n/);
    expect(text).toContain('to: [ Bjorn Helgaas <bhelgaas@google.com> ]\ncc: [ linux-pci@vger.kernel.org ]\nquirk: amd-polaris-no-bus-reset\npatches: []\nstate: drafted\n---\n\nEDITME: drafted from quirks/amd-polaris-no-bus-reset.md.');
    expect(text).toContain('## Symptom\n');
    expect(text).toMatch(/\n\nReferences:\n(- https:\S+\n)*- https:\/\/gist\.github\.com\/shatsky\/2c8959eb3b9d2528ee8a7b9f58467aa0\n/);
    const list = JSON.parse(cli(['series', 'list', '--json'], { cwd: ws }).stdout) as { slug: string; state: string }[];
    expect(list).toMatchObject([{ slug: 'polaris', state: 'drafted' }]);
  });

  it('makes a blank series with EDITME subject and cover, and the prefixes asked for', () => {
    const ws = freshWorkspace();
    expect(cli(['series', 'new', 'metis', '--prefix', 'RFC', '--prefix', 'PATCH'], { cwd: ws }).code).toBe(0);
    const show = JSON.parse(cli(['series', 'show', 'metis', '--json'], { cwd: ws }).stdout) as { subject: string; prefixes: string[]; coverText: string };
    expect(show.subject).toMatch(/^EDITME/);
    expect(show.prefixes).toEqual(['RFC', 'PATCH']);
    expect(show.coverText).toMatch(/^EDITME: say what this series does and why/);
  });

  it('refuses bad input with exit 2 and writes nothing', () => {
    const ws = workspaceWithQuirk();
    expect(cli(['series', 'new', 'taken'], { cwd: ws }).code).toBe(0);
    const before = treeHash(ws, ['.quirkctl']);
    const cases: [string[], RegExp][] = [
      [['series', 'new', 'taken'], /series 'taken' exists already \(series\/taken\.md\)/],
      [['series', 'new', '../escape'], /series '\.\.\/escape': expected a slug/],
      [['series', 'new', 'x', '--to', 'a@example.org\r\nBcc: b@example.org'], /--to .*line break/],
      [['series', 'new', 'x', '--cc', 'one@example.org, two@example.org'], /--cc .*not a single address/],
      [['series', 'new', 'x', '--prefix', 'RFC PATCH'], /--prefix "RFC PATCH": expected a prefix word/],
      [['series', 'new', 'x', '--subject', 'two\nlines'], /--subject .*expected one line of text/],
      [['series', 'new', 'x', '--from-quirk', 'no-such-quirk'], /quirk 'no-such-quirk': no quirk with that id/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args, { cwd: ws });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(treeHash(ws, ['.quirkctl'])).toBe(before);
  });
});

describe('series edit', () => {
  it('takes the edited file back when it validates', () => {
    const ws = workspaceWithQuirk();
    cli(['series', 'new', 'polaris', '--from-quirk', 'amd-polaris-no-bus-reset'], { cwd: ws });
    const r = cli(['series', 'edit', 'polaris'], { cwd: ws, env: { EDITOR: sedEditor('/^EDITME/,/^$/d\ns/^subject: .*/subject: "PCI: Avoid bus reset for AMD Polaris GPUs"/\n') } });
    expect(r).toMatchObject({ code: 0, stdout: 'updated series/polaris.md\n' });
    const show = cli(['series', 'show', 'polaris'], { cwd: ws }).stdout;
    expect(show).toContain('series/polaris.md: PCI: Avoid bus reset for AMD Polaris GPUs\n');
    expect(show).not.toContain('EDITME');
    expect(existsSync(path.join(ws, '.quirkctl', 'edit', 'polaris.md'))).toBe(false);
    expect(cli(['series', 'edit', 'polaris'], { cwd: ws, env: { EDITOR: 'true' } })).toMatchObject({ code: 0, stdout: 'series/polaris.md unchanged\n' });
  });

  it('keeps an edit that does not validate, leaves the file alone, and opens the edit again next time', () => {
    const ws = freshWorkspace();
    cli(['series', 'new', 'metis'], { cwd: ws });
    const file = path.join(ws, 'series', 'metis.md');
    const before = readFileSync(file, 'utf8');
    const bad = cli(['series', 'edit', 'metis'], { cwd: ws, env: { EDITOR: sedEditor('s/^revision: 1$/revision: zero/\n') } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/series\/metis\.md:\d+: revision: expected the revision number/);
    expect(bad.stderr).toContain("your edit is kept in .quirkctl/edit/metis.md; 'quirkctl series edit metis' opens it again");
    expect(readFileSync(file, 'utf8')).toBe(before);
    const fixed = cli(['series', 'edit', 'metis'], { cwd: ws, env: { EDITOR: sedEditor('s/^revision: zero$/revision: 1/\ns/^subject: .*/subject: Fixed/\n') } });
    expect(fixed).toMatchObject({ code: 0, stdout: 'updated series/metis.md\n' });
    expect(readFileSync(file, 'utf8')).toContain('subject: Fixed\n');
    expect(cli(['series', 'edit', 'metis'], { cwd: ws, env: { EDITOR: 'false' } }).code).toBe(1);
  });
});

describe('series reroll', () => {
  it('refuses a revision that was not posted, and moves a posted one on with a changelog stub linking it on lore', () => {
    const ws = freshWorkspace();
    cli(['series', 'new', 'metis', '--subject', 'PCI: Rebind Metis across suspend'], { cwd: ws });
    const file = path.join(ws, 'series', 'metis.md');
    const notPosted = cli(['series', 'reroll', 'metis'], { cwd: ws });
    expect(notPosted.code).toBe(2);
    expect(notPosted.stderr).toContain("series 'metis' is at v1, which has not been posted");
    // as 'series import' records a posting found on the list
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('state: drafted\n', 'state: sent\nhistory:\n  - { revision: 1, date: 2026-11-21T10:00:00Z, cover: 20261121-metis-v1-0-0123456789ab@example.org, patches: [ 20261121-metis-v1-1-0123456789ab@example.org ], source: imported }\n'),
    );
    const r = cli(['series', 'reroll', 'metis'], { cwd: ws });
    expect(r).toMatchObject({ code: 0, stdout: 'series/metis.md: v1 -> v2; describe the changes under "Changes in v2:"\n' });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('revision: 2\n');
    expect(text).toMatch(/\nChanges in v2:\n- EDITME: what changed since v1\n- Link to v1: https:\/\/lore\.kernel\.org\/all\/20261121-metis-v1-0-0123456789ab@example\.org\/\n$/);
    const again = cli(['series', 'reroll', 'metis'], { cwd: ws });
    expect(again.code).toBe(2);
    const show = cli(['series', 'show', 'metis'], { cwd: ws }).stdout;
    expect(show).toContain('  posted:\n    v1  https://lore.kernel.org/all/20261121-metis-v1-0-0123456789ab@example.org/\n');
  });
});
