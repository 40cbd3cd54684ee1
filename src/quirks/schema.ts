/**
 * The JSON Schema of a quirk's front matter (schema/quirk.schema.json), its actions from
 * the action registry. `npm run schema` writes the file; a test holds the committed file
 * to what this makes.
 */
import { actionSchema } from '../actions/schema.js';

export function quirkSchema(): Record<string, unknown> {
  return {
    '$schema': 'http://json-schema.org/draft-07/schema#',
    '$id': 'urn:quirkctl:schema:quirk:1',
    title: 'quirkctl quirk',
    description: 'The YAML front matter of one quirks/<id>.md file: which PCI device it matches and what to do about it.',
    type: 'object',
    additionalProperties: false,
    required: ['id', 'title', 'match', 'actions'],
    properties: {
      id: {
        description: 'Stable name of the quirk; also its file name, quirks/<id>.md.',
        type: 'string',
        maxLength: 64,
        pattern: '^[a-z0-9][a-z0-9-]*$',
        'x-expected': "lowercase letters, digits and '-', starting with a letter or digit, at most 64 characters",
      },
      title: {
        description: 'One line naming the device and the failure; used in generated C comments, patch subjects and docs.',
        type: 'string',
        minLength: 1,
        maxLength: 120,
        pattern: "^[^\\u0000-\\u001f\\u007f]*$",
        'x-expected': 'one line of text without control characters, at most 120 characters',
      },
      match: {
        description: "Which devices the quirk applies to, as in the kernel's struct pci_device_id.",
        type: 'object',
        additionalProperties: false,
        required: ['vendor', 'device'],
        dependencies: {
          subvendor: ['subdevice'],
          subdevice: ['subvendor'],
        },
        properties: {
          vendor: {
            '$ref': '#/definitions/id16',
          },
          device: {
            '$ref': '#/definitions/id16',
          },
          subvendor: {
            '$ref': '#/definitions/id16',
          },
          subdevice: {
            '$ref': '#/definitions/id16',
          },
          class: {
            description: '24-bit class code (base, sub, prog-if) compared under mask, e.g. { value: 0x030000, mask: 0xff0000 }.',
            type: 'object',
            additionalProperties: false,
            required: ['value'],
            properties: {
              value: {
                type: 'integer',
                minimum: 0,
                maximum: 16777215,
                'x-expected': 'a 24-bit class code such as 0x030000',
              },
              mask: {
                type: 'integer',
                minimum: 0,
                maximum: 16777215,
                'x-expected': 'a 24-bit mask such as 0xff0000',
              },
            },
          },
          revision: {
            type: 'integer',
            minimum: 0,
            maximum: 255,
            'x-expected': 'a revision ID from 0x00 to 0xff',
          },
        },
      },
      driver: {
        description: 'Name of the kernel driver that binds the device (module name rules).',
        type: 'string',
        pattern: '^[A-Za-z0-9_-]{1,55}$',
        'x-expected': "a kernel module name: letters, digits, '_' or '-', at most 55 characters",
      },
      actions: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: {
          '$ref': '#/definitions/action',
        },
      },
      kernels: {
        description: "Kernel versions that need the workaround, as a semver range (\">=6.1 <6.14\"); absent means all.",
        type: 'string',
        format: 'semver-range',
      },
      upstream: {
        type: 'object',
        additionalProperties: false,
        required: ['state'],
        properties: {
          state: {
            enum: ['none', 'drafted', 'sent', 'reviewed', 'applied', 'merged'],
          },
          thread: {
            description: 'The review thread: a lore URL or a Message-ID.',
            type: 'string',
            pattern: "^(https?://\\S+|<?[^<>\\s@]+@[^<>\\s@]+>?)$",
            'x-expected': 'a lore URL or a Message-ID',
          },
          commit: {
            type: 'string',
            pattern: '^[0-9a-f]{12,40}$',
            'x-expected': 'a commit id of 12 to 40 lowercase hex digits',
          },
          'fixed-in': {
            description: 'First kernel releases of each line that carry the fix (6.14, 6.12.9, ...).',
            type: 'array',
            uniqueItems: true,
            items: {
              type: 'string',
              pattern: "^[0-9]+\\.[0-9]+(\\.[0-9]+)?$",
              'x-expected': 'a kernel release such as 6.14 or 6.12.9',
            },
          },
        },
      },
      references: {
        type: 'array',
        uniqueItems: true,
        items: {
          type: 'string',
          pattern: "^https?://[^\\s<>\"]+$",
          'x-expected': 'an http(s) URL',
        },
      },
    },
    definitions: {
      id16: {
        type: 'integer',
        minimum: 0,
        maximum: 65535,
        'x-expected': 'a 16-bit ID written in hex, e.g. 0x1f9d',
      },
      action: actionSchema(),
    },
  };
}

/** The file's text: two-space JSON and a final newline. */
export function quirkSchemaText(): string {
  return `${JSON.stringify(quirkSchema(), null, 2)}\n`;
}
