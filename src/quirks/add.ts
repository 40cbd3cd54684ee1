/**
 * `quirkctl add`: create the quirk for a device, or merge into the one it has.
 * Runs under the workspace lock, so parallel adds neither lose nor duplicate quirks.
 */
import { existsSync } from 'node:fs';
import { MODULES } from '../actions/registry.js';
import { InputError, ValidationError } from '../errors.js';
import { joinFrontMatter } from '../lib/frontmatter.js';
import { renderTemplate } from '../lib/templates.js';
import { yamlToString } from '../lib/yaml.js';
import { withWorkspaceLock } from '../workspace/fs.js';
import { displayPath, pciIdsPaths, type Workspace } from '../workspace/workspace.js';
import { serializeQuirkDocument, type QuirkDocument } from './document.js';
import { formatDeviceIds, sameDevice, type DeviceIds } from './ids.js';
import { applyEdits, newQuirkYaml } from './layout.js';
import { planMerge, toAction, type QuirkRequest } from './merge.js';
import { actionToData, describeAction, explainAction, type QuirkData } from './model.js';
import { deviceTitle, loadPciIds } from './pci-ids.js';
import { loadEntries } from './index-cache.js';
import { quirkPath, readQuirkFile, writeQuirkText, type QuirkEntry } from './store.js';

export interface AddRequest extends QuirkRequest {
  device: DeviceIds;
  id?: string;
}

export interface AddResult {
  id: string;
  file: string;
  created: boolean;
  changes: string[];
}

const ID_RE = /^[a-z0-9][a-z0-9-]*$/;
const NOTHING_TO_ADD = `nothing to add: a new quirk needs at least one action (${MODULES.flatMap((m) => m.cli.names).join(', ')})`;

/** `axelera-ai-metis-aipu` from "Axelera AI Metis AIPU": at most 48 characters, cut at a word. */
export function slugify(text: string): string {
  const slug = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (slug.length <= 48) return slug;
  const cut = slug.slice(0, 48);
  return cut.slice(0, cut.lastIndexOf('-') > 16 ? cut.lastIndexOf('-') : 48).replace(/-+$/, '');
}

export async function addQuirk(ws: Workspace, req: AddRequest): Promise<AddResult> {
  if (req.id !== undefined && !ID_RE.test(req.id)) {
    throw new InputError(`--id '${req.id}': expected lowercase letters, digits and '-', starting with a letter or digit`);
  }
  const asksNothing = req.actions.length === 0 && req.references.length === 0 && [req.driver, req.title, req.kernels].every((v) => v === undefined);
  if (asksNothing) throw new InputError(NOTHING_TO_ADD);
  return withWorkspaceLock(ws, async () => {
    const entries = loadEntries(ws);
    const existing = pickTarget(entries, req);
    if (!existing) return create(ws, entries, req);
    // Only the quirk being changed is parsed for editing; the rest come from the index.
    const full = readQuirkFile(ws, `${existing.quirk.id}.md`);
    if (!full.ok) throw new ValidationError(full.problems);
    return mergeInto(ws, full.doc, req);
  });
}

function pickTarget(docs: QuirkEntry[], req: AddRequest): QuirkEntry | undefined {
  if (req.id !== undefined) {
    const named = docs.find((d) => d.quirk.id === req.id);
    if (named && !sameDevice(named.quirk.match, req.device)) {
      throw new InputError(`--id '${req.id}': that quirk is for ${formatDeviceIds(named.quirk.match)}, not ${formatDeviceIds(req.device)}`);
    }
    if (named) return named;
  }
  // Class or revision matches are narrower quirks of their own; merge only into the plain one.
  return docs.find((d) => sameDevice(d.quirk.match, req.device) && !d.quirk.match.class && d.quirk.match.revision === undefined);
}

async function mergeInto(ws: Workspace, doc: QuirkDocument, req: AddRequest): Promise<AddResult> {
  const file = quirkPath(ws, doc.quirk.id);
  const edits = planMerge(doc.quirk, req);
  const result = { id: doc.quirk.id, file: displayPath(ws, file), created: false, changes: edits.map((e) => e.change) };
  if (edits.length === 0) return result;
  applyEdits(doc.yaml.doc, edits);
  await writeQuirkText(ws, doc.quirk.id, serializeQuirkDocument(doc));
  return result;
}

async function create(ws: Workspace, docs: QuirkEntry[], req: AddRequest): Promise<AddResult> {
  if (req.actions.length === 0) {
    throw new InputError(NOTHING_TO_ADD);
  }
  const ids = formatDeviceIds(req.device);
  const named = deviceTitle(loadPciIds(pciIdsPaths(ws)), req.device.vendor, req.device.device);
  const title = req.title ?? named ?? `PCI device ${ids}`;
  const id = req.id ?? uniqueId(ws, docs, slugify(named ?? `pci-${ids}`), ids);

  const actions = req.actions.map(toAction);
  // Keys in the order people read them: what, which device, what to do, where it stands.
  const data: QuirkData = {
    id,
    title,
    match: { ...req.device },
    ...(req.driver !== undefined ? { driver: req.driver } : {}),
    actions: actions.map(actionToData),
    ...(req.kernels !== undefined ? { kernels: req.kernels } : {}),
    upstream: { state: 'none' },
    references: req.references,
  };
  const body = renderTemplate('quirk-body.md', { device: named ?? ids, actions: actions.map((a) => explainAction(a, req.driver)) }, ws.templatesDir);
  const text = joinFrontMatter(newQuirkYaml(data).toString(yamlToString), body);
  const file = quirkPath(ws, id);
  const shown = displayPath(ws, file);
  await writeQuirkText(ws, id, text);
  return { id, file: shown, created: true, changes: [`device ${ids}: ${title}`, ...actions.map((a) => `action ${describeAction(a)}`), ...req.references.map((r) => `reference ${r}`)] };
}

/** The slug, or the slug with the device IDs when another quirk has taken it. */
function uniqueId(ws: Workspace, docs: QuirkEntry[], slug: string, ids: string): string {
  const taken = (id: string) => docs.some((d) => d.quirk.id === id) || existsSync(quirkPath(ws, id));
  if (!taken(slug)) return slug;
  return `${slug}-${ids.replace(/:/g, '-')}`;
}
