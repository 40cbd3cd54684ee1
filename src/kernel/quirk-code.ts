/**
 * What a quirk becomes in drivers/pci/quirks.c: one change per kind of fix, each placed
 * beside the tree's own fixups of that kind, in the tree's own spelling (PCI_VENDOR_ID_*
 * macros, the reset-method prototype of that kernel version). Pure: the text of
 * quirks.c and pci_ids.h in, the edited text out; the C itself comes from templates.
 */
import { InputError } from '../errors.js';
import { renderTemplate } from '../lib/templates.js';
import { hex4 } from '../quirks/ids.js';
import { shortVendorName } from '../quirks/pci-ids.js';
import type { KernelPatch, KernelPlace } from '../actions/action.js';
import { writesInWords, type ConfigWrite } from '../actions/config-write.js';
import { MODULES, moduleOf } from '../actions/registry.js';
import type { Action, Quirk } from '../quirks/model.js';
import { ANY_ID, resolveId, vendorMacro, type IdMacros } from './pci-ids-h.js';
import { insertLines, usesIdentifier, type CFunction, type FixupDeclaration, type QuirksC } from './quirks-c.js';
import { blockComment } from '../lib/c.js';

export const QUIRKS_C = 'drivers/pci/quirks.c';
export const PCI_IDS_H = 'include/linux/pci_ids.h';

/** One commit's worth of change: a kind of fix (an action's, or 'device-reset' of config writes). */
export type ChangeKind = string;

export interface PlannedChange {
  kind: ChangeKind;
  /** The quirk actions it carries out. */
  actions: Action[];
}

/** What the action module of a kind of change says about the patch. */
export function kindPatch(kind: ChangeKind): KernelPatch<Action> {
  for (const m of MODULES) {
    const k = m.kernel;
    if (!('none' in k) && (k.kind ?? m.type) === kind) return k;
  }
  throw new Error(`internal: no action makes a '${kind}' change`);
}

export interface Plan {
  changes: PlannedChange[];
  /** Actions with no in-kernel mechanism, and why. */
  skipped: { action: Action; reason: string }[];
}

/** Which changes a quirk's actions make, in the order the quirk lists them; one change per kind. */
export function planChanges(quirk: Quirk): Plan {
  const plan: Plan = { changes: [], skipped: [] };
  for (const a of quirk.actions) {
    const k = moduleOf(a).kernel;
    const reason = 'none' in k ? k.none(a) : k.skip?.(a);
    if (reason !== undefined || 'none' in k) {
      plan.skipped.push({ action: a, reason: reason as string });
      continue;
    }
    const kind = k.kind ?? a.type;
    const same = plan.changes.find((c) => c.kind === kind);
    if (same) same.actions.push(a);
    else plan.changes.push({ kind, actions: [a] });
  }
  return plan;
}

type Fixup = Extract<KernelPlace, { fixup: unknown }>['fixup'];

/** The fixup a kind of change declares; undefined for a device-specific reset. */
function fixupOf(kind: ChangeKind): Fixup | undefined {
  const place = kindPatch(kind).place;
  return 'fixup' in place ? place.fixup : undefined;
}

/** A place in quirks.c that already does (or may do) what a change would add. */
export interface ExistingFix {
  line: number;
  text: string;
}

function fixupText(qc: QuirksC, f: { line: number; endLine: number }): string {
  return qc.lines
    .slice(f.line - 1, f.endLine)
    .map((l) => l.trim())
    .join(' ');
}

function hookDoes(fn: CFunction | undefined, fixup: Fixup): boolean {
  if (!fn) return false;
  const { helper, marker } = fixup;
  return fn.name === helper || fn.body.includes(marker) || (helper !== undefined && fn.body.includes(`${helper}(`));
}

/**
 * Fixes of this kind already in the tree for the device: `exact` ones name its vendor
 * and device and act unconditionally; `broad` ones may cover it (PCI_ANY_ID, a class
 * match, a hook that tests something first) and are worth a look.
 */
