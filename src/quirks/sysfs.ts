/** PCI devices as sysfs shows them, and which quirks match them. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { Match, Quirk } from './model.js';

export interface PciDevice {
  bdf: string;
  vendor: number;
  device: number;
  subvendor: number;
  subdevice: number;
  class: number;
  revision: number;
  driver?: string;
}

function readHex(dir: string, name: string): number | undefined {
  try {
    const text = readFileSync(path.join(dir, name), 'utf8').trim();
    return /^0x[0-9a-fA-F]+$/.test(text) ? parseInt(text, 16) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads ROOT/bus/pci/devices/* (ROOT is /sys on a live system). */
export function scanSysfs(root: string): PciDevice[] {
  const base = path.join(root, 'bus', 'pci', 'devices');
  let entries: string[];
  try {
    entries = readdirSync(base);
  } catch (e) {
    throw new Error(`cannot read ${base}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const devices: PciDevice[] = [];
  for (const bdf of entries.sort()) {
    const dir = path.join(base, bdf);
    const vendor = readHex(dir, 'vendor');
    const device = readHex(dir, 'device');
    if (vendor === undefined || device === undefined) continue;
    const dev: PciDevice = {
      bdf,
      vendor,
      device,
      subvendor: readHex(dir, 'subsystem_vendor') ?? 0,
      subdevice: readHex(dir, 'subsystem_device') ?? 0,
      class: readHex(dir, 'class') ?? 0,
      revision: readHex(dir, 'revision') ?? 0,
    };
    try {
      dev.driver = path.basename(readlinkSync(path.join(dir, 'driver')));
    } catch {
      // unbound device: no driver link
    }
    devices.push(dev);
  }
  return devices;
}

/** pci_match_one_device() semantics: every field the quirk names must agree. */
export function matches(m: Match, d: PciDevice): boolean {
  if (m.vendor !== d.vendor || m.device !== d.device) return false;
  if (m.subvendor !== undefined && m.subvendor !== d.subvendor) return false;
  if (m.subdevice !== undefined && m.subdevice !== d.subdevice) return false;
  if (m.class && (d.class & m.class.mask) !== m.class.value) return false;
  if (m.revision !== undefined && m.revision !== d.revision) return false;
  return true;
}

export interface ScanHit {
  device: PciDevice;
  quirk: Quirk;
}

export function matchDevices(quirks: Quirk[], devices: PciDevice[]): ScanHit[] {
  const hits: ScanHit[] = [];
  for (const device of devices) {
    for (const quirk of quirks) if (matches(quirk.match, device)) hits.push({ device, quirk });
  }
  return hits;
}
