/**
 * The emulated device's driver, taken from the kernel's own module tree: modules.dep
 * gives the dependencies, and each file is decompressed (.ko.xz, .ko.zst, .ko.gz) so
 * that busybox's insmod can load it in the guest.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';

/** A module's name as the kernel knows it: the file name without .ko[.xz|.zst|.gz], '-' read as '_'. */
export function moduleName(file: string): string {
  return path.basename(file).replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

/** modules.dep: each module's path (relative to the tree) and the paths it depends on. */
export function parseModulesDep(text: string): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    deps.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim().split(/\s+/).filter(Boolean));
  }
  return deps;
}

/**
 * The files to insmod, dependencies before what needs them, for modules named `names`.
 * Throws naming a module that the tree does not have.
 */
export function loadOrder(deps: Map<string, string[]>, names: string[], where: string): string[] {
  const byName = new Map([...deps.keys()].map((p) => [moduleName(p), p]));
  const order: string[] = [];
  const visit = (file: string, chain: string[]) => {
    if (order.includes(file) || chain.includes(file)) return;
    const own = deps.get(file);
    if (own === undefined) throw new Error(`${where}/modules.dep lists ${file} as a dependency but not as a module`);
    for (const d of own) visit(d, [...chain, file]);
    order.push(file);
  };
  for (const name of names) {
    const file = byName.get(name.replace(/-/g, '_'));
    if (file === undefined) throw new Error(`${where} has no module ${name} (not in modules.dep); the kernel may have it built in or not at all`);
    visit(file, []);
  }
  return order;
}

/** The module file as insmod takes it: uncompressed ELF. */
export async function readModule(file: string): Promise<Buffer> {
  if (file.endsWith('.gz')) return gunzipSync(await readFile(file));
  const tool = file.endsWith('.xz') ? 'xz' : file.endsWith('.zst') ? 'zstd' : undefined;
  if (tool === undefined) return readFile(file);
  const r = await execa(tool, ['-dc', file], { encoding: 'buffer', reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`${tool} -dc ${file} failed: ${Buffer.from(r.stderr).toString().trim() || `exit ${r.exitCode}`} (${tool === 'xz' ? 'xz-utils' : 'zstd'} installed?)`);
  return Buffer.from(r.stdout);
}

/** The release a module was built for: the first word of its vermagic. */
export function vermagicRelease(ko: Buffer): string | null {
  const at = ko.indexOf('vermagic=');
  if (at < 0) return null;
  const end = ko.indexOf(0, at);
  return ko.toString('latin1', at + 'vermagic='.length, end < 0 ? undefined : end).split(' ')[0] || null;
}
