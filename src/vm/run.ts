/**
 * `quirkctl vm-test`: build the generated module for a real kernel, boot that kernel
 * under qemu with an emulated device standing in for the quirks' device, run every step
 * in that one boot, and hold what the guest saw against what each step must show.
 * Work files live in a temporary directory, removed at the end unless `keep`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { onPath } from '../lib/tools.js';
import { InputError } from '../errors.js';
import { DEFAULT_NAME, defaultVersion, type PackagePlan } from '../dkms/model.js';
import { moduleSources } from '../dkms/render.js';
import { renderTemplate } from '../lib/templates.js';
import { loadEntries } from '../quirks/index-cache.js';
import { formatDeviceIds } from '../quirks/ids.js';
import type { Quirk } from '../quirks/model.js';
import { findQuirk } from '../quirks/store.js';
import type { Workspace } from '../workspace/workspace.js';
import { buildInitramfs, buildModule, driverModules, guestModuleFile, isStaticElf, type ModuleBuild } from './build.js';
import { chooseDevice, hexIds, type EmulatedDevice } from './devices.js';
import { evaluate, passed, type StepResult } from './evaluate.js';
import { findKernel, type KernelChoice, type KernelOptions } from './kernel.js';
import { planVm, type VmPlan } from './plan.js';
import { newReport, readLine, type GuestReport } from './protocol.js';
import { preferredAccel, qemuArgs, runQemu, type Accel, type QemuRun } from './qemu.js';

export type AccelChoice = Accel | 'auto';

export interface VmTestOptions extends KernelOptions {
  quirks: string[];
  all: boolean;
  as?: string;
  accel: AccelChoice;
  keep: boolean;
  progress?: (message: string) => void;
}

export interface VmTestResult {
  kernel: KernelChoice & { version?: string };
  accel: Accel;
  /** Why the accelerator first tried was given up, when it was. */
  accelNote?: string;
  device: EmulatedDevice;
  bdf?: string;
  retarget: boolean;
  /** Each quirk's own vendor:device, as its file has it (before --as). */
  quirkDevices: Record<string, string>;
  module: string;
  plan: PackagePlan;
  build: ModuleBuild;
  steps: StepResult[];
  passed: boolean;
  seconds: number;
  /** The kept work directory (--keep). */
  workDir?: string;
}

/**
 * No results line for this long after start: the guest is not booting. Under KVM a guest
 * says hello within a second or two; a /dev/kvm that opens but does not run guests (nested
 * virtualisation without support) shows as silence, and the run falls back to TCG.
 */
const FIRST_LINE_MS: Record<Accel, number> = { kvm: 15_000, tcg: 60_000 };
/** The longest quiet spell of a healthy run is one hibernation cycle (5 s of pm_test wait, ~8 s under TCG). */
const SILENCE_MS = 120_000;

function selectQuirks(ws: Workspace, refs: string[], all: boolean): Quirk[] {
  if (all === refs.length > 0) throw new InputError('name the quirks to prove (ids or vvvv:dddd), or pass --all; not both');
  const entries = loadEntries(ws);
  const selected = all ? entries : refs.map((ref) => findQuirk(entries, ref));
  if (selected.length === 0) throw new InputError('the workspace has no quirks to prove');
  return [...new Map(selected.map((e) => [e.quirk.id, e.quirk])).values()];
}

/** The host tools the run needs, each named with its Debian package when missing. */
async function checkTools(): Promise<string> {
  const tools: [string, string][] = [['qemu-system-x86_64', 'qemu-system-x86'], ['make', 'make'], ['cpio', 'cpio'], ['busybox', 'busybox-static']];
  const missing: string[] = [];
  for (const [tool, pkg] of tools) if (!(await onPath(tool))) missing.push(`${tool} (package ${pkg})`);
  if (missing.length) throw new Error(`vm-test needs ${missing.join(', ')}: not found on PATH`);
  const busybox = (await execa('sh', ['-c', 'command -v busybox'])).stdout.trim();
  if (!isStaticElf(readFileSync(busybox))) throw new Error(`${busybox} is dynamically linked and cannot run in the initramfs; install busybox-static`);
  return busybox;
}

function renderInit(vm: VmPlan, device: EmulatedDevice, drivers: string[], nonce: string, templatesDir: string): string {
  for (const s of vm.steps) if (!/^[a-z0-9:.-]+$/.test(s.id)) throw new Error(`internal: step id '${s.id}' is not safe for the guest script`);
  const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
  return renderTemplate('vm/init.sh', { nonce, module: vm.module, device: { driver: device.driver, vendor: hex(device.ids.vendor), device: hex(device.ids.device) }, drivers, steps: vm.steps, attrs: vm.attrs ?? [] }, templatesDir);
}

function tail(text: string, lines: number): string[] {
  // The console is a terminal stream: strip escape sequences and carriage returns.
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1bc/g, '').replace(/\r/g, '').split('\n').filter(Boolean).slice(-lines);
}

function stoppedReason(run: QemuRun, report: GuestReport, accel: Accel): string | undefined {
  if (report.done) return undefined;
  if (run.timedOut === 'first-line') return `no output from the guest within ${FIRST_LINE_MS[accel] / 1000} s of starting qemu`;
  if (run.timedOut === 'silence') return `the guest was silent for ${SILENCE_MS / 1000} s and was stopped (hung)`;
  const err = run.stderr.trim().split('\n').slice(-3).join(' ');
  return `qemu exited (${run.exitCode ?? 'signal'}) before the guest finished${err ? `: ${err}` : ''}`;
}