export function findExisting(qc: QuirksC, macros: IdMacros, kind: ChangeKind, vendor: number, device: number): { exact: ExistingFix[]; broad: ExistingFix[] } {
  const exact: ExistingFix[] = [];
  const broad: ExistingFix[] = [];
  const idMatch = (v: string, d: string) => {
    const rv = resolveId(v, macros);
    const rd = resolveId(d, macros);
    if ((rv !== vendor && rv !== ANY_ID) || (rd !== device && rd !== ANY_ID)) return undefined;
    return rv === vendor && rd === device ? 'exact' : 'broad';
  };
  const fixup = fixupOf(kind);
  if (!fixup) {
    for (const e of qc.resetTable?.entries ?? []) {
      const m = idMatch(e.vendor, e.device);
      if (m) (m === 'exact' ? exact : broad).push({ line: e.line, text: `{ ${e.vendor}, ${e.device}, ${e.method} }` });
    }
    return { exact, broad };
  }
  for (const f of qc.fixups) {
    const fn = qc.functions.get(f.hook);
    if (!hookDoes(fn, fixup)) continue;
    const m = idMatch(f.vendor, f.device);
    if (!m) continue;
    const conditional = fn !== undefined && fn.name !== fixup.helper && /\bif\b|\?|\bswitch\b/.test(fn.body);
    const fix = { line: f.line, text: fixupText(qc, f) };
    (m === 'exact' && !f.classBased && !conditional ? exact : broad).push(fix);
  }
  return { exact, broad };
}

function configWrites(actions: Action[]): ConfigWrite[] {
  return actions.filter((a): a is ConfigWrite => a.type === 'config-write');
}

/** What the code generator needs besides quirks.c itself. */
export interface CodeContext {
  quirk: Quirk;
  /** The device as people name it, e.g. "AMD Polaris 10". */
  deviceName: string;
  /** What the comment above the new code says: the device and its failure, in sentences. */
  about: string[];
  macros: IdMacros;
  /** The workspace's templates/, whose files override the built-in ones. */
  templatesDir?: string;
}

/** A C identifier from the device name, unique in quirks.c. */
function functionName(qc: QuirksC, prefix: string, deviceName: string, suffix: string, device: number): string {
  // Whole words of the name, short enough for a declaration to fit on one line or two.
  const words = deviceName.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  let stem = '';
  for (const w of words) if (!stem || stem.length + 1 + w.length <= 20) stem = stem ? `${stem}_${w}` : w;
  stem = stem.slice(0, 20);
  const base = [prefix, stem || hex4(device), suffix].filter(Boolean).join('_');
  return usesIdentifier(qc, base) ? `${base}_${hex4(device)}` : base;
}

/** Columns a line takes with 8-column tabs. */
function width(line: string): number {
  let col = 0;
  for (const c of line) col = c === '\t' ? col + 8 - (col % 8) : col + 1;
  return col;
}

/** Tabs then spaces up to a column, as kernel style aligns continuation lines. */
function indentTo(column: number): string {
  return '\t'.repeat(Math.floor(column / 8)) + ' '.repeat(column % 8);
}

/**
 * `DECLARE_PCI_FIXUP_<pass>(args);` on one line when it fits in 80 columns, else with the
 * hook on a second line aligned with the opening parenthesis.
 */
export function declaration(pass: string, args: string[]): string {
  const open = `DECLARE_PCI_FIXUP_${pass}(`;
  const one = `${open}${args.join(', ')});`;
  if (width(one) <= 80) return one;
  const last = args.length - 1;
  return `${open}${args.slice(0, last).join(', ')},\n${indentTo(open.length)}${args[last]});`;
}

function lastFixup(qc: QuirksC, after: number, pred: (f: FixupDeclaration) => boolean): FixupDeclaration | undefined {
  return qc.fixups.filter((f) => f.depth === 0 && f.line > after && pred(f)).pop();
}

function requireHelper(qc: QuirksC, helper: string): CFunction {
  const fn = qc.functions.get(helper);
  if (!fn) throw new InputError(`${QUIRKS_C} of this tree has no ${helper}(); choose a newer --base`);
  return fn;
}

