/**
 * Commit messages in the PCI subsystem's style: `PCI: Mark <device> to avoid bus reset`,
 * a body taken from the quirk's own prose (its Symptom and Why sections) wrapped at 75
 * columns, then Link:/Closes:, Cc: stable and Signed-off-by trailers as
 * Documentation/process/submitting-patches.rst describes them. Pure.
 */
import type { Root, RootContent } from 'mdast';
import { InputError } from '../errors.js';
import { renderTemplate } from '../lib/templates.js';
import type { Action } from '../quirks/model.js';
import { kindPatch, type ChangeKind } from './quirk-code.js';
import { COMMIT_WIDTH, commitProse, markdown, plainWords } from '../lib/markdown-text.js';
import { wrapWords } from '../lib/wrap.js';

export const SUBJECT_MAX = 75;
const WIDTH = COMMIT_WIDTH;

export interface Identity {
  name: string;
  email: string;
}

export function commitSubject(kind: ChangeKind, device: string): string {
  return kindPatch(kind).subject(device);
}

/** Where the quirk's prose comes from, for messages that point into the file. */
export interface QuirkProse {
  body: string;
  file: string;
  bodyLine: number;
}

/**
 * The quirk's Symptom and Why sections (or its whole prose when it has neither) as
 * paragraphs of plain text. Refuses prose that still holds the EDITME placeholders of a
 * new quirk: a maintainer would get them verbatim.
 */
export function descriptionParagraphs(prose: QuirkProse): string[] {
  const tree = markdown.parse(prose.body) as Root;
  const wanted = /^(symptoms?|why\b.*)$/i;
  const picked: RootContent[] = [];
  let inWanted = false;
  let sawSection = false;
  for (const node of tree.children) {
    if (node.type === 'heading') {
      inWanted = wanted.test(plainWords(node.children).trim());
      sawSection ||= inWanted;
      continue;
    }
    if (inWanted) picked.push(node);
  }
  const nodes = sawSection ? picked : tree.children.filter((n) => n.type !== 'heading');
  for (const n of nodes) {
    const text = prose.body.slice(n.position?.start.offset ?? 0, n.position?.end.offset ?? 0);
    if (/\bEDITME\b/.test(text)) {
      throw new InputError(`${prose.file}:${prose.bodyLine + (n.position?.start.line ?? 1) - 1}: the quirk's description still has an EDITME placeholder; say what fails and why the workaround helps before making a patch of it`);
    }
  }
  if (nodes.length === 0) throw new InputError(`${prose.file}:${prose.bodyLine}: the quirk has no description (a Symptom and a Why section) to make a commit message from`);
  // Each block on its own, with the link definitions that reference links need.
  const defs = tree.children.filter((n) => n.type === 'definition');
  return nodes.map((n) => commitProse([n, ...defs])).filter((p) => p.trim() !== '');
}

/** Text ending in a full stop (or the mark it has). */
export function asSentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/**
 * What the comment above the generated code says: the quirk's title (the device and
 * what fails) and the first sentence of its description.
 */
export function aboutDevice(title: string, prose: QuirkProse): string[] {
  const first = (descriptionParagraphs(prose)[0] ?? '').replace(/\s+/g, ' ');
  const sentence = /^.*?[.!?](?=\s|$)/.exec(first)?.[0] ?? first;
  const about = [asSentence(title)];
  if (sentence && !/^\s*-|^ {2}/.test(first) && sentence !== about[0]) about.push(sentence);
  return about;
}

/** Bug trackers get Closes:, everything else Link:, as submitting-patches.rst asks. */
export function referenceTrailers(references: string[]): string[] {
  const bug = /bugzilla\.|show_bug\.cgi|\/issues\/\d+|\/-\/issues\/|bugs\.launchpad\.net|bugs\.debian\.org/;
  return references.map((r) => `${bug.test(r) ? 'Closes' : 'Link'}: ${r}`);
}

export interface CommitMessageInput {
  kind: ChangeKind;
  actions: Action[];
  device: string;
  prose: QuirkProse;
  references: string[];
  stable: boolean;
  signer: Identity;
  templatesDir?: string;
}

/** The summary line, refused when it is longer than maintainers accept. */
function checkedSubject(kind: ChangeKind, device: string): string {
  const subject = commitSubject(kind, device);
  if (subject.length > SUBJECT_MAX) {
    throw new InputError(`the summary line '${subject}' is ${subject.length} characters; the limit is ${SUBJECT_MAX}: pass a shorter device name with --name`);
  }
  return subject;
}

export function commitMessage(input: CommitMessageInput): string {
  const subject = checkedSubject(input.kind, input.device);
  const paragraphs = [...descriptionParagraphs(input.prose), wrapWords(kindPatch(input.kind).summary(input.device, input.actions), WIDTH).join('\n')];
  const trailers = [...referenceTrailers(input.references), ...(input.stable ? ['Cc: stable@vger.kernel.org'] : []), `Signed-off-by: ${input.signer.name} <${input.signer.email}>`];
  const text = renderTemplate('kernel/commit-message.txt', { subject, paragraphs, trailers, kind: input.kind, device: input.device }, input.templatesDir);
  // git would strip trailing blanks anyway; the message is committed verbatim.
  return `${text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
