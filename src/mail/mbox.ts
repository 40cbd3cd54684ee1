/**
 * mbox splitting. public-inbox serves mboxrd (every body line matching /^>*From / gets
 * one more '>'), so un-escaping removes exactly one '>' from such lines and nothing else.
 * Works on bytes: list mail comes in every charset and must reach the MIME parser intact.
 */

/** Splits an mbox into raw messages (From_ lines dropped, mboxrd quoting undone). */
export function splitMbox(data: Buffer): Buffer[] {
  // latin1 maps bytes 1:1 to code units, so the split cannot damage multi-byte text.
  const text = data.toString('latin1');
  const lines = text.split('\n');
  const messages: string[][] = [];
  let current: string[] | undefined;
  let previousBlank = true;
  for (const line of lines) {
    // A separator is a From_ line at the start or after a blank line (the classic mbox rule,
    // which also holds for mboxrd and keeps odd separators such as `From A` working).
    if (previousBlank && line.startsWith('From ')) {
      current = [];
      messages.push(current);
      previousBlank = false;
      continue;
    }
    if (!current) {
      // A bare RFC 822 file (no From_ line at all) is one message; leading blank lines are junk.
      if (line.trim() === '') continue;
      current = [];
      messages.push(current);
    }
    current.push(/^>+From /.test(line) ? line.slice(1) : line);
    previousBlank = line === '' || line === '\r';
  }
  return messages
    .map((m) => {
      // The blank line before the next From_ belongs to the framing, not the message.
      while (m.length && (m[m.length - 1] === '' || m[m.length - 1] === '\r')) m.pop();
      return Buffer.from(`${m.join('\n')}\n`, 'latin1');
    })
    .filter((m) => m.length > 1);
}

/** The header block of a raw message, unfolded, as [lowercased name, value] pairs. */
export function headerFields(raw: Buffer): [string, string][] {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = end < 0 ? text : text.slice(0, end);
  const fields: [string, string][] = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length) {
      const last = fields[fields.length - 1]!;
      last[1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) fields.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return fields;
}

/** Every <id> in a Message-ID, In-Reply-To or References value, without brackets. */
export function messageIds(value: string | undefined): string[] {
  if (!value) return [];
  return [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!).filter((id) => id.includes('@'));
}
