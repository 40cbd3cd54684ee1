/**
 * Sets of kernel versions, from semver ranges and `upstream.fixed-in` lists to what DKMS
 * understands: a BUILD_EXCLUSIVE_KERNEL regex over `uname -r` strings, and the
 * BUILD_EXCLUSIVE_KERNEL_MIN/_MAX bounds of dkms >= 3.0.11.
 *
 * A set is a sorted list of disjoint half-open spans [from, to) of MAJOR.MINOR.SUBLEVEL
 * triples. Versions compare the way `kernelSatisfies` compares them (version.ts): an -rc
 * counts as its release and whatever a distro appends is ignored, so 6.1.0-56-amd64 is
 * 6.1.0. The regex reads release strings as `uname -r` prints them: MAJOR.MINOR, then
 * optionally .SUBLEVEL, then nothing or a non-digit (6.14.0-rc1, 6.12.4-arch1-1,
 * 6.1.0-56-amd64, 6.8.0-45-generic, 6.12.38+deb13-amd64).
 */
import semver from 'semver';
import toRegexRange from 'to-regex-range';

export type Triple = readonly [number, number, number];

/** Every kernel from `from` up to, not including, `to`; `to` null means no end. */
export interface Span {
  from: Triple;
  to: Triple | null;
}

const ALL_KERNELS: readonly Span[] = [{ from: [0, 0, 0], to: null }];

function cmp(a: Triple, b: Triple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** `to` values compare with null as infinity. */
function cmpTo(a: Triple | null, b: Triple | null): number {
  if (a === null) return b === null ? 0 : 1;
  return b === null ? -1 : cmp(a, b);
}

function next(t: Triple): Triple {
  return [t[0], t[1], t[2] + 1];
}

/** Sorted, merged, without empty spans. */
export function normalize(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.to === null || cmp(s.from, s.to) < 0).sort((a, b) => cmp(a.from, b.from));
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && (last.to === null || cmp(s.from, last.to) <= 0)) {
      if (cmpTo(s.to, last.to) > 0) last.to = s.to;
    } else {
      out.push({ from: s.from, to: s.to });
    }
  }
  return out;
}

export function union(...sets: (readonly Span[])[]): Span[] {
  return normalize(sets.flat());
}

export function intersect(a: readonly Span[], b: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const x of a) {
    for (const y of b) {
      const from = cmp(x.from, y.from) >= 0 ? x.from : y.from;
      const to = cmpTo(x.to, y.to) <= 0 ? x.to : y.to;
      out.push({ from, to });
    }
  }
  return normalize(out);
}

export function complement(a: readonly Span[]): Span[] {
  const out: Span[] = [];
  let from: Triple = [0, 0, 0];
  for (const s of normalize(a)) {
    out.push({ from, to: s.from });
    if (s.to === null) return normalize(out);
    from = s.to;
  }
  out.push({ from, to: null });
  return normalize(out);
}

export function subtract(a: readonly Span[], b: readonly Span[]): Span[] {
  return intersect(a, complement(b));
}

export function isEmpty(a: readonly Span[]): boolean {
  return normalize(a).length === 0;
}

export function contains(a: readonly Span[], v: Triple): boolean {
  return a.some((s) => cmp(s.from, v) <= 0 && (s.to === null || cmp(v, s.to) < 0));
}

/** The triple a release string compares as (see kernelSatisfies); null when it is not one. */
export function releaseTriple(release: string): Triple | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(release.trim());
  return m ? [Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3])] : null;
}

function comparatorSpan(c: semver.Comparator): Span {
  if (c.value === '') return { from: [0, 0, 0], to: null }; // '*'
  const v = c.semver;
  const core: Triple = [v.major, v.minor, v.patch];
  // The release versions kernelSatisfies tests never carry a prerelease, and none lies
  // between 6.14.0-rc.1 and 6.14.0: against a prerelease bound, only its core counts.
  const pre = v.prerelease.length > 0;
  switch (c.operator) {
    case '>=':
      return { from: core, to: null };
    case '>':
      return { from: pre ? core : next(core), to: null };
    case '<':
      return { from: [0, 0, 0], to: core };
    case '<=':
      return { from: [0, 0, 0], to: pre ? core : next(core) };
    default:
      return pre ? { from: core, to: core } : { from: core, to: next(core) };
  }
}

/** The kernels a semver range admits, as kernelSatisfies() decides it. */
export function rangeSpans(range: string): Span[] {
  const parsed = new semver.Range(range);
  const sets = parsed.set.map((comparators) => comparators.reduce<Span[]>((acc, c) => intersect(acc, [comparatorSpan(c)]), [...ALL_KERNELS]));
  return union(...sets);
}

function parseFixed(version: string): Triple {
  const t = releaseTriple(version);
  if (!t) throw new Error(`'${version}' is not a kernel release (expected e.g. 6.14 or 6.12.9)`);
  return t;
}

/**
 * The kernels that carry a fix first released in `fixedIn`: a mainline release (6.14, or
 * 6.14.0) and every later kernel; a stable release (6.12.9) and the rest of its line.
 */
export function fixedSpans(fixedIn: readonly string[]): Span[] {
  return union(
    ...fixedIn.map((v): Span[] => {
      const t = parseFixed(v);
      return t[2] === 0 ? [{ from: t, to: null }] : [{ from: t, to: [t[0], t[1] + 1, 0] }];
    }),
  );
}

/** The kernels a quirk is needed on: its range (absent: all) minus those that carry the fix. */
export function neededSpans(kernels: string | undefined, fixedIn: readonly string[]): Span[] {
  return subtract(kernels === undefined ? [...ALL_KERNELS] : rangeSpans(kernels), fixedSpans(fixedIn));
}

