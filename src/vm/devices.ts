/**
 * The PCI devices qemu emulates that a quirk can be proven on, and how the guest gets
 * their in-kernel driver. Each sits behind a pcie-root-port on q35, so the kernel offers
 * a secondary bus reset for it (`bus` in reset_method).
 */
import { InputError } from '../errors.js';
import { formatDeviceIds, hex4, type DeviceIds } from '../quirks/ids.js';
import type { Quirk } from '../quirks/model.js';

export interface EmulatedDevice {
  ids: { vendor: number; device: number };
  /** qemu's -device name. */
  qemu: string;
  /** The PCI driver as sysfs names it (/sys/bus/pci/drivers/<driver>). */
  driver: string;
  /** Modules to load for it, by name; their dependencies come from modules.dep. */
  modules: string[];
  /** For people: what it is and which reset methods the kernel offers for it. */
  description: string;
}

export const EMULATED_DEVICES: EmulatedDevice[] = [
  { ids: { vendor: 0x8086, device: 0x100e }, qemu: 'e1000', driver: 'e1000', modules: ['e1000'], description: 'Intel 82540EM (qemu e1000): conventional PCI, no PM capability; reset methods: bus' },
  { ids: { vendor: 0x8086, device: 0x10d3 }, qemu: 'e1000e', driver: 'e1000e', modules: ['e1000e'], description: 'Intel 82574L (qemu e1000e): PCIe; reset methods: pm, bus' },
  { ids: { vendor: 0x1af4, device: 0x1041 }, qemu: 'virtio-net-pci', driver: 'virtio-pci', modules: ['virtio_pci'], description: 'virtio network device (qemu virtio-net-pci, modern): PCIe with FLR; reset methods: flr, pm, bus' },
];

/** `8086:100e` */
export function hexIds(d: EmulatedDevice): string {
  return formatDeviceIds(d.ids);
}

function listDevices(): string {
  return EMULATED_DEVICES.map((d) => `${formatDeviceIds(d.ids)} (${d.qemu})`).join(', ');
}

function emulated(ids: DeviceIds): EmulatedDevice | undefined {
  return EMULATED_DEVICES.find((d) => d.ids.vendor === ids.vendor && d.ids.device === ids.device);
}

/** `--as vvvv:dddd`: exactly a vendor and a device ID, of a device qemu can emulate. */
export function parseAs(text: string): EmulatedDevice {
  if (!/^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/.test(text)) {
    throw new InputError(`--as '${text}': expected vvvv:dddd, a vendor and a device ID of four hex digits each (e.g. 8086:100e)`);
  }
  const [vendor, device] = text.split(':').map((p) => parseInt(p, 16)) as [number, number];
  const d = emulated({ vendor, device });
  if (!d) throw new InputError(`--as '${text}': qemu emulates no device the harness knows by that ID; use one of ${listDevices()}`);
  return d;
}

export interface DeviceChoice {
  device: EmulatedDevice;
  /** The module's match table is re-targeted at the device (--as). */
  retarget: boolean;
}

/**
 * The device to prove `quirks` on: the one --as names (the module's match table is
 * re-targeted at it), else their own device when qemu emulates it.
 */
export function chooseDevice(quirks: Quirk[], as?: string): DeviceChoice {
  if (as !== undefined) return { device: parseAs(as), retarget: true };
  const ids = [...new Set(quirks.map((q) => `${hex4(q.match.vendor)}:${hex4(q.match.device)}`))];
  const own = ids.length === 1 ? emulated(quirks[0]!.match) : undefined;
  if (own) return { device: own, retarget: false };
  const which = quirks.length === 1 ? `quirk ${quirks[0]!.id} matches ${ids[0]}, which qemu does not emulate` : ids.length === 1 ? `the selected quirks match ${ids[0]}, which qemu does not emulate` : `the selected quirks match ${ids.length} different devices (${ids.join(', ')})`;
  throw new InputError(`${which}: pass --as vvvv:dddd to re-target them at an emulated device, one of ${listDevices()}`);
}
