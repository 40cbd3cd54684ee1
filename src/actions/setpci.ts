import { InputError } from '../errors.js';

export type ConfigWidth = 8 | 16 | 32;

const WIDTHS: Record<string, ConfigWidth> = { b: 8, w: 16, l: 32 };
const WIDTH_LETTER: Record<ConfigWidth, string> = { 8: 'b', 16: 'w', 32: 'l' };
const MAX_OFFSET = 0xfff; // end of PCIe extended config space

/**
 * Parses one register write in setpci's syntax, `OFFSET.WIDTH=VALUE` with hex numbers,
 * e.g. `7c.l=39d5e86b`. Named registers and masks are setpci features we do not need
 * for quirks, so they are refused with a message rather than guessed at.
 */
export function parseSetpciWrite(arg: string, what = '--config-write'): { offset: number; width: ConfigWidth; value: number } {
  const expected = 'expected OFFSET.WIDTH=VALUE in setpci syntax, hex numbers, WIDTH one of b (8 bits), w (16), l (32), e.g. 7c.l=39d5e86b';
  const m = /^(?:0x)?([0-9a-fA-F]+)(?:\.([^=]*))?=(.*)$/.exec(arg);
  if (!m) throw new InputError(`${what} '${arg}': ${expected}`);
  const [, offText, widthText, valueText] = m as unknown as [string, string, string | undefined, string];
  const offset = parseInt(offText, 16);
  if (offset > MAX_OFFSET) {
    throw new InputError(`${what} '${arg}': offset 0x${offText} is past the end of config space; expected 0x000 to 0xfff`);
  }
  if (widthText === undefined) throw new InputError(`${what} '${arg}': missing width; ${expected}`);
  const width = WIDTHS[widthText.toLowerCase()];
  if (width === undefined) {
    throw new InputError(`${what} '${arg}': width '.${widthText}' is not one of .b, .w, .l (8, 16 or 32 bits)`);
  }
  if (offset % (width / 8) !== 0) {
    throw new InputError(`${what} '${arg}': offset 0x${offText} is not aligned for a ${width}-bit write; expected a multiple of ${width / 8}`);
  }
  if (valueText.includes(':')) throw new InputError(`${what} '${arg}': masks (VALUE:MASK) are not supported; give the whole value`);
  if (valueText.includes(',')) throw new InputError(`${what} '${arg}': give one value per --config-write`);
  const v = /^(?:0x)?([0-9a-fA-F]{1,8})$/.exec(valueText);
  if (!v) throw new InputError(`${what} '${arg}': value '${valueText}' is not a hex number`);
  const value = parseInt(v[1] as string, 16);
  if (value >= 2 ** width) {
    throw new InputError(`${what} '${arg}': value 0x${v[1]} does not fit in ${width} bits`);
  }
  return { offset, width, value };
}

/** `7c.l=39d5e86b`, the setpci form users know. */
export function formatConfigWrite(a: { offset: number; width: ConfigWidth; value: number }): string {
  return `${a.offset.toString(16)}.${WIDTH_LETTER[a.width]}=${a.value.toString(16).padStart(a.width / 4, '0')}`;
}
