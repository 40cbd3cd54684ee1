import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { setValue } from '../../src/lib/fmdoc.js';
import { newChangeId } from '../../src/series/model.js';
import { readSeries, updateSeries } from '../../src/series/store.js';
import { workspaceAt } from '../../src/workspace/workspace.js';
import { tempDir } from '../helpers/cli.js';

const text = `---
subject: "PCI: Mark AMD Polaris 10 GPUs to avoid bus reset" # the cover's subject
change-id: 20261121-polaris-3f2a9c1b7e40
revision: 1
prefixes: [ PATCH ]
to: [ Bjorn Helgaas <bhelgaas@google.com> ]
cc: [ linux-pci@vger.kernel.org ]
patches:
  - 0001-PCI-Mark-AMD-Polaris-10-GPUs-to-avoid-bus-reset.patch
state: drafted
---
Cover letter.
`;

function workspace() {
  const root = tempDir();
  writeFileSync(path.join(root, 'quirkctl.yaml'), 'version: 1\n');
  mkdirSync(path.join(root, 'series'));
  return workspaceAt(root, { version: 1 });
}

describe('series store', () => {
  it('makes change-ids in b4 form', () => {
    expect(newChangeId('polaris-no-bus-reset', new Date('2026-11-21T10:00:00Z'))).toMatch(/^20261121-polaris-no-bus-reset-[0-9a-f]{12}$/);
  });

  it('reads a series and reports problems by line', () => {
    const ws = workspace();
    writeFileSync(path.join(ws.seriesDir, 'polaris.md'), text);
    expect(readSeries(ws, 'polaris').data).toMatchObject({ revision: 1, state: 'drafted', to: ['Bjorn Helgaas <bhelgaas@google.com>'] });
    writeFileSync(path.join(ws.seriesDir, 'bad.md'), text.replace('linux-pci@vger.kernel.org', 'a@b@c').replace('change-id: 20261121-polaris-3f2a9c1b7e40', 'change-id: nope'));
    expect(() => readSeries(ws, 'bad')).toThrow(/series\/bad\.md:3: change-id: expected b4's change-id form[^]*series\/bad\.md:7: cc\[0\]: expected one mail address/);
    expect(() => readSeries(ws, '../x')).toThrow(/series '\.\.\/x': expected a slug/);
    expect(() => readSeries(ws, 'missing')).toThrow(/no series\/missing\.md/);
  });

  it('updates under the lock, keeping comments', async () => {
    const ws = workspace();
    writeFileSync(path.join(ws.seriesDir, 'polaris.md'), text);
    await updateSeries(ws, 'polaris', (doc) => {
      setValue(doc, ['state'], 'sent');
      setValue(doc, ['history'], [{ revision: 1, date: '2026-11-21T10:00:00Z', patches: ['20261121-polaris-v1-1-3f2a9c1b7e40@example.org'], source: 'sent' }]);
    });
    const after = readFileSync(path.join(ws.seriesDir, 'polaris.md'), 'utf8');
    expect(after).toContain('# the cover\'s subject');
    expect(after).toContain('state: sent\n');
    expect(readSeries(ws, 'polaris').data.history?.[0]?.patches).toEqual(['20261121-polaris-v1-1-3f2a9c1b7e40@example.org']);
  });
});
