/**
 * The targets of a workspace and the runners that enter them: what `quirkctl build` runs
 * its matrix over, and what a single caller (checkpatch or compiling in one target)
 * opens one target with.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../errors.js';
import { lineOf, parseYaml } from '../lib/yaml.js';
import { CONFIG_FILE, type Workspace } from '../workspace/workspace.js';
import { cacheDir } from './cache.js';
import { chooseRunner, probeRunner, type Choice, type Probe } from './detect.js';
import { prepareTarget, type ReadyTarget } from './prepare.js';
import { resolveTargets, selectTargets, targetProblems, type RunnerChoice, type RunnerName, type Target } from './targets.js';

/** Where a workspace keeps what builds leave: sources, dkms trees, logs. */
export function buildDir(ws: Workspace): string {
  return path.join(ws.stateDir, 'build');
}

/** The workspace's targets, with config problems as `quirkctl.yaml:LINE: field: message`. */
export function workspaceTargets(ws: Workspace): Target[] {
  const { targets, problems } = resolveTargets(ws.config.build, ws.root);
  if (problems.length) {
    const parsed = parseYaml(readFileSync(path.join(ws.root, CONFIG_FILE), 'utf8'));
    throw new ValidationError(targetProblems(problems, CONFIG_FILE, (p) => lineOf(parsed, p)));
  }
  return targets;
}

/** Each target's runner choice and where it was made, most specific last: auto, build.runner, the target's own, --runner. */
function runnerChoices(ws: Workspace, targets: Target[], flag?: RunnerChoice): Map<Target, { choice: RunnerChoice; from: string }> {
  const global = ws.config.build?.runner;
  return new Map(
    targets.map((t, i) => {
      if (flag !== undefined) return [t, { choice: flag, from: '--runner' }];
      if (t.runner !== undefined) return [t, { choice: t.runner, from: `build.targets[${i}].runner (${t.name})` }];
      if (global !== undefined) return [t, { choice: global, from: 'build.runner in quirkctl.yaml' }];
      return [t, { choice: 'auto', from: 'auto' }];
    }),
  );
}

export async function chooseRunners(ws: Workspace, targets: Target[], opts: { runner?: RunnerChoice; probe?: (r: RunnerName) => Promise<Probe> }): Promise<Map<Target, Choice>> {
  const probes = new Map<RunnerName, Promise<Probe>>();
  const probe = (r: RunnerName) => {
    let p = probes.get(r);
    if (!p) probes.set(r, (p = (opts.probe ?? probeRunner)(r)));
    return p;
  };
  const out = new Map<Target, Choice>();
  for (const [t, { choice, from }] of runnerChoices(ws, targets, opts.runner)) out.set(t, await chooseRunner(choice, from, probe));
  return out;
}

export interface ReadyOptions {
  runner?: RunnerChoice;
  refresh?: boolean;
  progress?: (message: string) => void;
  probe?: (r: RunnerName) => Promise<Probe>;
  cacheDir?: string;
}

/**
 * One target of the workspace made ready to run commands in, for callers other than
 * the build matrix (checkpatch and compiling in a target); its preparation log is
 * .quirkctl/build/<target>/prepare.log.
 */
export async function readyTarget(ws: Workspace, name: string, opts: ReadyOptions = {}): Promise<ReadyTarget> {
  const [t] = selectTargets(workspaceTargets(ws), [name]) as [Target];
  const choice = (await chooseRunners(ws, [t], opts)).get(t) as Choice;
  const log = path.join(buildDir(ws), t.name, 'prepare.log');
  rmSync(log, { force: true });
  return prepareTarget(t, choice.probe, { cacheDir: opts.cacheDir ?? cacheDir(), templatesDir: ws.templatesDir, refresh: opts.refresh === true, once: new Map(), log, progress: opts.progress ?? (() => {}) });
}
