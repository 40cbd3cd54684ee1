/**
 * A stat-keyed index of the quirk database, as git's index is of a work tree: read-only
 * commands take a file's validated model from .quirkctl/index.json while the file's size,
 * mtime, ctime and inode are what they were when it was parsed, and parse it again
 * otherwise. Only valid files are indexed, so the index never hides a problem.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { ValidationError, type Problem } from '../errors.js';
import type { Workspace } from '../workspace/workspace.js';
import { crossFileProblems, quirkFileNames, readQuirkFile, type Database, type QuirkEntry } from './store.js';

// A file is read anew whenever the code or schema that reads it has changed.
const stamp = ['../../schema/quirk.schema.json', './model.js', './document.js', '../../package.json']
  .map((rel) => {
    const st = statSync(new URL(rel, import.meta.url));
    return `${st.size}/${st.mtimeMs}`;
  })
  .join(',');

// Like git's racily-clean entries: a file changed within the last second may change again
// without its mtime moving on a coarse-clock file system, so it is not indexed yet.
const RACY_MS = 1000;

interface IndexEntry extends QuirkEntry {
  stat: string;
}

interface IndexFile {
  stamp: string;
  entries: Record<string, IndexEntry>;
}

function statKey(st: Stats): string {
  return `${st.size}/${st.mtimeMs}/${st.ctimeMs}/${st.ino}`;
}

function indexPath(ws: Workspace): string {
  return path.join(ws.stateDir, 'index.json');
}

function readIndex(ws: Workspace): IndexFile['entries'] {
  try {
    const idx = JSON.parse(readFileSync(indexPath(ws), 'utf8')) as IndexFile;
    return idx.stamp === stamp ? idx.entries : {};
  } catch {
    return {};
  }
}

/** Best effort: a read-only workspace still works, only without the speed-up. */
function writeIndex(ws: Workspace, entries: IndexFile['entries']): void {
  try {
    mkdirSync(ws.stateDir, { recursive: true });
    const tmp = `${indexPath(ws)}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ stamp, entries } satisfies IndexFile));
    renameSync(tmp, indexPath(ws));
  } catch {
    // not worth failing a listing for
  }
}

/** Every quirk's model, from the index where the file is unchanged; problems collected. */
export function readEntries(ws: Workspace): Database<QuirkEntry> {
  const old = readIndex(ws);
  const entries: IndexFile['entries'] = {};
  const docs: QuirkEntry[] = [];
  const problems: Problem[] = [];
  let changed = false;
  for (const name of quirkFileNames(ws)) {
    let st: Stats;
    try {
      st = statSync(path.join(ws.quirksDir, name));
    } catch {
      continue; // removed while we read
    }
    const key = statKey(st);
    const cached = old[name];
    if (cached && cached.stat === key) {
      entries[name] = cached;
      docs.push(cached);
      continue;
    }
    changed = true;
    const r = readQuirkFile(ws, name);
    if (!r.ok) {
      problems.push(...r.problems);
      continue;
    }
    const entry: IndexEntry = { quirk: r.doc.quirk, file: r.doc.file, yamlLine: r.doc.yamlLine, body: r.doc.body, stat: key };
    if (Date.now() - st.mtimeMs >= RACY_MS) entries[name] = entry;
    docs.push(entry);
  }
  if (changed || Object.keys(old).length !== Object.keys(entries).length) writeIndex(ws, entries);
  problems.push(...crossFileProblems(docs));
  return { docs, problems };
}

/** The models of every quirk, or a ValidationError listing every problem. */
export function loadEntries(ws: Workspace): QuirkEntry[] {
  const db = readEntries(ws);
  if (db.problems.length) throw new ValidationError(db.problems);
  return db.docs;
}
