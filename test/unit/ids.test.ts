import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { formatDeviceIds, parseDeviceArg } from '../../src/quirks/ids.js';

describe('parseDeviceArg', () => {
  it('reads vendor:device and the subsystem pair', () => {
    expect(parseDeviceArg('1f9d:1100')).toEqual({ vendor: 0x1f9d, device: 0x1100 });
    expect(parseDeviceArg('1002:67DF:1da2:e366')).toEqual({ vendor: 0x1002, device: 0x67df, subvendor: 0x1da2, subdevice: 0xe366 });
  });

  it.each([
    ['1f9d:11000', /device ID '11000' is not four hex digits/],
    ['zz:1100', /vendor ID 'zz' is not four hex digits/],
    ['1f9d', /expected vvvv:dddd/],
    ['1f9d:1100:1234', /expected vvvv:dddd/],
    ['1f9d:110', /device ID '110'/],
    ['0x1f9d:1100', /vendor ID '0x1f9d'/],
    ['', /expected vvvv:dddd/],
  ])('refuses %j', (arg, message) => {
    expect(() => parseDeviceArg(arg)).toThrow(InputError);
    expect(() => parseDeviceArg(arg)).toThrow(message);
  });

  it('prints IDs back as lspci does', () => {
    expect(formatDeviceIds({ vendor: 0x10, device: 0x1 })).toBe('0010:0001');
    expect(formatDeviceIds(parseDeviceArg('1002:67df:1da2:e366'))).toBe('1002:67df:1da2:e366');
  });
});
