/**
 * The ID macros of a kernel tree's include/linux/pci_ids.h (and the local #defines of
 * quirks.c), so that generated code names a vendor the way the tree does and so that
 * existing fixups written with macros can be compared with a quirk's numeric IDs.
 */

export interface IdMacros {
  /** Macro name -> value, for every `#define NAME 0x...` (or decimal) seen. */
  values: Map<string, number>;
  /** Order of definition, for a stable choice between macros of equal value. */
  order: Map<string, number>;
}

const DEFINE = /^#define[ \t]+([A-Za-z_]\w*)[ \t]+(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b/gm;

/** Every numeric #define of a C file (pci_ids.h, or quirks.c's own). */
export function parseIdMacros(text: string, into?: IdMacros): IdMacros {
  const out = into ?? { values: new Map<string, number>(), order: new Map<string, number>() };
  for (const m of text.matchAll(DEFINE)) {
    const name = m[1] as string;
    if (out.values.has(name)) continue;
    out.values.set(name, Number(m[2]));
    out.order.set(name, out.order.size);
  }
  return out;
}

/** PCI_ANY_ID is (~0) in pci.h: it matches every vendor or device. */
export const ANY_ID = -1;

/**
 * The number an ID argument of a DECLARE_PCI_FIXUP_* line or a reset-table entry stands
 * for: a literal, PCI_ANY_ID, or a macro; undefined when it cannot be resolved.
 */
export function resolveId(token: string, macros: IdMacros): number | undefined {
  const t = token.trim().replace(/^\(u16\)\s*/, '');
  if (t === 'PCI_ANY_ID') return ANY_ID;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return parseInt(t, 16);
  if (/^\d+$/.test(t)) return Number(t);
  return macros.values.get(t);
}

/**
 * The PCI_VENDOR_ID_* macro generated code should use for a vendor ID, or undefined
 * when pci_ids.h defines none (then the caller writes raw hex). Where several macros
 * share a value (NCR and LSI_LOGIC, FREESCALE and NXP), the one quirks.c already uses
 * most wins, so the new line reads like its neighbours; then the first defined.
 */
export function vendorMacro(vendor: number, macros: IdMacros, quirksC = ''): string | undefined {
  const names = [...macros.values.entries()]
    .filter(([name, value]) => value === vendor && name.startsWith('PCI_VENDOR_ID_'))
    .map(([name]) => name);
  if (names.length <= 1) return names[0];
  const uses = (name: string) => (quirksC.match(new RegExp(`\\b${name}\\b`, 'g')) ?? []).length;
  return names.sort((a, b) => uses(b) - uses(a) || (macros.order.get(a) ?? 0) - (macros.order.get(b) ?? 0))[0];
}
