import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deviceTitle, loadPciIds, parsePciIds, shortVendorName } from '../../src/quirks/pci-ids.js';
import { realComponent } from '../helpers/real.js';

describe('pci.ids', () => {
  it('parses vendors, devices and subsystems, and stops at the class list', () => {
    const names = parsePciIds('# comment\n1f9d  Axelera AI\n\t1100  Metis AIPU (rev 02)\n\t\t1f9d 0001  M.2 card\nC 03  Display controller\n\t00  VGA compatible controller\n');
    expect(names.get('1f9d')).toBe('Axelera AI');
    expect(names.get('1f9d:1100')).toBe('Metis AIPU (rev 02)');
    expect(names.get('1f9d:1100:1f9d:0001')).toBe('M.2 card');
    expect(names.size).toBe(3);
  });

  it('shortens vendor names the way people say them', () => {
    expect(shortVendorName('Advanced Micro Devices, Inc. [AMD/ATI]')).toBe('AMD/ATI');
    expect(shortVendorName('Intel Corporation')).toBe('Intel');
    expect(shortVendorName('Axelera AI')).toBe('Axelera AI');
  });

  const system = '/usr/share/misc/pci.ids';
  it.runIf(realComponent('pci.ids (Debian package pci.ids)', existsSync(system)))('names the seed devices from the system pci.ids', () => {
    const ids = loadPciIds([system]);
    expect(deviceTitle(ids, 0x1f9d, 0x1100)).toBe('Axelera AI Metis AIPU');
    expect(deviceTitle(ids, 0x8086, 0x7360)).toBe('Intel XMM7360 LTE Advanced Modem');
    expect(deviceTitle(ids, 0x1002, 0x67df)).toMatch(/^AMD\/ATI Ellesmere/);
  });

  it('falls back to nothing when no file can be read', () => {
    const ids = loadPciIds(['/nonexistent/pci.ids']);
    expect(ids.sources).toEqual([]);
    expect(deviceTitle(ids, 0x1f9d, 0x1100)).toBeUndefined();
  });
});
