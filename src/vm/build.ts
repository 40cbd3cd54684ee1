/**
 * The guest's pieces, made on the host: the module built with kbuild against the
 * kernel's headers, and an initramfs of busybox, the device's driver from the kernel's
 * own modules, the module and the generated /init.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { OutFile } from '../dkms/render.js';
import type { KernelChoice } from './kernel.js';
import { loadOrder, moduleName, parseModulesDep, readModule, vermagicRelease } from './modules.js';

export interface ModuleBuild {
  ok: boolean;
  ko?: string;
  /** The make command line, for the report. */
  command: string;
  /** Compiler and kbuild warnings; the module must build without any. */
  warnings: string[];
  /** The end of make's output when it failed. */
  output: string;
}

/** `make -C <headers> M=<dir> modules`, as dkms runs it. */
export async function buildModule(files: OutFile[], module: string, dir: string, kernel: KernelChoice): Promise<ModuleBuild> {
  await mkdir(dir, { recursive: true });
  for (const f of files) await writeFile(path.join(dir, f.path), f.content, { mode: f.mode });
  const args = ['-C', kernel.headersDir, `M=${dir}`, 'modules'];
  const command = `make ${args.join(' ')}`;
  const r = await execa('make', args, { env: { LC_ALL: 'C' }, reject: false, all: true, stdin: 'ignore' });
  const output = r.all ?? '';
  const warnings = output.split('\n').filter((l) => /\bwarning\b/i.test(l));
  const ko = path.join(dir, `${module}.ko`);
  if (r.exitCode !== 0) return { ok: false, command, warnings, output: output.trimEnd().split('\n').slice(-30).join('\n') };
  return { ok: warnings.length === 0, ko, command, warnings, output: '' };
}

/** The driver modules to load for a device, dependencies first, as paths in the kernel's module tree. */
export async function driverModules(kernel: KernelChoice, names: string[]): Promise<string[]> {
  const deps = parseModulesDep(await readFile(path.join(kernel.modulesDir, 'modules.dep'), 'utf8'));
  return loadOrder(deps, names, kernel.modulesDir);
}

/** The name a driver module has in the guest's /lib/modules: uncompressed, no subdirectory. */
export function guestModuleFile(rel: string): string {
  return `${moduleName(rel)}.ko`;
}

export interface InitramfsInput {
  /** Staging directory, made here. */
  dir: string;
  out: string;
  busybox: string;
  init: string;
  kernel: KernelChoice;
  /** From driverModules(). */
  drivers: string[];
  /** The built module under test. */
  ko: string;
}

/**
 * Writes the initramfs as an uncompressed newc cpio: the kernel unpacks it as it is, and
 * under TCG that is faster than decompressing.
 */
export async function buildInitramfs(input: InitramfsInput): Promise<void> {
  const { dir, kernel } = input;
  for (const sub of ['bin', 'dev', 'proc', 'sys', 'lib/modules']) await mkdir(path.join(dir, sub), { recursive: true });
  await writeFile(path.join(dir, 'bin', 'busybox'), await readFile(input.busybox), { mode: 0o755 });
  await writeFile(path.join(dir, 'init'), input.init, { mode: 0o755 });
  for (const rel of input.drivers) {
    const ko = await readModule(path.join(kernel.modulesDir, rel));
    const built = vermagicRelease(ko);
    if (built !== null && built !== kernel.release) {
      throw new Error(`${path.join(kernel.modulesDir, rel)} was built for ${built}, not for ${kernel.release}: --modules must be the kernel's own module tree`);
    }
    await writeFile(path.join(dir, 'lib', 'modules', guestModuleFile(rel)), ko);
  }
  await writeFile(path.join(dir, 'lib', 'modules', path.basename(input.ko)), await readFile(input.ko));
  const list = await execa('find', ['.', '-mindepth', '1'], { cwd: dir });
  const r = await execa('cpio', ['-o', '-H', 'newc', '-R', '0:0', '--quiet'], { cwd: dir, input: `${list.stdout}\n`, stdout: { file: input.out }, reject: false });
  if (r.exitCode !== 0) throw new Error(`cpio failed: ${r.stderr || `exit ${r.exitCode}`}`);
}

/** A statically linked ELF has no PT_INTERP program header; the initramfs has no libc for anything else. */
export function isStaticElf(elf: Buffer): boolean {
  if (elf.length < 64 || elf.toString('latin1', 0, 4) !== '\x7fELF' || elf[4] !== 2) return false;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > elf.length) return false;
    if (elf.readUInt32LE(at) === 3) return false; // PT_INTERP
  }
  return true;
}
