import { InputError } from '../errors.js';

/** PCI vendor/device (and optional subsystem) IDs, as the kernel's pci_device_id has them. */
export interface DeviceIds {
  vendor: number;
  device: number;
  subvendor?: number;
  subdevice?: number;
}

const HEX4 = /^[0-9a-fA-F]{4}$/;

/** `1f9d` for 0x1f9d: lowercase, four digits, as lspci -n and the kernel print them. */
export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** `1f9d:1100` or `1002:67df:1da2:e366`. */
export function formatDeviceIds(ids: DeviceIds): string {
  const parts = [ids.vendor, ids.device];
  if (ids.subvendor !== undefined && ids.subdevice !== undefined) parts.push(ids.subvendor, ids.subdevice);
  return parts.map(hex4).join(':');
}

/**
 * Parses `vvvv:dddd[:ssss:ssss]` as typed on the command line. Every ID is exactly four
 * hex digits, because a shorter or longer one is nearly always a typo for another device.
 */
export function parseDeviceArg(arg: string, what = 'device'): DeviceIds {
  const parts = arg.split(':');
  const expected = `expected vvvv:dddd or vvvv:dddd:ssss:ssss, each ID exactly four hex digits (e.g. 1f9d:1100)`;
  if (parts.length !== 2 && parts.length !== 4) {
    throw new InputError(`${what} '${arg}': ${expected}`);
  }
  const names = ['vendor', 'device', 'subsystem vendor', 'subsystem device'];
  parts.forEach((p, i) => {
    if (!HEX4.test(p)) throw new InputError(`${what} '${arg}': ${names[i]} ID '${p}' is not four hex digits; ${expected}`);
  });
  const [vendor, device, subvendor, subdevice] = parts.map((p) => parseInt(p, 16)) as [number, number, number?, number?];
  return subvendor === undefined ? { vendor, device } : { vendor, device, subvendor, subdevice };
}

/** True when two ID sets name the same device entry (subsystem IDs included). */
export function sameDevice(a: DeviceIds, b: DeviceIds): boolean {
  return a.vendor === b.vendor && a.device === b.device && a.subvendor === b.subvendor && a.subdevice === b.subdevice;
}
