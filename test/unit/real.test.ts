import { afterEach, describe, expect, it, vi } from 'vitest';
import { needReal, realComponent } from '../helpers/real.js';

describe('real components: a test that cannot run skips with its reason, and fails under CI=true', () => {
  const ci = process.env.CI;
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    vi.restoreAllMocks();
  });

  it('says which component is missing and how to get it, and skips', () => {
    delete process.env.CI;
    const err = vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    expect(realComponent('frobnicator (a test name)', false, 'apt-get install frobnicator')).toBe(false);
    expect(err).toHaveBeenCalledWith('skip: frobnicator (a test name) is missing (apt-get install frobnicator); the tests that need it do not run\n');
    const skip = vi.fn();
    needReal({ skip } as never, 'frobnicator (a test name)', false, 'apt-get install frobnicator');
    expect(skip).toHaveBeenCalledWith('frobnicator (a test name) is missing (apt-get install frobnicator)');
  });

  it('throws under CI=true instead of skipping', () => {
    process.env.CI = 'true';
    expect(() => realComponent('frobnicator', false)).toThrow(/real component missing under CI: frobnicator/);
    const skip = vi.fn();
    expect(() => needReal({ skip } as never, 'frobnicator', false)).toThrow(/missing under CI/);
    expect(skip).not.toHaveBeenCalled();
  });

  it('runs when the component is there', () => {
    const skip = vi.fn();
    needReal({ skip } as never, 'node', true);
    expect(realComponent('node', true)).toBe(true);
    expect(skip).not.toHaveBeenCalled();
  });
});