function kernelSpelling(t: Triple): string {
  return t[2] === 0 ? `${t[0]}.${t[1]}` : `${t[0]}.${t[1]}.${t[2]}`;
}

/**
 * A semver range for the set, in kernel spelling (`>=5.14 <6.12.9 || >=6.13 <6.14`);
 * kernelSatisfies(release, spansToRange(s)) agrees with contains(s, release).
 */
export function spansToRange(spans: readonly Span[]): string {
  const n = normalize(spans);
  if (n.length === 0) return '<0.0.0';
  return n
    .map((s) => {
      const lower = cmp(s.from, [0, 0, 0]) === 0 ? '' : `>=${kernelSpelling(s.from)}`;
      const upper = s.to === null ? '' : `<${kernelSpelling(s.to)}`;
      return [lower, upper].filter(Boolean).join(' ') || '*';
    })
    .join(' || ');
}

// -- the regex ------------------------------------------------------------------------

const INF = Number.POSITIVE_INFINITY;

/** Decimal numbers from `lo` to `hi` (inclusive; Infinity for no end), as an ERE. */
function numberRegex(lo: number, hi: number): string {
  if (hi === INF) {
    // Everything with as many digits as lo from lo on, and every longer number.
    const digits = String(lo).length;
    return `(${ere(lo, 10 ** digits - 1)}|[1-9][0-9]{${digits},})`;
  }
  return ere(lo, hi);
}

/** to-regex-range's output in POSIX ERE: plain groups instead of (?:...). */
function ere(lo: number, hi: number): string {
  return toRegexRange(lo, hi).replace(/\(\?:/g, '(');
}

/** Where MINOR ends: nothing follows, or something that is not a digit. */
const END_ANY = '([^0-9]|$)';
/** MINOR with no .SUBLEVEL after it, which means SUBLEVEL 0. */
const END_NO_SUB = '([^.0-9]|$)';

interface Atom {
  majors: [number, number];
  minors: [number, number];
  subs: [number, number];
}

/** Splits [from, to) into rectangles of majors x minors x sublevels. */
function atoms(s: Span): Atom[] {
  const [a, b, c] = s.from;
  const out: Atom[] = [];
  const add = (majors: [number, number], minors: [number, number], subs: [number, number]) => {
    if (majors[0] <= majors[1] && minors[0] <= minors[1] && subs[0] <= subs[1]) out.push({ majors, minors, subs });
  };
  if (s.to === null) {
    add([a, a], [b, b], [c, INF]);
    add([a, a], [b + 1, INF], [0, INF]);
    add([a + 1, INF], [0, INF], [0, INF]);
    return out;
  }
  const [d, e, f] = s.to;
  if (a === d && b === e) {
    add([a, a], [b, b], [c, f - 1]);
    return out;
  }
  add([a, a], [b, b], [c, INF]);
  if (a === d) {
    add([a, a], [b + 1, e - 1], [0, INF]);
  } else {
    add([a, a], [b + 1, INF], [0, INF]);
    add([a + 1, d - 1], [0, INF], [0, INF]);
    add([d, d], [0, e - 1], [0, INF]);
  }
  add([d, d], [e, e], [0, f - 1]);
  return out;
}

function atomRegex(x: Atom): string {
  const head = `${numberRegex(x.majors[0], x.majors[1])}[.]${numberRegex(x.minors[0], x.minors[1])}`;
  const [lo, hi] = x.subs;
  if (lo === 0 && hi === INF) return `${head}${END_ANY}`;
  const withSub = `[.]${numberRegex(lo, hi)}${END_ANY}`;
  return lo === 0 ? `${head}(${END_NO_SUB}|${withSub})` : `${head}${withSub}`;
}

/** Characters the regex may contain: safe inside dkms.conf's double quotes and a shell case. */
const REGEX_ALPHABET = /^[\^v?()|[\]{},.$0-9-]*$/;

/**
 * A POSIX extended regex (bash's =~, grep -E; also valid JavaScript) that matches a
 * release string exactly when its version lies in the set. The empty set gives a regex
 * that matches no release string.
 */
export function spansToRegex(spans: readonly Span[]): string {
  const parts = normalize(spans).flatMap(atoms).map(atomRegex);
  const regex = parts.length === 0 ? '^v?[.]$' : `^v?(${parts.join('|')})`;
  if (!REGEX_ALPHABET.test(regex)) throw new Error(`internal: kernel regex has unexpected characters: ${regex}`);
  return regex;
}

/**
 * BUILD_EXCLUSIVE_KERNEL_MIN/_MAX: the bounds of the set's hull, for dkms >= 3.0.11, which
 * compares them with its VER() padding as strings. MIN is the first version (6.1, or
 * 6.12.9); MAX must be at or above every release string of the last kernel line in the
 * set, suffixes included, so it is written as MAJOR.MINOR.99999, whose digit outranks any
 * sublevel; a bound that ends inside a line takes that whole line (the regex is exact).
 */
export function spansToMinMax(spans: readonly Span[]): { min?: string; max?: string } {
  const n = normalize(spans);
  const first = n[0];
  const last = n[n.length - 1];
  if (!first || !last) return {};
  const out: { min?: string; max?: string } = {};
  if (cmp(first.from, [0, 0, 0]) !== 0) out.min = kernelSpelling(first.from);
  if (last.to !== null) {
    const [a, b, c] = last.to;
    if (c > 0) out.max = `${a}.${b}.99999`;
    else if (b > 0) out.max = `${a}.${b - 1}.99999`;
    else out.max = `${a - 1}.99999`;
  }
  return out;
}
