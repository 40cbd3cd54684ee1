import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKernels, kernelSatisfies, kernelToSemver, makefileRelease, parseKernelVersion, semverToKernel } from '../../src/kernel/version.js';

describe('kernel release strings', () => {
  it.each([
    ['6.1.192', '6.1.192'],
    ['6.12-rc3', '6.12.0-rc.3'],
    ['v6.14', '6.14.0'],
    ['v6.14-rc1', '6.14.0-rc.1'],
    ['6.1.0-56-amd64', '6.1.0+56-amd64'],
    ['6.12.4-arch1-1', '6.12.4+arch1-1'],
    ['6.8.0-45-generic', '6.8.0+45-generic'],
    ['6.6.30-rt30', '6.6.30+rt30'],
    ['6.13.0-rc2-00010-gdeadbeef', '6.13.0-rc.2+00010-gdeadbeef'],
    ['5.4.0', '5.4.0'],
    ['7.0.12-2-cachyos', '7.0.12+2-cachyos'],
  ])('%s is semver %s', (release, expected) => {
    expect(kernelToSemver(release)).toBe(expected);
  });

  it.each(['', 'linux', '6', '6.x', 'six.one'])('%j is not a kernel release', (text) => {
    expect(parseKernelVersion(text)).toBeNull();
    expect(kernelToSemver(text)).toBeNull();
  });

  it('prints semver back the way the kernel spells it', () => {
    expect(semverToKernel('6.14.0')).toBe('6.14');
    expect(semverToKernel('6.12.0-rc.3')).toBe('6.12-rc3');
    expect(semverToKernel('6.1.192')).toBe('6.1.192');
  });

  it('orders releases the way the kernel does', () => {
    const sorted = ['6.12', '6.12-rc3', '6.1.192', 'v6.14', '6.12-rc10', '6.12.1', '6.1'].sort(compareKernels);
    expect(sorted).toEqual(['6.1', '6.1.192', '6.12-rc3', '6.12-rc10', '6.12', '6.12.1', 'v6.14']);
  });

  it('tests ranges, distro suffixes ignored and an -rc counted as its release', () => {
    expect(kernelSatisfies('6.1.0-56-amd64', '>=6.1 <6.14')).toBe(true);
    expect(kernelSatisfies('6.14.2-arch1-1', '>=6.1 <6.14')).toBe(false);
    expect(kernelSatisfies('6.14-rc1', '<6.14')).toBe(false);
    expect(kernelSatisfies('6.14-rc1', '>=6.14')).toBe(true);
    expect(kernelSatisfies('6.13.7', '<6.14')).toBe(true);
  });

  it('round-trips every MAJOR.MINOR[.SUBLEVEL][-rcN]', () => {
    const release = fc
      .tuple(fc.integer({ min: 2, max: 9 }), fc.integer({ min: 0, max: 30 }), fc.option(fc.integer({ min: 1, max: 300 })), fc.option(fc.integer({ min: 1, max: 9 })))
      .map(([a, b, c, rc]) => (rc !== null ? `${a}.${b}-rc${rc}` : c !== null ? `${a}.${b}.${c}` : `${a}.${b}`));
    fc.assert(
      fc.property(release, (r) => {
        expect(semverToKernel(kernelToSemver(r) as string)).toBe(r);
      }),
    );
  });
});

describe('the release a kernel Makefile describes', () => {
  it.each([
    ['VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\nEXTRAVERSION =\nNAME = Curry Ramen\n', '6.1.192'],
    ['VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION = -rc3\n', '6.12-rc3'],
    ['VERSION = 5\nPATCHLEVEL = 15\nSUBLEVEL = 0\nEXTRAVERSION =\n', '5.15'],
  ])('%j is %s', (makefile, release) => {
    expect(makefileRelease(makefile)).toBe(release);
  });

  it('is undefined for other Makefiles', () => {
    expect(makefileRelease('all:\n\techo hi\n')).toBeUndefined();
  });
});
