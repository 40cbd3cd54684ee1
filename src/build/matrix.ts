/**
 * `quirkctl build`: the DKMS package for the selected quirks, generated in-process by
 * the dkms module, built in every selected target for every kernel it carries, up to
 * `jobs` at a time. A target that cannot be made ready (no such image, unreachable
 * archive, no headers) ends in `error`; a package that does not compile in `failed`,
 * with its log; one that dkms will not build for the kernel (BUILD_EXCLUSIVE) in
 * `skipped`. Either way the other targets go on.
 */
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { InputError } from '../errors.js';
import { DEFAULT_NAME, defaultVersion, planPackage, type PackagePlan } from '../dkms/model.js';
import { renderModuleSources } from '../dkms/render.js';
import { loadEntries } from '../quirks/index-cache.js';
import { findQuirk } from '../quirks/store.js';
import { writeAtomic } from '../workspace/fs.js';
import type { Workspace } from '../workspace/workspace.js';
import { cacheDir, withFileLock } from './cache.js';
import type { Choice, Probe } from './detect.js';
import { buildCell } from './dkms-build.js';
import { runCaptured } from './exec.js';
import type { PrepareContext } from './cache.js';
import { checkBuildable, prepareTarget, type ReadyTarget } from './prepare.js';
import type { Row, Status, View } from './progress.js';
import { imageRecipe, rootfsRecipe } from './recipes.js';
import { isMadeRootfs, rootfsPath } from './rootfs.js';
import { engineImageExistsCommand } from './runners.js';
import { checkKernelArg, describeTarget, kernelWanted, selectTargets, type RunnerChoice, type RunnerName, type Target } from './targets.js';
import { buildDir, chooseRunners, workspaceTargets } from './workspace-targets.js';

export interface BuildOptions {
  quirks: string[];
  all: boolean;
  /** --target names; none: every target. */
  targets: string[];
  /** --kernel releases or their starts; none: every kernel a target carries. */
  kernels: string[];
  jobs?: number;
  /** --runner; else build.runner, else each target's own, else auto. */
  runner?: RunnerChoice;
  refresh: boolean;
  dryRun: boolean;
  view: View;
  probe?: (r: RunnerName) => Promise<Probe>;
  cacheDir?: string;
}

export interface CellReport {
  target: string;
  kernel: string | null;
  runner: RunnerName;
  status: Exclude<Status, 'queued' | 'preparing' | 'building'>;
  seconds: number;
  /** The build log (failed, passed, skipped), or the preparation log (error). */
  log: string | null;
  module: string | null;
  message: string | null;
}

export interface PlannedTarget {
  target: string;
  runner: RunnerName;
  what: string;
  /** The image or root file system; none when the runner cannot make one for the target. */
  environment: string | null;
  /** Whether it is there already (else it is made first). */
  ready: boolean;
}

export interface BuildReport {
  package: { name: string; version: string; module: string; kernels: string; sources: string };
  runners: { runner: RunnerName; reason: string; targets: string[] }[];
  cells: CellReport[];
  /** Targets without a kernel that --kernel asks for. */
  unmatched: { target: string; kernels: string[] }[];
  /** --dry-run: what would be built where. */
  planned: PlannedTarget[];
}

function packagePlan(ws: Workspace, opts: BuildOptions): PackagePlan {
  if (opts.all === (opts.quirks.length > 0)) throw new InputError('name the quirks whose package to build (ids or vvvv:dddd), or pass --all; not both');
  const entries = loadEntries(ws);
  const selected = opts.all ? entries : opts.quirks.map((ref) => findQuirk(entries, ref));
  const quirks = [...new Map(selected.map((e) => [e.quirk.id, e.quirk])).values()];
  const date = new Date();
  return planPackage(quirks, { name: ws.config.dkms?.name ?? DEFAULT_NAME, version: ws.config.dkms?.version ?? defaultVersion(date), date });
}

function checkJobs(jobs: number | undefined, targets: number): number {
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)) throw new InputError(`--jobs ${jobs}: expected a whole number of targets to build at once, 1 to 64`);
  return jobs ?? Math.max(1, Math.min(availableParallelism(), targets));
}

async function plannedTarget(t: Target, runner: RunnerName, ws: Workspace, cache: string): Promise<PlannedTarget> {
  const base = { target: t.name, runner, what: describeTarget(t) };
  if (runner === 'host') return { ...base, environment: 'this machine', ready: true };
  if (runner === 'bwrap') {
    if (t.rootfs !== undefined) return { ...base, environment: t.rootfs, ready: true };
    if (t.distro === 'arch') return { ...base, environment: null, ready: false };
    const dir = rootfsPath(cache, rootfsRecipe(t));
    return { ...base, environment: dir, ready: isMadeRootfs(dir) };
  }
  const image = t.image ?? imageRecipe(t, ws.templatesDir).tag;
  return { ...base, environment: image, ready: (await runCaptured(engineImageExistsCommand(runner, image), { timeoutMs: 60_000 })).exitCode === 0 };
}

