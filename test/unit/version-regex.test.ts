/**
 * The kernel-version regex against semver: for release strings of every form distros
 * print, the regex matches exactly when kernelSatisfies() puts the kernel in the set.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernelSatisfies } from '../../src/kernel/version.js';
import {
  contains,
  fixedSpans,
  neededSpans,
  rangeSpans,
  releaseTriple,
  spansToMinMax,
  spansToRange,
  spansToRegex,
} from '../../src/kernel/version-regex.js';

const int = (min: number, max: number) => fc.integer({ min, max });

/** Release strings as `uname -r` and git tags spell them on the distros users run. */
const release: fc.Arbitrary<string> = fc
  .tuple(int(4, 8), int(0, 24), int(0, 260), int(1, 9), int(1, 60), fc.constantFrom(...Array.from({ length: 18 }, (_, i) => i)))
  .map(([a, b, c, rc, abi, form]) => {
    switch (form) {
      case 0: return `${a}.${b}.${c}`; // kernel.org stable
      case 1: return `${a}.${b}`; // a mainline release as tagged
      case 2: return `v${a}.${b}`;
      case 3: return `${a}.${b}-rc${rc}`; // mainline tag
      case 4: return `${a}.${b}.0-rc${rc}`; // uname -r of an -rc build
      case 5: return `${a}.${b}.0-${abi}-amd64`; // Debian
      case 6: return `${a}.${b}.${c}+deb13-amd64`; // Debian 13
      case 7: return `${a}.${b}.0-0.deb11.${abi}-amd64`; // Debian backports
      case 8: return `${a}.${b}.0-${abi}-generic`; // Ubuntu
      case 9: return `${a}.${b}.0-${abi}-lowlatency`;
      case 10: return `${a}.${b}.0-0${a}${String(b).padStart(2, '0')}00rc${rc}-generic`; // Ubuntu mainline PPA
      case 11: return `${a}.${b}.${c}-arch${rc}-1`; // Arch
      case 12: return `${a}.${b}.${c}-1-lts`; // Arch LTS
      case 13: return `${a}.${b}.${c}-zen1-1-zen`;
      case 14: return `${a}.${b}.0-rc${rc}-1-mainline`; // AUR linux-mainline
      case 15: return `${a}.${b}.${c}-200.fc41.x86_64`; // Fedora
      case 16: return `${a}.${b}.${c}-rt${abi}`; // PREEMPT_RT
      default: return `${a}.${b}.0-rc${rc}-000${abi}-gdeadbeef`; // a git build
    }
  });

const version = fc.tuple(int(4, 8), int(0, 24), int(0, 260)).map(([a, b, c]) => (c % 3 === 0 ? `${a}.${b}` : `${a}.${b}.${c}`));

/** Ranges as users write them in `kernels:` (all forms semver accepts for kernels). */
const simpleRange: fc.Arbitrary<string> = fc.oneof(
  version.map((v) => `>=${v}`),
  version.map((v) => `<${v}`),
  version.map((v) => `<=${v}`),
  version.map((v) => `>${v}`),
  fc.tuple(version, version).map(([a, b]) => `>=${a} <${b}`),
  version.map((v) => `~${v}`),
  version.map((v) => `^${v}`),
  fc.tuple(int(4, 8), int(0, 24)).map(([a, b]) => `${a}.${b}.x`),
  fc.tuple(version, version).map(([a, b]) => `${a} - ${b}`),
  fc.tuple(int(4, 8), int(0, 24), int(1, 8)).map(([a, b, rc]) => `>=${a}.${b}.0-rc.${rc}`),
  fc.tuple(int(4, 8), int(0, 24), int(1, 8)).map(([a, b, rc]) => `<${a}.${b}.0-rc.${rc}`),
  fc.tuple(int(4, 8), int(0, 24), int(1, 8)).map(([a, b, rc]) => `>${a}.${b}.0-rc.${rc}`),
  fc.tuple(int(4, 8), int(0, 24), int(1, 8)).map(([a, b, rc]) => `<=${a}.${b}.0-rc.${rc}`),
  fc.tuple(int(4, 8), int(0, 24), int(0, 260)).map(([a, b, c]) => `=${a}.${b}.${c}`),
);
const kernelsRange = fc.oneof(simpleRange, fc.tuple(simpleRange, simpleRange).map(([a, b]) => `${a} || ${b}`));

const fixedIn = fc.uniqueArray(
  fc.oneof(
    fc.tuple(int(4, 8), int(0, 24)).map(([a, b]) => `${a}.${b}`),
    fc.tuple(int(4, 8), int(0, 24), int(1, 260)).map(([a, b, c]) => `${a}.${b}.${c}`),
  ),
  { maxLength: 4 },
);

/** Whether a kernel carries a fix first released in `fixed`, from the definition in the issue. */
function carriesFix(r: string, fixed: string[]): boolean {
  return fixed.some((f) => {
    const [a, b, c] = f.split('.').map(Number) as [number, number, number?];
    if (!c) return kernelSatisfies(r, `>=${a}.${b}`);
    return kernelSatisfies(r, `>=${a}.${b}.${c} <${a}.${b + 1}`);
  });
}

/** dkms's VER(): every number padded to three digits, so that strings compare like versions. */
function dkmsVer(versions: string[]): string[] {
  const sed = ['-e', 's:\\([^0-9]\\)\\([0-9]\\):\\1 \\2:g', '-e', 's:\\([0-9]\\)\\([^0-9]\\):\\1 \\2:g', '-e', 's:\\(.*\\): \\1 :', '-e', 's: \\([0-9]\\) : 00\\1 :g', '-e', 's: \\([0-9][0-9]\\) : 0\\1 :g', '-e', 's: ::g'];
  return spawnSync('sed', sed, { input: `${versions.join('\n')}\n`, encoding: 'utf8' }).stdout.split('\n').slice(0, versions.length);
}

