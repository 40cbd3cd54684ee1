import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatConfigWrite, parseSetpciWrite, type ConfigWidth } from '../../src/actions/setpci.js';

describe('parseSetpciWrite', () => {
  it('reads setpci register writes', () => {
    expect(parseSetpciWrite('7c.l=39d5e86b')).toEqual({ offset: 0x7c, width: 32, value: 0x39d5e86b });
    expect(parseSetpciWrite('4.w=0x0406')).toEqual({ offset: 4, width: 16, value: 0x406 });
    expect(parseSetpciWrite('0x3c.B=ff')).toEqual({ offset: 0x3c, width: 8, value: 0xff });
    expect(parseSetpciWrite('ffc.l=0')).toEqual({ offset: 0xffc, width: 32, value: 0 });
  });

  it.each([
    ['7c.q=1', /width '\.q' is not one of \.b, \.w, \.l/],
    ['7c=1', /missing width/],
    ['1000.l=1', /offset 0x1000 is past the end of config space; expected 0x000 to 0xfff/],
    ['7e.l=1', /not aligned for a 32-bit write/],
    ['7d.w=1', /not aligned for a 16-bit write/],
    ['7c.b=100', /does not fit in 8 bits/],
    ['7c.w=10000', /does not fit in 16 bits/],
    ['7c.l=123456789', /not a hex number/],
    ['7c.l=1:ff', /masks .* are not supported/],
    ['7c.l=1,2', /one value per/],
    ['COMMAND.w=1', /expected OFFSET\.WIDTH=VALUE/],
    ['7c.l=zz', /value 'zz' is not a hex number/],
  ])('refuses %j', (arg, message) => {
    expect(() => parseSetpciWrite(arg)).toThrow(message);
  });

  it('parses what formatConfigWrite prints, for every valid write', () => {
    const write = fc
      .constantFrom<ConfigWidth>(8, 16, 32)
      .chain((width) =>
        fc.record({
          width: fc.constant(width),
          offset: fc.integer({ min: 0, max: Math.floor(0xfff / (width / 8)) }).map((n) => n * (width / 8)),
          value: fc.integer({ min: 0, max: 2 ** width - 1 }),
        }),
      );
    fc.assert(
      fc.property(write, (w) => {
        expect(parseSetpciWrite(formatConfigWrite(w))).toEqual(w);
      }),
    );
  });
});