export async function buildPackage(ws: Workspace, opts: BuildOptions): Promise<BuildReport> {
  const wanted = opts.kernels.map(checkKernelArg);
  const targets = selectTargets(workspaceTargets(ws), opts.targets);
  if (targets.length === 0) throw new InputError('no build targets: add some under build.targets in quirkctl.yaml');
  const jobs = checkJobs(opts.jobs, targets.length);
  const plan = packagePlan(ws, opts);
  const choices = await chooseRunners(ws, targets, opts);
  const dir = buildDir(ws);
  const sources = path.join(dir, 'src');
  const cache = opts.cacheDir ?? cacheDir();
  const report: BuildReport = {
    package: { name: plan.name, version: plan.version, module: plan.module, kernels: plan.kernels.range, sources: path.join(sources, `${plan.name}-${plan.version}`) },
    runners: [],
    cells: [],
    unmatched: [],
    planned: [],
  };
  for (const [t, c] of choices) {
    const r = report.runners.find((x) => x.runner === c.runner && x.reason === c.reason);
    if (r) r.targets.push(t.name);
    else report.runners.push({ runner: c.runner, reason: c.reason, targets: [t.name] });
  }
  for (const r of report.runners) opts.view.note(`runner: ${r.runner}${report.runners.length > 1 ? ` for ${r.targets.join(', ')}` : ''} (${r.reason})`);
  if (opts.dryRun) {
    for (const [t, c] of choices) report.planned.push(await plannedTarget(t, c.runner, ws, cache));
    return report;
  }

  return withFileLock(path.join(ws.stateDir, 'build.lock'), "the workspace's build directory", 0, async () => {
    rmSync(sources, { recursive: true, force: true });
    for (const f of renderModuleSources(plan, ws.templatesDir)) await writeAtomic(path.join(report.package.sources, f.path), f.content, f.mode);
    const limit = pLimit(jobs);
    const once = new Map<string, Promise<string>>();
    const runTarget = async (t: Target, choice: Choice) => {
      const view = opts.view;
      let row: Row = { id: t.name, target: t.name, status: 'queued' };
      view.update(row);
      const log = path.join(dir, t.name, 'prepare.log');
      let ready: ReadyTarget;
      try {
        ready = await limit(async () => {
          rmSync(log, { force: true });
          row = { ...row, status: 'preparing', started: Date.now() };
          view.update(row);
          const ctx: PrepareContext = { cacheDir: cache, templatesDir: ws.templatesDir, refresh: opts.refresh, once, log, progress: (note) => view.update((row = { ...row, note })) };
          const r = await prepareTarget(t, choice.probe, ctx);
          checkBuildable(r);
          return r;
        });
      } catch (e) {
        const message = (e as Error).message;
        row = { ...row, status: 'error', note: message, ended: Date.now() };
        view.update(row);
        report.cells.push({ target: t.name, kernel: null, runner: choice.runner, status: 'error', seconds: ((row.ended ?? 0) - (row.started ?? row.ended ?? 0)) / 1000, log, module: null, message });
        return;
      }
      const kernels = ready.kernels.filter((k) => kernelWanted(k, wanted));
      if (kernels.length === 0) {
        view.remove(t.name);
        view.note(`${t.name}: no kernel matching --kernel ${wanted.join(', ')} (it has ${ready.kernels.join(', ')})`);
        report.unmatched.push({ target: t.name, kernels: ready.kernels });
        return;
      }
      let after = t.name;
      for (const k of kernels) {
        view.update({ id: `${t.name}/${k}`, target: t.name, kernel: k, status: 'queued' }, after);
        after = `${t.name}/${k}`;
      }
      view.remove(t.name);
      await Promise.all(
        kernels.map((k) =>
          limit(async () => {
            const id = `${t.name}/${k}`;
            const started = Date.now();
            view.update({ id, target: t.name, kernel: k, status: 'building', started, note: `dkms build -k ${k}` });
            const work = path.join(dir, t.name, k);
            let cell: CellReport;
            try {
              const { outcome, log: buildLog } = await buildCell(ready, k, plan, sources, work);
              const message = outcome.status === 'passed' ? null : outcome.reason;
              cell = { target: t.name, kernel: k, runner: choice.runner, status: outcome.status, seconds: 0, log: buildLog, module: outcome.status === 'passed' ? outcome.module : null, message };
            } catch (e) {
              cell = { target: t.name, kernel: k, runner: choice.runner, status: 'failed', seconds: 0, log: path.join(work, 'build.log'), module: null, message: (e as Error).message };
            }
            const ended = Date.now();
            cell.seconds = (ended - started) / 1000;
            report.cells.push(cell);
            const note = cell.status === 'passed' ? undefined : cell.status === 'failed' ? `${cell.message}; log: ${cell.log}` : (cell.message ?? undefined);
            view.update({ id, target: t.name, kernel: k, status: cell.status, started, ended, ...(note ? { note } : {}) });
          }),
        ),
      );
    };
    await Promise.all([...choices].map(([t, c]) => runTarget(t, c)));
    if (wanted.length && report.cells.length === 0 && report.unmatched.length) {
      throw new InputError(`--kernel ${wanted.join(', ')}: no target has such a kernel (${report.unmatched.map((u) => `${u.target}: ${u.kernels.join(', ')}`).join('; ')})`);
    }
    // Rows in the order the targets were named, kernels in order within each.
    const order = targets.map((t) => t.name);
    report.cells.sort((a, b) => order.indexOf(a.target) - order.indexOf(b.target) || (a.kernel ?? '').localeCompare(b.kernel ?? ''));
    return report;
  });
}
