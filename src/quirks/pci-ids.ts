/**
 * Device names from pci.ids (the PCI ID Repository, as lspci reads it). Parsed on demand
 * and only by commands that print names, so `list` stays fast.
 */
import { readFileSync } from 'node:fs';
import { hex4 } from './ids.js';

export interface PciIds {
  /** The files that were read; empty when none could be. */
  sources: string[];
  vendor(vendor: number): string | undefined;
  device(vendor: number, device: number): string | undefined;
  subsystem(vendor: number, device: number, subvendor: number, subdevice: number): string | undefined;
}

/** Parses pci.ids text: vendors at column 0, devices after one tab, subsystems after two. */
export function parsePciIds(text: string): Map<string, string> {
  const names = new Map<string, string>();
  let vendor = '';
  let device = '';
  for (const line of text.split('\n')) {
    if (line === '' || line[0] === '#') continue;
    // The class list at the end ("C 03  Display controller") uses the same indentation.
    if (line.startsWith('C ')) break;
    if (line[0] !== '\t') {
      const m = /^([0-9a-f]{4}) {2}(.+)$/.exec(line);
      if (!m) continue;
      vendor = m[1] as string;
      names.set(vendor, m[2] as string);
    } else if (line[1] !== '\t') {
      const m = /^\t([0-9a-f]{4}) {2}(.+)$/.exec(line);
      if (!m) continue;
      device = `${vendor}:${m[1]}`;
      names.set(device, m[2] as string);
    } else {
      const m = /^\t\t([0-9a-f]{4}) ([0-9a-f]{4}) {2}(.+)$/.exec(line);
      if (m) names.set(`${device}:${m[1]}:${m[2]}`, m[3] as string);
    }
  }
  return names;
}

/** Loads the first readable of `paths`; later files only fill names the earlier lack. */
export function loadPciIds(paths: readonly string[]): PciIds {
  const tables: Map<string, string>[] = [];
  const sources: string[] = [];
  for (const p of paths) {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch {
      continue;
    }
    tables.push(parsePciIds(text));
    sources.push(p);
  }
  const get = (key: string) => {
    for (const t of tables) {
      const v = t.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  return {
    sources,
    vendor: (v) => get(hex4(v)),
    device: (v, d) => get(`${hex4(v)}:${hex4(d)}`),
    subsystem: (v, d, sv, sd) => get(`${hex4(v)}:${hex4(d)}:${hex4(sv)}:${hex4(sd)}`),
  };
}

/**
 * The short vendor name people use: the bracketed alias when pci.ids has one
 * ("Advanced Micro Devices, Inc. [AMD/ATI]" -> "AMD/ATI"), else without the company form.
 */
export function shortVendorName(name: string): string {
  const alias = /\[([^\]]+)\]\s*$/.exec(name);
  if (alias) return alias[1] as string;
  return name.replace(/,?\s+(Inc\.?|Corporation|Corp\.?|Co\.,? Ltd\.?|Ltd\.?|GmbH|AG|B\.V\.|S\.A\.|LLC)$/i, '').trim();
}

/** "Axelera AI Metis AIPU" from vendor "Axelera AI" and device "Metis AIPU (rev 02)". */
export function deviceTitle(ids: PciIds, vendor: number, device: number): string | undefined {
  const v = ids.vendor(vendor);
  const d = ids.device(vendor, device);
  if (!v || !d) return undefined;
  // A revision note belongs to one silicon stepping, not to the quirk's device entry.
  return `${shortVendorName(v)} ${d.replace(/\s*\(rev [0-9a-f]+\)\s*$/i, '')}`;
}
