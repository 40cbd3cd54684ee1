import { describe, expect, it } from 'vitest';
import { parseIdMacros, resolveId, vendorMacro, ANY_ID } from '../../src/kernel/pci-ids-h.js';
import { applyChange, declaration, findExisting, planChanges, shortDeviceName, type CodeContext } from '../../src/kernel/quirk-code.js';
import { blockComment } from '../../src/lib/c.js';
import { parseQuirksC } from '../../src/kernel/quirks-c.js';
import type { Quirk } from '../../src/quirks/model.js';

/** A quirks.c in miniature, in the shapes the real one has them (an older tree: `int probe`). */
const QUIRKS_C = `// SPDX-License-Identifier: GPL-2.0
#define PCI_DEVICE_ID_FOO	0x1234

static void quirk_no_ata_d3(struct pci_dev *pdev)
{
	pdev->dev_flags |= PCI_DEV_FLAGS_NO_D3;
}
DECLARE_PCI_FIXUP_CLASS_EARLY(PCI_VENDOR_ID_SERVERWORKS, PCI_ANY_ID,
				PCI_CLASS_STORAGE_IDE, 8, quirk_no_ata_d3);

static void quirk_d3hot_delay(struct pci_dev *dev, unsigned int delay)
{
	if (dev->d3hot_delay >= delay)
		return;
	dev->d3hot_delay = delay;
}

static void quirk_radeon_pm(struct pci_dev *dev)
{
	quirk_d3hot_delay(dev, 20);
}
DECLARE_PCI_FIXUP_FINAL(PCI_VENDOR_ID_ATI, 0x6741, quirk_radeon_pm);

static void quirk_no_bus_reset(struct pci_dev *dev)
{
	dev->dev_flags |= PCI_DEV_FLAGS_NO_BUS_RESET;
}

static void quirk_nvidia_no_bus_reset(struct pci_dev *dev)
{
	if ((dev->device & 0xffc0) == 0x2340)
		quirk_no_bus_reset(dev);
}
DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_NVIDIA, PCI_ANY_ID,
			 quirk_nvidia_no_bus_reset);

/*
 * Some Atheros chips do not behave after a bus reset.
 */
DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATHEROS, 0x0030, quirk_no_bus_reset);

#ifdef CONFIG_SOMETHING
DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATHEROS, 0x0099, quirk_no_bus_reset);
#endif

static void quirk_no_pm_reset(struct pci_dev *dev)
{
	if (!pci_is_root_bus(dev->bus))
		dev->dev_flags |= PCI_DEV_FLAGS_NO_PM_RESET;
}
DECLARE_PCI_FIXUP_CLASS_HEADER(PCI_VENDOR_ID_ATI, PCI_ANY_ID,
			       PCI_CLASS_DISPLAY_VGA, 8, quirk_no_pm_reset);

static int reset_foo(struct pci_dev *dev, int probe)
{
	if (probe)
		return 0;
	return 0;
}

static const struct pci_dev_reset_methods pci_dev_reset_methods[] = {
	{ PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_FOO,
		 reset_foo },
	{ PCI_VENDOR_ID_CHELSIO, PCI_ANY_ID, reset_foo },
	{ 0 }
};

int pci_dev_specific_reset(struct pci_dev *dev, int probe)
{
	return -ENOTTY;
}

static void quirk_no_flr(struct pci_dev *dev)
{
	dev->dev_flags |= PCI_DEV_FLAGS_NO_FLR_RESET;
}
DECLARE_PCI_FIXUP_EARLY(PCI_VENDOR_ID_AMD, 0x1487, quirk_no_flr);
`;

const PCI_IDS_H = `#define PCI_VENDOR_ID_NCR		0x1000
#define PCI_VENDOR_ID_LSI_LOGIC		0x1000
#define PCI_VENDOR_ID_ATI		0x1002
#define PCI_VENDOR_ID_AMD		0x1022
#define PCI_VENDOR_ID_NVIDIA		0x10de
#define PCI_VENDOR_ID_CHELSIO		0x1425
#define PCI_VENDOR_ID_ATHEROS		0x168c
#define PCI_VENDOR_ID_INTEL		0x8086
`;

function macros() {
  const m = parseIdMacros(PCI_IDS_H);
  parseIdMacros(QUIRKS_C, m);
  return m;
}

function quirk(vendor: number, device: number, actions: Quirk['actions'] = [{ type: 'no-bus-reset' }]): Quirk {
  return { id: 'q', title: 'Example GPU dies after a bus reset', match: { vendor, device }, actions, upstream: { state: 'none', fixedIn: [] }, references: ['https://example.org/bug/1'] };
}

