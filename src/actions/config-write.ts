/**
 * config-write: a value written to the device's config space at a stage (setpci's
 * OFF.W=VAL). In quirks.c, writes before a reset become a device-specific reset
 * method; the other stages ride on the module's and the hook's sleep machinery (the
 * stages rebind uses too), and vm-test checks them in its load and sleep steps.
 */
import { defineAction, DKMS_HINT, oneOf } from './action.js';
import { InputError } from '../errors.js';
import { formatConfigWrite, parseSetpciWrite, type ConfigWidth } from './setpci.js';

export const WRITE_STAGES = ['before-reset', 'after-resume', 'before-rebind', 'on-load'] as const;
export type WriteStage = (typeof WRITE_STAGES)[number];

export interface ConfigWrite {
  type: 'config-write';
  offset: number;
  width: ConfigWidth;
  value: number;
  when: WriteStage;
}

/** "0x39d5e86b to config register 0x7c (setpci 7c.l=39d5e86b)", for comments and messages. */
export function writesInWords(writes: readonly ConfigWrite[]): string {
  const what = writes.map((w) => `0x${w.value.toString(16)} to config register 0x${w.offset.toString(16)}`).join(', then ');
  return `${what} (setpci ${writes.map(formatConfigWrite).join(' ')})`;
}

const STAGE_TEXT: Record<WriteStage, string> = {
  'before-reset': 'before the device is reset',
  'after-resume': 'after resume',
  'before-rebind': 'before the driver is bound again',
  'on-load': 'when the workaround is loaded',
};

const hex = (n: number, digits: number) => `0x${n.toString(16).padStart(digits, '0')}`;

export default defineAction<ConfigWrite>({
  type: 'config-write',
  schema: {
    description: "Write a value to the device's config space (setpci OFF.W=VAL) at the given stage.",
    type: 'object',
    additionalProperties: false,
    required: ['offset', 'width', 'value', 'when'],
    properties: {
      offset: { type: 'integer', minimum: 0, maximum: 4095, 'x-expected': 'a config-space offset from 0x000 to 0xfff' },
      width: { enum: [8, 16, 32] },
      value: { type: 'integer', minimum: 0, maximum: 4294967295 },
      when: { enum: [...WRITE_STAGES] },
    },
    allOf: [
      {
        if: { required: ['width'], properties: { width: { const: 8 } } },
        then: { properties: { value: { type: 'integer', maximum: 255, 'x-expected': 'a value that fits in 8 bits' } } },
      },
      {
        if: { required: ['width'], properties: { width: { const: 16 } } },
        then: {
          properties: {
            offset: { type: 'integer', multipleOf: 2, 'x-expected': 'an offset aligned to 2 bytes for a 16-bit write' },
            value: { type: 'integer', maximum: 65535, 'x-expected': 'a value that fits in 16 bits' },
          },
        },
      },
      {
        if: { required: ['width'], properties: { width: { const: 32 } } },
        then: { properties: { offset: { type: 'integer', multipleOf: 4, 'x-expected': 'an offset aligned to 4 bytes for a 32-bit write' } } },
      },
    ],
  },
  fromData: (d: Omit<ConfigWrite, 'type'>) => ({ type: 'config-write', ...d }),
  toData: (a) => ({ offset: a.offset, width: a.width, value: a.value, when: a.when }),
  describe: (a) => `config-write ${formatConfigWrite(a)} ${a.when}`,
  explain: (a) =>
    `Write 0x${a.value.toString(16)} to config register 0x${a.offset.toString(16)} (${a.width}-bit) ${STAGE_TEXT[a.when]} (\`setpci ${formatConfigWrite(a)}\`).`,
  json: (a) => ({ ...a, offset: hex(a.offset, 2), value: hex(a.value, a.width / 4) }),
  key: (a) => `config-write@${a.offset}/${a.when}`,
  duplicate: 'a config-write to the same offset at the same stage',
  merge: (cur, want) => {
    if (cur.width === want.width && cur.value === want.value) return [];
    const { offset, width, value, when } = want;
    return [{ path: [], value: { offset, width, value, when }, change: `config-write at ${want.when}: ${formatConfigWrite(cur)} -> ${formatConfigWrite(want)}` }];
  },
  hexDigits: (key, parent) => (key === 'value' ? (Number(parent?.width) || 32) / 4 : key === 'offset' ? 2 : undefined),
  cli: {
    options: [
      { flags: '--config-write <OFF.W=VAL>', description: 'write a config register, setpci syntax, e.g. 7c.l=39d5e86b (repeatable)', repeatable: true },
      { flags: '--when <stage>', description: 'when the --config-write happens (default: before-reset)', choices: WRITE_STAGES },
    ],
    read: (o) => {
      const writes = (o.configWrite as string[] | undefined) ?? [];
      if (o.when !== undefined && writes.length === 0) throw new InputError('--when needs a --config-write to apply to');
      const when: WriteStage = o.when === undefined ? 'before-reset' : oneOf('--when', o.when as string, WRITE_STAGES);
      return writes.map((w) => ({ type: 'config-write', ...parseSetpciWrite(w), when }));
    },
    names: ['--config-write'],
  },
  kernel: {
    skip: (a) =>
      a.when === 'before-reset' ? undefined : `a config write ${a.when === 'on-load' ? 'when the workaround loads' : `at ${a.when}`} has no place in drivers/pci/quirks.c; ${DKMS_HINT}`,
    // Every write before a reset goes into one device-specific reset method.
    kind: 'device-reset',
    place: { resetMethod: true },
    subject: (device) => `PCI: Add device-specific reset for ${device}`,
    summary: (device, writes) => `Add a device-specific reset method for ${device} that writes ${writesInWords(writes)}, so that it can be reset without the methods that fail.`,
    helpText: 'pci_dev_reset_methods[]',
  },
});