export async function vmTest(ws: Workspace, opts: VmTestOptions): Promise<VmTestResult> {
  const started = Date.now();
  const progress = opts.progress ?? (() => {});
  const quirks = selectQuirks(ws, opts.quirks, opts.all);
  const { device, retarget } = chooseDevice(quirks, opts.as);
  const kernel = findKernel(opts);
  const busybox = await checkTools();
  const { plan, files } = moduleSources(quirks, {
    name: ws.config.dkms?.name ?? DEFAULT_NAME,
    version: defaultVersion(new Date()),
    ...(retarget ? { matchOverride: device.ids } : {}),
    templatesDir: ws.templatesDir,
  });
  const vm = planVm(plan, kernel.release);

  const work = mkdtempSync(path.join(tmpdir(), 'quirkctl-vm-'));
  const cleanup = () => {
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
  };
  const onSignal = () => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    progress(`building ${plan.module}.ko for ${kernel.release} (make -C ${kernel.headersDir})`);
    const build = await buildModule(files, plan.module, path.join(work, 'module'), kernel);
    const quirkDevices = Object.fromEntries(quirks.map((q) => [q.id, formatDeviceIds({ vendor: q.match.vendor, device: q.match.device })]));
    const base = { kernel, device, retarget, quirkDevices, module: plan.module, plan, build };
    const buildStep: StepResult = {
      id: 'build',
      title: `build ${plan.module}.ko for ${kernel.release}`,
      status: build.ok ? 'pass' : 'fail',
      checks: [
        { ok: build.ko !== undefined, text: build.ko ? build.command : `${build.command} failed` },
        { ok: build.warnings.length === 0, text: build.warnings.length ? `${build.warnings.length} warning(s)` : 'no warnings' },
      ],
      log: build.ko ? build.warnings : [...build.warnings, ...build.output.split('\n')],
    };
    if (!build.ko) {
      const result: VmTestResult = { ...base, accel: 'tcg', steps: [buildStep], passed: false, seconds: (Date.now() - started) / 1000 };
      if (opts.keep) result.workDir = work;
      return result;
    }

    const nonce = randomBytes(8).toString('hex');
    const initrd = path.join(work, 'initramfs.cpio');
    const drivers = await driverModules(kernel, device.modules);
    progress(`making the initramfs: busybox, ${drivers.map((d) => path.basename(d)).join(', ')} from ${kernel.modulesDir}, ${plan.module}.ko`);
    const init = renderInit(vm, device, drivers.map(guestModuleFile), nonce, ws.templatesDir);
    await buildInitramfs({ dir: path.join(work, 'initramfs'), out: initrd, busybox, init, kernel, drivers, ko: build.ko });

    let accel: Accel = opts.accel === 'auto' ? await preferredAccel() : opts.accel;
    let accelNote: string | undefined;
    let report: GuestReport;
    let run: QemuRun;
    const consoleLog = path.join(work, 'console.log');
    for (;;) {
      const args = qemuArgs({ vmlinuz: kernel.vmlinuz, initrd, device, accel, consoleLog });
      await writeFile(path.join(work, 'qemu.sh'), `#!/bin/sh\n# How vm-test ran the guest; the results port is qemu's stdout.\nexec qemu-system-x86_64 ${args.map(shQuote).join(' ')}\n`, { mode: 0o755 });
      progress(`booting ${kernel.release} under qemu (${accel}), ${device.qemu} ${hexIds(device)} behind a PCIe root port`);
      report = newReport();
      const results: string[] = [];
      const r = report;
      run = await runQemu(args, { firstLineMs: FIRST_LINE_MS[accel], silenceMs: SILENCE_MS }, (line) => {
        results.push(line);
        if (readLine(r, nonce, line) !== 'op') return;
        const op = r.ops.at(-1)!;
        progress(`  ${op.step}: ${op.op}${op.mode ? ` ${op.state} pm_test=${op.mode}` : ''}${op.rc === 0 ? '' : ` (exit ${op.rc})`}`);
      });
      await writeFile(path.join(work, 'results.log'), `${results.join('\n')}\n`);
      if (opts.accel === 'auto' && accel === 'kvm' && !report.hello) {
        accelNote = `KVM was tried first and the guest showed no sign of life (${stoppedReason(run, report, accel) ?? 'no output'}); used TCG`;
        progress(accelNote);
        accel = 'tcg';
        continue;
      }
      break;
    }
    const consoleText = existsSync(consoleLog) ? readFileSync(consoleLog, 'latin1') : '';
    const stopped = stoppedReason(run, report, accel);
    const ctx = { plan, vm, device, release: kernel.release, report, consoleTail: tail(consoleText, 25), console: tail(consoleText, Number.MAX_SAFE_INTEGER) };
    const steps = [buildStep, ...evaluate(stopped === undefined ? ctx : { ...ctx, stopped })];
    const result: VmTestResult = { ...base, accel, steps, passed: passed(steps), seconds: (Date.now() - started) / 1000 };
    if (report.env?.version) result.kernel = { ...kernel, version: report.env.version };
    if (report.device?.bdf) result.bdf = report.device.bdf;
    if (accelNote) result.accelNote = accelNote;
    if (opts.keep) result.workDir = work;
    return result;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanup();
  }
}

function shQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