function ctx(q: Quirk): CodeContext {
  return { quirk: q, deviceName: 'Example GPU', about: ['Example GPU dies after a bus reset.'], macros: macros() };
}

describe('parsing quirks.c', () => {
  const qc = parseQuirksC(QUIRKS_C);

  it('finds fixup declarations, one line or two, with their #if depth', () => {
    expect(qc.fixups.map((f) => [f.pass, f.classBased, f.vendor, f.device, f.hook, f.line, f.endLine, f.depth])).toEqual([
      ['EARLY', true, 'PCI_VENDOR_ID_SERVERWORKS', 'PCI_ANY_ID', 'quirk_no_ata_d3', 8, 9, 0],
      ['FINAL', false, 'PCI_VENDOR_ID_ATI', '0x6741', 'quirk_radeon_pm', 22, 22, 0],
      ['HEADER', false, 'PCI_VENDOR_ID_NVIDIA', 'PCI_ANY_ID', 'quirk_nvidia_no_bus_reset', 34, 35, 0],
      ['HEADER', false, 'PCI_VENDOR_ID_ATHEROS', '0x0030', 'quirk_no_bus_reset', 40, 40, 0],
      ['HEADER', false, 'PCI_VENDOR_ID_ATHEROS', '0x0099', 'quirk_no_bus_reset', 43, 43, 1],
      ['HEADER', true, 'PCI_VENDOR_ID_ATI', 'PCI_ANY_ID', 'quirk_no_pm_reset', 51, 52, 0],
      ['EARLY', false, 'PCI_VENDOR_ID_AMD', '0x1487', 'quirk_no_flr', 77, 77, 0],
    ]);
  });

  it('finds functions, the reset table and the reset methods prototype', () => {
    expect([...qc.functions.keys()]).toEqual(['quirk_no_ata_d3', 'quirk_d3hot_delay', 'quirk_radeon_pm', 'quirk_no_bus_reset', 'quirk_nvidia_no_bus_reset', 'quirk_no_pm_reset', 'reset_foo', 'pci_dev_specific_reset', 'quirk_no_flr']);
    expect(qc.functions.get('quirk_no_pm_reset')).toMatchObject({ line: 46, endLine: 50, params: 'struct pci_dev *dev' });
    expect(qc.resetTable).toEqual({
      line: 61,
      terminatorLine: 65,
      entries: [
        { line: 62, vendor: 'PCI_VENDOR_ID_INTEL', device: 'PCI_DEVICE_ID_FOO', method: 'reset_foo' },
        { line: 64, vendor: 'PCI_VENDOR_ID_CHELSIO', device: 'PCI_ANY_ID', method: 'reset_foo' },
      ],
    });
    expect(qc.probeType).toBe('int');
    expect(parseQuirksC(QUIRKS_C.replace(/int probe\)\n\{\n\treturn -ENOTTY/, 'bool probe)\n{\n\treturn -ENOTTY')).probeType).toBe('bool');
  });

  it('resolves IDs written as macros, literals or PCI_ANY_ID', () => {
    const m = macros();
    expect(resolveId('PCI_VENDOR_ID_ATHEROS', m)).toBe(0x168c);
    expect(resolveId('PCI_DEVICE_ID_FOO', m)).toBe(0x1234);
    expect(resolveId('0x22CE', m)).toBe(0x22ce);
    expect(resolveId('PCI_ANY_ID', m)).toBe(ANY_ID);
    expect(resolveId('PCI_DEVICE_ID_UNKNOWN', m)).toBeUndefined();
  });

  it('names a vendor by the macro quirks.c uses most, else the first defined', () => {
    expect(vendorMacro(0x1002, macros(), QUIRKS_C)).toBe('PCI_VENDOR_ID_ATI');
    expect(vendorMacro(0x1000, macros(), '')).toBe('PCI_VENDOR_ID_NCR');
    expect(vendorMacro(0x1000, macros(), 'DECLARE_PCI_FIXUP_EARLY(PCI_VENDOR_ID_LSI_LOGIC, 1, x);')).toBe('PCI_VENDOR_ID_LSI_LOGIC');
    expect(vendorMacro(0x1f9d, macros(), QUIRKS_C)).toBeUndefined();
  });
});

