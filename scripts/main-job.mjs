#!/usr/bin/env node
// `npm start`: the main job on the bundled workspace (this repository): check the curated
// database, list it, regenerate QUIRKS.md, generate the workaround (DKMS module source and
// the no-module sleep hook) into build/, and look for matching devices on this machine.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

const steps = [
  ['validate the curated quirk database', ['validate']],
  ['list it', ['list']],
  ['write QUIRKS.md from it', ['docs']],
  ['generate the DKMS module source and the sleep hook for it', ['dkms', '--all', '--format', 'src,hook', '--no-build', '--out', 'build/quirkctl-workarounds']],
  ["match it against this machine's PCI devices", ['scan']],
];

for (const [what, args] of steps) {
  process.stdout.write(`\n== quirkctl ${args.join(' ')}   (${what})\n`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`quirkctl ${args.join(' ')} failed with exit status ${r.status}\n`);
    process.exit(r.status ?? 1);
  }
}
