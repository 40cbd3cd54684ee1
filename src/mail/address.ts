/**
 * Mail addresses as people type them (`Name <user@example.org>`, `user@example.org`),
 * parsed strictly: anything that could smuggle a header or an extra recipient into a
 * mail (line breaks, control characters, several addresses in one value, group syntax)
 * is refused before it gets near a header.
 */
import { InputError } from '../errors.js';
import { encodeRfc2047, needsRfc2047, needsRfc822Quoting, quoteRfc822 } from './headers.js';

export interface Mailbox {
  name?: string;
  address: string;
}

const EXPECTED = "expected one mail address, 'Name <user@example.org>' or user@example.org";
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL = new RegExp(`^${ATOM}(\\.${ATOM})*$`);
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function problem(text: string): string | null {
  if (/[\u0000-\u001f\u007f]/.test(text)) return 'contains a line break or control character, which could add headers to the mail';
  return null;
}

function addressProblem(addr: string): string | null {
  const at = addr.lastIndexOf('@');
  if (at <= 0 || at === addr.length - 1) return `'${addr}' has no user@domain form`;
  const local = addr.slice(0, at);
  const domain = addr.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) return `'${local}' is not a plain mailbox name (letters, digits and !#$%&'*+/=?^_\`{|}~.- only)`;
  if (domain.length > 253 || !domain.split('.').every((l) => LABEL.test(l))) return `'${domain}' is not a domain name`;
  return null;
}

/** Parses one mailbox; `what` names the argument or field in the message (exit 2). */
export function parseMailbox(text: string, what: string): Mailbox {
  const fail = (why: string): never => {
    throw new InputError(`${what} ${JSON.stringify(text)}: ${why}; ${EXPECTED}`);
  };
  const control = problem(text);
  if (control) fail(control);
  const s = text.trim();
  if (s.length === 0) fail('is empty');
  if (s.length > 320) fail('is longer than 320 characters');
  const angle = /^(.*?)\s*<([^<>]*)>$/.exec(s);
  if (!angle) {
    if (/[<>,;:"\s()]/.test(s)) fail('is not a single address (a comma, semicolon, space or bracket suggests several addresses or a header)');
    const bad = addressProblem(s);
    if (bad) fail(bad);
    return { address: s };
  }
  let name = (angle[1] ?? '').trim();
  const address = angle[2] ?? '';
  const bad = addressProblem(address);
  if (bad) fail(bad);
  if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) {
    const inner = name.slice(1, -1);
    if (/(^|[^\\])"/.test(inner)) fail('has an unbalanced quote in the name');
    name = inner.replace(/\\(.)/g, '$1');
  } else if (/[<>,;"]/.test(name)) {
    fail('has <, >, a comma, a semicolon or a quote in the name (quote the name: "Doe, Jane" <jane@example.org>)');
  }
  return name ? { name, address } : { address };
}

/** A mailbox from a name and an address given apart (git's user.name and user.email). */
export function mailboxOf(name: string | undefined, address: string, what: string): Mailbox {
  const box = parseMailbox(address, what);
  if (box.name !== undefined || !name) return box;
  const control = problem(name);
  if (control) throw new InputError(`${what} ${JSON.stringify(name)}: ${control}`);
  return { name: name.trim(), address: box.address };
}

/** The mailbox for a header: display name encoded (non-ASCII) or quoted (specials) as git does. */
export function formatMailbox(m: Mailbox): string {
  if (!m.name) return m.address;
  if (needsRfc2047(m.name)) return `${encodeRfc2047(m.name, 0, 'address').replace(/\n /g, ' ')} <${m.address}>`;
  return `${needsRfc822Quoting(m.name) ? quoteRfc822(m.name) : m.name} <${m.address}>`;
}

/**
 * The mailbox as a person reads and types it: `Name <user@example.org>`, nothing
 * encoded; the name quoted only when parseMailbox needs the quotes to read it back.
 */
export function showMailbox(m: Mailbox): string {
  if (!m.name) return m.address;
  return /[<>,;"\\]/.test(m.name) ? `"${m.name.replace(/["\\]/g, '\\$&')}" <${m.address}>` : `${m.name} <${m.address}>`;
}

/** Recipients without repeats (by address, case-insensitively), first spelling kept. */
export function uniqueMailboxes(list: Mailbox[], except: Mailbox[] = []): Mailbox[] {
  const seen = new Set(except.map((m) => m.address.toLowerCase()));
  const out: Mailbox[] = [];
  for (const m of list) {
    const key = m.address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(m);
  }
  return out;
}

/** Someone named in list mail: a display name (possibly empty) and an address. */
export interface Person {
  name: string;
  address: string;
}

/**
 * Reads a person out of mail as people write it: `Name <addr>`, `"Last, First" <addr>`,
 * `Name (corp) <addr>` with anything after the `>`, or a bare address with a stray
 * final period or comma. Lenient where parseMailbox is strict: it reads what others sent,
 * it does not accept what we will send. Undefined when there is no address at all.
 */
export function parsePerson(text: string): Person | undefined {
  const t = text.trim();
  const angle = /^(.*?)<\s*([^<>\s@]+@[^<>\s@]+)\s*>/.exec(t);
  if (angle) {
    const raw = (angle[1] as string).trim();
    const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(raw);
    return { name: (quoted ? (quoted[1] as string).replace(/\\(.)/g, '$1') : raw).trim(), address: angle[2] as string };
  }
  const bare = /^([^\s<>@]+@[^\s<>@]+?)[.,;]?$/.exec(t);
  return bare ? { name: '', address: bare[1] as string } : undefined;
}