describe('finding a fix the tree already has', () => {
  const qc = parseQuirksC(QUIRKS_C);
  const m = macros();

  it('an exact declaration for the device', () => {
    expect(findExisting(qc, m, 'no-bus-reset', 0x168c, 0x0030)).toEqual({ exact: [{ line: 40, text: 'DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATHEROS, 0x0030, quirk_no_bus_reset);' }], broad: [] });
    expect(findExisting(qc, m, 'no-flr', 0x1022, 0x1487).exact).toHaveLength(1);
    expect(findExisting(qc, m, 'no-bus-reset', 0x168c, 0x0031)).toEqual({ exact: [], broad: [] });
  });

  it('a fixup of another kind for the device does not count', () => {
    expect(findExisting(qc, m, 'no-pm-reset', 0x168c, 0x0030)).toEqual({ exact: [], broad: [] });
  });

  it('PCI_ANY_ID, class matches and conditional hooks may cover it: worth a note, not a refusal', () => {
    expect(findExisting(qc, m, 'no-bus-reset', 0x10de, 0x2341)).toEqual({ exact: [], broad: [{ line: 34, text: 'DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_NVIDIA, PCI_ANY_ID, quirk_nvidia_no_bus_reset);' }] });
    expect(findExisting(qc, m, 'no-pm-reset', 0x1002, 0x67df).broad).toHaveLength(1);
    expect(findExisting(qc, m, 'd3hot-delay', 0x1002, 0x6741).exact).toHaveLength(1);
    expect(findExisting(qc, m, 'no-d3', 0x1166, 0x0211).broad).toHaveLength(0);
  });

  it('device-specific reset entries, by macro or PCI_ANY_ID', () => {
    expect(findExisting(qc, m, 'device-reset', 0x8086, 0x1234).exact).toEqual([{ line: 62, text: '{ PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_FOO, reset_foo }' }]);
    expect(findExisting(qc, m, 'device-reset', 0x1425, 0x0001)).toMatchObject({ exact: [], broad: [{ line: 64 }] });
  });
});

describe('writing a fix', () => {
  const qc = parseQuirksC(QUIRKS_C);

  it('no-bus-reset: after the last unconditional quirk_no_bus_reset line, under a comment naming the device, failure and reference', () => {
    const q = quirk(0x1002, 0x67df);
    const out = applyChange(QUIRKS_C, qc, { kind: 'no-bus-reset', actions: q.actions }, ctx(q));
    expect(out).toContain(
      'DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATHEROS, 0x0030, quirk_no_bus_reset);\n\n/*\n * Example GPU dies after a bus reset.\n * https://example.org/bug/1\n */\nDECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATI, 0x67df, quirk_no_bus_reset);\n\n#ifdef CONFIG_SOMETHING\n',
    );
  });

  it('raw hex for a vendor pci_ids.h does not name', () => {
    const q = quirk(0x1f9d, 0x1100, [{ type: 'no-flr' }]);
    const out = applyChange(QUIRKS_C, qc, { kind: 'no-flr', actions: q.actions }, ctx(q));
    expect(out).toMatch(/quirk_no_flr\);\n\n\/\*\n[^]*\*\/\nDECLARE_PCI_FIXUP_EARLY\(0x1f9d, 0x1100, quirk_no_flr\);\n$/);
  });

  it('no-d3 and d3hot-delay: a small hook, placed with the tree’s own hooks of that kind', () => {
    const q = quirk(0x1002, 0x67df, [{ type: 'no-d3' }, { type: 'd3hot-delay', ms: 120 }]);
    const noD3 = applyChange(QUIRKS_C, qc, { kind: 'no-d3', actions: [{ type: 'no-d3' }] }, ctx(q));
    expect(noD3).toContain('quirk_no_ata_d3);\n\n/*\n * Example GPU dies after a bus reset.\n * https://example.org/bug/1\n */\nstatic void quirk_example_gpu_no_d3(struct pci_dev *dev)\n{\n\tdev->dev_flags |= PCI_DEV_FLAGS_NO_D3;\n}\nDECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATI, 0x67df, quirk_example_gpu_no_d3);\n\nstatic void quirk_d3hot_delay');
    const delay = applyChange(QUIRKS_C, qc, { kind: 'd3hot-delay', actions: [{ type: 'd3hot-delay', ms: 120 }] }, ctx(q));
    expect(delay).toContain('quirk_radeon_pm);\n\n/*\n * Example GPU dies after a bus reset.\n * https://example.org/bug/1\n */\nstatic void quirk_example_gpu_d3hot_delay(struct pci_dev *dev)\n{\n\tquirk_d3hot_delay(dev, 120);\n}\nDECLARE_PCI_FIXUP_FINAL(PCI_VENDOR_ID_ATI, 0x67df,\n\t\t\tquirk_example_gpu_d3hot_delay);\n');
  });

  it('config-write before-reset: a device-specific reset with the tree’s probe type, last in the table', () => {
    const q = quirk(0x1002, 0x67df, [
      { type: 'config-write', offset: 0x7c, width: 32, value: 0x39d5e86b, when: 'before-reset' },
      { type: 'config-write', offset: 0x04, width: 16, value: 0x0, when: 'before-reset' },
    ]);
    const plan = planChanges(q);
    expect(plan.changes).toEqual([{ kind: 'device-reset', actions: q.actions }]);
    const out = applyChange(QUIRKS_C, qc, plan.changes[0] as (typeof plan.changes)[0], ctx(q));
    expect(out).toContain(
      '\tpci_write_config_dword(dev, 0x7c, 0x39d5e86b);\n\tpci_write_config_word(dev, 0x4, 0x0);\n\n\treturn 0;\n}\n\nstatic const struct pci_dev_reset_methods pci_dev_reset_methods[] = {\n',
    );
    expect(out).toContain('static int reset_example_gpu(struct pci_dev *dev, int probe)\n{\n\tif (probe)\n\t\treturn 0;\n');
    expect(out).toContain('reset_foo },\n\t{ PCI_VENDOR_ID_ATI, 0x67df, reset_example_gpu },\n\t{ 0 }\n};');
    expect(out).toContain(' * Reset it by writing 0x39d5e86b to config register 0x7c, then 0x0 to config\n * register 0x4 (setpci 7c.l=39d5e86b 4.w=0000).\n');
  });

  it('keeps a generated function name unique in the file', () => {
    const q = quirk(0x1002, 0x67df, [{ type: 'no-d3' }]);
    const taken = parseQuirksC(`${QUIRKS_C}\nstatic void quirk_example_gpu_no_d3(struct pci_dev *dev)\n{\n}\n`);
    expect(applyChange(taken.lines.join('\n'), taken, { kind: 'no-d3', actions: q.actions }, ctx(q))).toContain('static void quirk_example_gpu_no_d3_67df(struct pci_dev *dev)');
  });

  it('refuses a tree without the helper a kind needs', () => {
    const q = quirk(0x1002, 0x67df);
    const old = parseQuirksC(QUIRKS_C.replace(/static void quirk_no_bus_reset[^]*?\n}\n/, ''));
    expect(() => applyChange(QUIRKS_C, old, { kind: 'no-bus-reset', actions: q.actions }, ctx(q))).toThrow(/has no quirk_no_bus_reset\(\); choose a newer --base/);
  });
});