const releases = fc.sample(release, { numRuns: 600, seed: 4 });

describe('kernel version sets as DKMS regexes', () => {
  it('uses several hundred distinct release strings of every form', () => {
    expect(new Set(releases).size).toBeGreaterThan(500);
    expect(releases.some((r) => r.includes('-rc'))).toBe(true);
    expect(releases.some((r) => r.endsWith('-amd64'))).toBe(true);
    expect(releases.some((r) => r.includes('-arch'))).toBe(true);
    expect(releases.some((r) => r.endsWith('-generic'))).toBe(true);
  });

  it('matches exactly the releases in the range, minus those carrying the fix (property)', () => {
    fc.assert(
      fc.property(fc.option(kernelsRange, { nil: undefined }), fixedIn, (kernels, fixed) => {
        const spans = neededSpans(kernels, fixed);
        const re = new RegExp(spansToRegex(spans));
        const range = spansToRange(spans);
        for (const r of releases) {
          const expected = (kernels === undefined || kernelSatisfies(r, kernels)) && !carriesFix(r, fixed);
          if (re.test(r) !== expected) throw new Error(`${r}: regex ${re.test(r)}, semver ${expected} for kernels '${kernels}' fixed-in [${fixed}] (${re.source})`);
          expect(kernelSatisfies(r, range)).toBe(expected);
          expect(contains(spans, releaseTriple(r)!)).toBe(expected);
        }
      }),
      { numRuns: 150, seed: 44 },
    );
  });

  it('matches 6.1.x and 6.13.x but not 6.14 or 6.12.9+ once fixed in 6.14 and 6.12.9', () => {
    const re = new RegExp(spansToRegex(neededSpans('>=6.1', ['6.14', '6.12.9'])));
    for (const r of ['6.1.0-56-amd64', '6.1.192', '6.13.7-arch1-1', '6.12.8', '6.13-rc2', '6.12.0-rc1']) expect(re.test(r), r).toBe(true);
    for (const r of ['6.14', '6.14-rc1', '6.14.0-rc1', '6.14.2-arch1-1', '6.12.9', '6.12.38+deb13-amd64', '6.15.0-061500-generic', '6.0.19', '5.15.0-125-generic'])
      expect(re.test(r), r).toBe(false);
    expect(spansToRange(neededSpans('>=6.1', ['6.14', '6.12.9']))).toBe('>=6.1 <6.12.9 || >=6.13 <6.14');
  });

  it('gives the same answers under bash [[ =~ ]], the matcher dkms uses', () => {
    for (const spans of [neededSpans('>=5.14', ['6.14', '6.12.9', '6.6.70']), rangeSpans('~6.1 || >=6.8 <6.10.3'), neededSpans(undefined, ['4.19'])]) {
      const regex = spansToRegex(spans);
      const script = 're="$1"; shift; for r in "$@"; do if [[ $r =~ $re ]]; then echo 1; else echo 0; fi; done';
      const r = spawnSync('bash', ['-c', script, 'bash', regex, ...releases], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      const js = new RegExp(regex);
      expect(r.stdout.trim().split('\n')).toEqual(releases.map((x) => (js.test(x) ? '1' : '0')));
    }
  });

  it('writes MIN and MAX only where the set has an end', () => {
    expect(spansToMinMax(neededSpans('>=6.1', ['6.14', '6.12.9']))).toEqual({ min: '6.1', max: '6.13.99999' });
    expect(spansToMinMax(neededSpans('>=5.4', []))).toEqual({ min: '5.4' });
    expect(spansToMinMax(rangeSpans('>=6.6.30 <6.6.71'))).toEqual({ min: '6.6.30', max: '6.6.99999' });
    expect(spansToMinMax(rangeSpans('<7.0'))).toEqual({ max: '6.99999' });
    expect(spansToMinMax([])).toEqual({});
  });

  it('writes MIN and MAX whose dkms VER() order admits every release in the set', () => {
    const spans = neededSpans('>=5.14 <6.14', ['6.12.9']);
    const { min, max } = spansToMinMax(spans);
    const unames = releases.filter((r) => !r.startsWith('v')); // dkms compares `uname -r`, never a tag
    const [vMin, vMax, rc, arch, old, ...vers] = dkmsVer([min!, max!, '6.14.0-rc1', '6.13.12-arch1-1', '5.13.19', ...unames]);
    for (const [i, r] of unames.entries()) {
      // The hull may admit more than the set (the regex decides), never less.
      if (contains(spans, releaseTriple(r)!)) expect(vers[i]! >= vMin! && vers[i]! <= vMax!, `${r}: ${vers[i]} vs ${vMin}..${vMax}`).toBe(true);
    }
    expect(rc! > vMax!).toBe(true);
    expect(arch! <= vMax!).toBe(true);
    expect(old! < vMin!).toBe(true);
  });

  it('reads fixed-in as mainline releases and stable lines', () => {
    expect(spansToRange(fixedSpans(['6.14', '6.12.9', '6.6.70']))).toBe('>=6.6.70 <6.7 || >=6.12.9 <6.13 || >=6.14');
    expect(spansToRange(fixedSpans([]))).toBe('<0.0.0');
    expect(spansToRegex([])).toBe('^v?[.]$');
  });
});
