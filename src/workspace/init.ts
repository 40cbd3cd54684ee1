import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { writeAtomic } from './fs.js';
import { CONFIG_FILE, DEFAULT_PCI_IDS } from './workspace.js';

export const WORKSPACE_DIRS = ['quirks', 'series', 'patches', 'templates'] as const;

function configText(): string {
  return `# quirkctl workspace. Paths are relative to this file.
version: 1

# pci.ids files that name devices, first match wins. A newer copy (update-pciids)
# can go first when the system's predates your device.
pci-ids:
${DEFAULT_PCI_IDS.map((p) => `  - ${p}`).join('\n')}
`;
}

/** Creates a workspace in `dir`; refuses to overwrite an existing one. Returns what it made. */
export async function initWorkspace(dir: string): Promise<string[]> {
  const root = path.resolve(dir);
  const config = path.join(root, CONFIG_FILE);
  if (existsSync(config)) throw new InputError(`${config} already exists; this is a workspace already`);
  const made: string[] = [];
  for (const d of WORKSPACE_DIRS) {
    const p = path.join(root, d);
    if (!existsSync(p)) {
      await mkdir(p, { recursive: true });
      made.push(`${d}/`);
    }
  }
  const ignore = path.join(root, '.gitignore');
  const ignored = existsSync(ignore) ? await readFile(ignore, 'utf8') : '';
  if (!ignored.split('\n').includes('.quirkctl/')) {
    await writeAtomic(ignore, `${ignored}${ignored && !ignored.endsWith('\n') ? '\n' : ''}.quirkctl/\n`);
    made.push('.gitignore');
  }
  // The config goes last: a workspace is only found once it is complete.
  await writeAtomic(config, configText());
  made.push(CONFIG_FILE);
  return made;
}