describe('the pieces of generated C', () => {
  it('block comments cannot be closed by what the user wrote', () => {
    expect(blockComment(['A title with */ and /* in it.'])).toEqual(['/*', ' * A title with * / and / * in it.', ' */']);
  });

  it('declarations wrap after 80 columns, aligned with the parenthesis', () => {
    expect(declaration('HEADER', ['PCI_VENDOR_ID_ATI', '0x67df', 'quirk_no_bus_reset'])).toBe('DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATI, 0x67df, quirk_no_bus_reset);');
    expect(declaration('EARLY', ['PCI_VENDOR_ID_MARVELL_EXT', '0x9215', 'quirk_marvell_88se9215_no_d3'])).toBe('DECLARE_PCI_FIXUP_EARLY(PCI_VENDOR_ID_MARVELL_EXT, 0x9215,\n\t\t\tquirk_marvell_88se9215_no_d3);');
  });

  it('plans one change per kind; rebind and other config writes are left to dkms', () => {
    const plan = planChanges(
      quirk(0x1002, 0x67df, [
        { type: 'rebind', around: ['suspend'], method: 'unbind-bind' },
        { type: 'no-flr' },
        { type: 'config-write', offset: 0x7c, width: 32, value: 1, when: 'after-resume' },
      ]),
    );
    expect(plan.changes).toEqual([{ kind: 'no-flr', actions: [{ type: 'no-flr' }] }]);
    expect(plan.skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/no in-kernel PCI quirk mechanism; 'quirkctl dkms' builds a workaround module/),
      expect.stringMatching(/a config write at after-resume has no place in drivers\/pci\/quirks\.c/),
    ]);
  });

  it('names a device from pci.ids the way a summary line would', () => {
    expect(shortDeviceName('Advanced Micro Devices, Inc. [AMD/ATI]', 'Ellesmere [Radeon RX 470/480/570/570X/580/580X/590]', '1002:67df')).toBe('AMD Ellesmere');
    expect(shortDeviceName('Intel Corporation', 'Ethernet Connection (2) I219-V (rev 02)', '8086:15b8')).toBe('Intel Ethernet Connection (2) I219-V');
    expect(shortDeviceName('ASMedia Technology Inc.', 'ASM1164 Serial ATA AHCI Controller', '1b21:1164')).toBe('ASMedia Technology ASM1164 Serial ATA AHCI Controller');
    expect(shortDeviceName(undefined, undefined, '1f9d:1100')).toBe('PCI device 1f9d:1100');
  });
});
