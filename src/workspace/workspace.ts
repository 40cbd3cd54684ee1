/**
 * The workspace: a directory with quirkctl.yaml and the folders of truth beside it.
 * Every command finds it the same way: --workspace, $QUIRKCTL_WORKSPACE, or the nearest
 * quirkctl.yaml above the current directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, ValidationError, type Problem } from '../errors.js';
import { formatPath, validateWithSchema } from '../lib/schema.js';
import { lineOf, parseYaml, yamlErrors } from '../lib/yaml.js';

export const CONFIG_FILE = 'quirkctl.yaml';
export const DEFAULT_PCI_IDS = ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids'];

export interface WorkspaceConfig {
  version: 1;
  'pci-ids'?: string[];
  kernel?: { tree?: string; base?: string; 'checkpatch-args'?: string[] };
  lore?: { url?: string };
  upstream?: { mainline?: string; stable?: string };
  dkms?: { name?: string; version?: string; maintainer?: string };
  build?: {
    runner?: 'auto' | 'host' | 'bwrap' | 'podman' | 'docker';
    jobs?: number;
    targets?: {
      name: string;
      distro: 'debian' | 'ubuntu' | 'arch';
      release?: string;
      kernel?: { flavour?: string; version?: string };
      runner?: 'host' | 'bwrap' | 'podman' | 'docker';
      image?: string;
      rootfs?: string;
      mirror?: string;
    }[];
  };
}

export interface Workspace {
  root: string;
  config: WorkspaceConfig;
  quirksDir: string;
  seriesDir: string;
  patchesDir: string;
  templatesDir: string;
  /** Cache, locks and journals: machine state, never committed. */
  stateDir: string;
}

export interface FindOptions {
  workspace?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Locates the workspace root, or explains where it looked. */
export function findWorkspaceRoot(opts: FindOptions = {}): string {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const explicit = opts.workspace ?? env.QUIRKCTL_WORKSPACE;
  if (explicit) {
    const root = path.resolve(cwd, explicit);
    const how = opts.workspace ? '--workspace' : 'QUIRKCTL_WORKSPACE';
    if (!existsSync(path.join(root, CONFIG_FILE))) {
      throw new InputError(`${how} '${explicit}': no ${CONFIG_FILE} in ${root}; run 'quirkctl init ${explicit}' to make one`);
    }
    return root;
  }
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, CONFIG_FILE))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  throw new InputError(`no quirkctl workspace: no ${CONFIG_FILE} in ${cwd} or any directory above it; run 'quirkctl init' or pass --workspace DIR`);
}

export function readConfig(root: string): WorkspaceConfig {
  const file = path.join(root, CONFIG_FILE);
  const parsed = parseYaml(readFileSync(file, 'utf8'));
  const problems: Problem[] = yamlErrors(parsed).map((e) => ({ file: CONFIG_FILE, line: e.line, field: '', message: e.message }));
  if (problems.length) throw new ValidationError(problems);
  const data: unknown = parsed.doc.toJS() ?? {};
  for (const issue of validateWithSchema('config', data)) {
    problems.push({ file: CONFIG_FILE, line: lineOf(parsed, issue.path), field: formatPath(issue.path), message: issue.message });
  }
  if (problems.length) throw new ValidationError(problems);
  return data as WorkspaceConfig;
}

export function openWorkspace(opts: FindOptions = {}): Workspace {
  const root = findWorkspaceRoot(opts);
  return workspaceAt(root, readConfig(root));
}

export function workspaceAt(root: string, config: WorkspaceConfig): Workspace {
  return {
    root,
    config,
    quirksDir: path.join(root, 'quirks'),
    seriesDir: path.join(root, 'series'),
    patchesDir: path.join(root, 'patches'),
    templatesDir: path.join(root, 'templates'),
    stateDir: path.join(root, '.quirkctl'),
  };
}

/** The pci.ids files to read, workspace-relative paths resolved. */
export function pciIdsPaths(ws: Workspace): string[] {
  return (ws.config['pci-ids'] ?? DEFAULT_PCI_IDS).map((p) => path.resolve(ws.root, p));
}

/** A path from the config, resolved against the workspace root; undefined when unset. */
export function configPath(ws: Workspace, value: string | undefined): string | undefined {
  return value === undefined ? undefined : path.resolve(ws.root, value);
}

/** A path as shown to the user: relative to the workspace root. */
export function displayPath(ws: Workspace, file: string): string {
  return path.relative(ws.root, file) || '.';
}
