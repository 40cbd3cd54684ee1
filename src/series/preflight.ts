/**
 * What must be true before a series goes to a list, checked before anything is sent
 * (`send --force` overrides): the cover letter was edited, someone receives it,
 * checkpatch passed on exactly these patches, and every patch carries the sender's
 * Signed-off-by (Documentation/process/submitting-patches.rst).
 */
import type { Mailbox } from '../mail/address.js';
import type { CheckRecord } from './checks.js';
import { trailersNamed, type PatchFile } from './patch-file.js';

export interface PreflightCheck {
  ok: boolean;
  /** What was checked, or what is wrong and how to fix it. */
  message: string;
}

export interface PreflightInput {
  slug: string;
  /** The series file as shown to the user. */
  file: string;
  subject: string;
  cover: string;
  /** File line where the cover letter starts. */
  coverLine: number;
  recipients: number;
  check: CheckRecord | undefined;
  digest: string;
  patches: PatchFile[];
  sender: Mailbox;
}

const MARKER = 'EDITME';

export function preflight(p: PreflightInput): PreflightCheck[] {
  const out: PreflightCheck[] = [];

  const editLine = p.cover.split('\n').findIndex((l) => l.includes(MARKER));
  if (p.subject.includes(MARKER)) out.push({ ok: false, message: `the subject still says ${MARKER}: edit it with 'quirkctl series edit ${p.slug}'` });
  else if (editLine >= 0) out.push({ ok: false, message: `the cover letter still says ${MARKER} (${p.file}:${p.coverLine + editLine}): edit it with 'quirkctl series edit ${p.slug}'` });
  else out.push({ ok: true, message: 'cover letter edited' });

  out.push(
    p.recipients > 0
      ? { ok: true, message: `${p.recipients} recipient${p.recipients === 1 ? '' : 's'}` }
      : { ok: false, message: `no recipients: set to/cc in ${p.file} ('quirkctl series recipients ${p.slug}' asks get_maintainer.pl) or pass --to` },
  );

  const rerun = `run 'quirkctl check ${p.slug}'`;
  if (!p.check) out.push({ ok: false, message: `checkpatch has not been run on these patches: ${rerun}` });
  else if (p.check.digest !== p.digest) out.push({ ok: false, message: `the patches changed after checkpatch last ran (${p.check.date}): ${rerun} again` });
  else if (p.check.errors > 0) out.push({ ok: false, message: `checkpatch found ${p.check.errors} error${p.check.errors === 1 ? '' : 's'} (${p.check.date}): fix them and ${rerun} again` });
  else out.push({ ok: true, message: `checkpatch passed (${p.check.warnings} warnings, ${p.check.checks} checks)` });

  const want = p.sender.address.toLowerCase();
  const unsigned = p.patches.filter((patch) => !trailersNamed(patch, 'Signed-off-by').some((t) => t.value.toLowerCase().includes(`<${want}>`) || t.value.toLowerCase() === want));
  out.push(
    unsigned.length
      ? { ok: false, message: `no 'Signed-off-by: ... <${p.sender.address}>' (the sender's) in ${unsigned.map((u) => u.name).join(', ')}` }
      : { ok: true, message: `every patch signed off by ${p.sender.address}` },
  );
  return out;
}