const ACCESSOR = { 8: 'byte', 16: 'word', 32: 'dword' } as const;

function renderLines(name: string, data: object, ctx: CodeContext): string[] {
  return renderTemplate(name, data, ctx.templatesDir).replace(/\n+$/, '').split('\n');
}

/** Applies one change to the text of quirks.c (parsed as `qc`). */
export function applyChange(text: string, qc: QuirksC, change: PlannedChange, ctx: CodeContext): string {
  const { quirk, macros } = ctx;
  const vendor = vendorMacro(quirk.match.vendor, macros, text) ?? `0x${hex4(quirk.match.vendor)}`;
  const device = `0x${hex4(quirk.match.device)}`;
  const refs = quirk.references;

  const fixup = fixupOf(change.kind);
  if (!fixup) {
    const table = qc.resetTable;
    if (!table || !qc.probeType) throw new InputError(`${QUIRKS_C} of this tree has no pci_dev_reset_methods[] table to add a device-specific reset to`);
    const writes = configWrites(change.actions);
    const fn = functionName(qc, 'reset', ctx.deviceName, '', quirk.match.device);
    const how = `Reset it by writing ${writesInWords(writes)}.`;
    const code = renderLines(
      'kernel/quirks-c-reset.c',
      {
        comment: blockComment([...ctx.about, how, ...refs]).join('\n'),
        function: fn,
        probeType: qc.probeType,
        writes: writes.map((w) => ({ accessor: ACCESSOR[w.width], offset: `0x${w.offset.toString(16)}`, value: `0x${w.value.toString(16)}` })),
      },
      ctx,
    );
    const entry = `\t{ ${vendor}, ${device}, ${fn} },`;
    const entryLines = width(entry) <= 80 ? [entry] : [`\t{ ${vendor}, ${device},`, `\t\t${fn} },`];
    // The entry goes last in the table, the method just above the table.
    const withEntry = insertLines(text, table.terminatorLine - 1, entryLines);
    return insertLines(withEntry, table.line - 1, [...code, '']);
  }

  let after = 0;
  if (fixup.helper) after = requireHelper(qc, fixup.helper).endLine;
  // A hook of its own, placed after the last fixup that does the same; else it names the helper.
  const body = fixup.body?.(change.actions);
  const fnName = body ? functionName(qc, 'quirk', ctx.deviceName, change.kind.replace(/-/g, '_'), quirk.match.device) : (fixup.helper as string);
  const anchor = lastFixup(qc, after, (f) => (body ? hookDoes(qc.functions.get(f.hook), fixup) : f.hook === fixup.helper)) ?? (body ? lastFixup(qc, after, () => true) : undefined);
  if (!anchor) throw new InputError(`${QUIRKS_C} of this tree has no ${fixup.helper ?? change.kind} fixups to place the new one beside`);
  const code = renderLines(
    'kernel/quirks-c-fixup.c',
    { comment: blockComment([...ctx.about, ...refs]).join('\n'), kind: change.kind, function: fnName, declaration: declaration(fixup.pass, [vendor, device, fnName]), body },
    ctx,
  );
  return insertLines(text, anchor.endLine, ['', ...code]);
}

/**
 * The device as a commit summary names it, from its pci.ids names: the vendor's short
 * form ("AMD" of "Advanced Micro Devices, Inc. [AMD/ATI]") and the device's name without
 * its marketing list ("Ellesmere" of "Ellesmere [Radeon RX 470/480/570/570X/580/580X/590]").
 */
export function shortDeviceName(vendorName: string | undefined, deviceName: string | undefined, ids: string): string {
  if (!vendorName || !deviceName) return `PCI device ${ids}`;
  const vendor = shortVendorName(vendorName).split('/')[0]?.trim() ?? '';
  const bare = deviceName.replace(/\s*\(rev [0-9a-f]+\)\s*$/i, '').replace(/\s*\[[^\]]*\]/g, '').trim();
  const device = bare || deviceName.replace(/[[\]]/g, '').trim();
  return device.toLowerCase().startsWith(vendor.toLowerCase()) ? device : `${vendor} ${device}`;
}
