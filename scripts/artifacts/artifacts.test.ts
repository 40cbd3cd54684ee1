/**
 * `ARTIFACTS=DIR npm run artifacts`: the first run records every generated artifact in
 * DIR; each later run generates them again and fails on any byte that differs, listing
 * the files (`diff -r` shows how). For refactors that must not change output.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.js';
import { generateArtifacts } from './generate.js';

const ref = process.env.ARTIFACTS;

it.skipIf(!ref)('generated artifacts are byte-identical to the recorded ones (set ARTIFACTS=DIR)', async () => {
  const dir = path.resolve(ref as string);
  if (!existsSync(dir)) {
    await generateArtifacts(dir);
    return;
  }
  const now = path.join(tempDir('quirkctl-artifacts-'), 'now');
  await generateArtifacts(now);
  let diff = '';
  try {
    execFileSync('diff', ['-rq', dir, now], { encoding: 'utf8' });
  } catch (e) {
    diff = (e as { stdout: string }).stdout;
    execFileSync('cp', ['-a', now, `${dir}.now`]);
  }
  expect(diff, `differences (the new files are in ${dir}.now)`).toBe('');
});
