/**
 * The foundation's acceptance tests, run against the built CLI as a user runs it, with
 * the system's real pci.ids.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, freshWorkspace, REPO, tempDir, treeHash } from '../helpers/cli.js';
import { realComponent } from '../helpers/real.js';

const hasPciIds = realComponent('pci.ids naming 1f9d:1100 (Debian 13 pci.ids, see scripts/install-system-deps.sh)', existsSync('/usr/share/misc/pci.ids') && readFileSync('/usr/share/misc/pci.ids', 'utf8').includes('\n1f9d  Axelera AI'));

describe('quirkctl add, list, validate in a fresh workspace', () => {
  it.runIf(hasPciIds)('creates one valid quirk named from pci.ids for the first command a user types', () => {
    const ws = freshWorkspace();
    const add = cli(['add', '1f9d:1100', '--rebind-on-resume'], { cwd: ws });
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('created quirks/axelera-ai-metis-aipu.md');

    expect(readdirSync(path.join(ws, 'quirks'))).toEqual(['axelera-ai-metis-aipu.md']);
    const text = readFileSync(path.join(ws, 'quirks', 'axelera-ai-metis-aipu.md'), 'utf8');
    expect(text).toContain('title: Axelera AI Metis AIPU\n');
    expect(text).toContain('match: { vendor: 0x1f9d, device: 0x1100 }\n');
    expect(text).toContain('  - rebind: { around: [ suspend, hibernate ] }\n');

    const list = cli(['list', '--json'], { cwd: ws });
    expect(list.code).toBe(0);
    const quirks = JSON.parse(list.stdout) as { id: string; title: string; match: object; actions: object[] }[];
    expect(quirks).toHaveLength(1);
    expect(quirks[0]).toMatchObject({
      id: 'axelera-ai-metis-aipu',
      title: 'Axelera AI Metis AIPU',
      match: { vendor: '1f9d', device: '1100' },
      actions: [{ type: 'rebind', around: ['suspend', 'hibernate'], method: 'unbind-bind' }],
    });

    const validate = cli(['validate'], { cwd: ws });
    expect(validate).toMatchObject({ code: 0, stdout: '1 quirk, no problems\n' });
  });

  it('falls back to the raw IDs without a pci.ids file', () => {
    const ws = freshWorkspace();
    writeFileSync(path.join(ws, 'quirkctl.yaml'), 'version: 1\npci-ids: [ ./missing.ids ]\n');
    const add = cli(['add', '1f9d:1100', '--rebind-on-resume'], { cwd: ws });
    expect(add.code).toBe(0);
    expect(readFileSync(path.join(ws, 'quirks', 'pci-1f9d-1100.md'), 'utf8')).toContain('title: PCI device 1f9d:1100\n');
  });

  it('merges into the quirk a device has, prints what changed, and changes nothing the second time', () => {
    const ws = freshWorkspace();
    expect(cli(['add', '1002:67df', '--no-bus-reset', '--id', 'polaris'], { cwd: ws }).code).toBe(0);
    const more = cli(['add', '1002:67df', '--no-bus-reset', '--config-write', '7c.l=39d5e86b', '--when', 'before-reset', '--driver', 'amdgpu'], { cwd: ws });
    expect(more).toMatchObject({ code: 0, stdout: 'updated quirks/polaris.md\n  + driver: amdgpu\n  + action config-write 7c.l=39d5e86b before-reset\n' });
    const before = treeHash(ws, ['.quirkctl']);
    const again = cli(['add', '1002:67df', '--no-bus-reset', '--config-write', '7c.l=39d5e86b', '--driver', 'amdgpu'], { cwd: ws });
    expect(again).toMatchObject({ code: 0, stdout: 'quirks/polaris.md already has all of that; nothing changed\n' });
    expect(treeHash(ws, ['.quirkctl'])).toBe(before);
    expect(readdirSync(path.join(ws, 'quirks'))).toEqual(['polaris.md']);
    const json = JSON.parse(cli(['show', 'polaris', '--json'], { cwd: ws }).stdout) as { actions: unknown[] };
    expect(json.actions).toEqual([
      { type: 'no-bus-reset' },
      { type: 'config-write', offset: '0x7c', width: 32, value: '0x39d5e86b', when: 'before-reset' },
    ]);
  });
});

describe('bad input: exit 2, a message naming what was wrong, nothing written', () => {
  const cases: [string[], RegExp][] = [
    [['add', '1f9d:11000', '--no-d3'], /device '1f9d:11000': device ID '11000' is not four hex digits/],
    [['add', 'zz:1100', '--no-d3'], /device 'zz:1100': vendor ID 'zz' is not four hex digits/],
    [['add', '1f9d', '--no-d3'], /device '1f9d': expected vvvv:dddd or vvvv:dddd:ssss:ssss/],
    [['add', '1f9d:1100', '--config-write', '7c.q=1'], /--config-write '7c\.q=1': width '\.q' is not one of \.b, \.w, \.l/],
    [['add', '1f9d:1100', '--config-write', '1000.l=1'], /--config-write '1000\.l=1': offset 0x1000 is past the end of config space; expected 0x000 to 0xfff/],
    [['add', '1f9d:1100', '--driver', 'bad name;rm -rf', '--no-d3'], /--driver 'bad name;rm -rf': expected a kernel module name/],
    [['add', '1f9d:1100', '--kernels', 'six', '--no-d3'], /--kernels 'six': 'six' is not a range of kernel versions/],
    [['add', '1f9d:1100', '--title', 'two\nlines', '--no-d3'], /--title 'two\nlines': expected one line of text/],
    [['add', '1f9d:1100', '--ref', 'javascript:alert(1)', '--no-d3'], /--ref 'javascript:alert\(1\)': expected an http\(s\) URL/],
    [['add', '1f9d:1100', '--id', '../escape', '--no-d3'], /--id '\.\.\/escape': expected lowercase letters/],
    [['add', '1f9d:1100', '--d3hot-delay', '10ms'], /--d3hot-delay '10ms': expected a whole number of milliseconds/],
    [['add', '1f9d:1100', '--when', 'on-load'], /--when needs a --config-write/],
    [['add', '1f9d:1100'], /nothing to add: a new quirk needs at least one action/],
    [['add', '1f9d:1100', '--rebind-on', 'sleep'], /--rebind-on 'sleep': expected one of suspend, hibernate/],
    [['add', '1f9d:1100', '--frobnicate'], /unknown option '--frobnicate'/],
    [['rm', '../quirkctl'], /quirk id '\.\.\/quirkctl': expected lowercase letters/],
    [['show', 'nope'], /quirk 'nope': no quirk with that id or device/],
    [['list', '--vendor', '1f9'], /--vendor '1f9': expected a vendor ID of four hex digits/],
  ];
  it.each(cases)('quirkctl %j', (args, message) => {
    const ws = freshWorkspace();
    const before = treeHash(ws);
    const r = cli(args, { cwd: ws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(treeHash(ws)).toBe(before);
  });

  it('an unknown action key in a file: file:line and field, exit 2 for commands, exit 1 for validate', () => {
    const ws = freshWorkspace();
    writeFileSync(
      path.join(ws, 'quirks', 'bad.md'),
      '---\nid: bad\ntitle: Bad\nmatch: { vendor: 0x1002, device: 0x67df }\nactions:\n  - no-bus-reset\n  - reboot: { now: true }\n---\n',
    );
    const before = treeHash(ws, ['.quirkctl']);
    const expected = "quirks/bad.md:7: actions[1].reboot: unknown action 'reboot'; expected rebind, d3hot-delay, config-write (flags are written as plain words)\n";
    expect(cli(['list'], { cwd: ws })).toMatchObject({ code: 2, stderr: expected });
    expect(cli(['add', '1f9d:1100', '--no-d3'], { cwd: ws })).toMatchObject({ code: 2, stderr: expected });
    expect(cli(['validate'], { cwd: ws })).toMatchObject({ code: 1, stdout: expected });
    expect(treeHash(ws, ['.quirkctl'])).toBe(before);
  });

  it('a broken quirkctl.yaml is named by line', () => {
    const ws = freshWorkspace();
    writeFileSync(path.join(ws, 'quirkctl.yaml'), 'version: 1\npci_ids: [ x ]\n');
    expect(cli(['list'], { cwd: ws })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^quirkctl\.yaml:2: pci_ids: unknown key 'pci_ids'; expected one of: version, pci-ids, /) });
  });
});

describe('editing keeps what the user wrote', () => {
  it('a hand-written quirk with comments survives add --ref with its comments and key order', () => {
    const ws = freshWorkspace();
    const original = `---
# Polaris cards die on a bus reset under VFIO.
id: polaris
title: AMD Polaris 10 dies on bus reset # keep it short
match:
  vendor: 0x1002 # AMD/ATI
  device: 0x67DF
actions:
  # the bus reset is what kills it
  - no-bus-reset
upstream: { state: none } # nobody has sent it yet
references:
  - https://www.reddit.com/r/VFIO/comments/enmnnj/trying_to_understand_amd_polaris_reset_bug/ # the original post
---

## Symptom

Config space reads all ones after a bus reset.
`;
    const file = path.join(ws, 'quirks', 'polaris.md');
    writeFileSync(file, original);
    const r = cli(['add', '1002:67df', '--ref', 'https://gist.github.com/shatsky/2c8959eb3b9d2528ee8a7b9f58467aa0'], { cwd: ws });
    expect(r).toMatchObject({ code: 0, stdout: 'updated quirks/polaris.md\n  + reference https://gist.github.com/shatsky/2c8959eb3b9d2528ee8a7b9f58467aa0\n' });
    expect(readFileSync(file, 'utf8')).toBe(
      original.replace(
        '# the original post\n',
        '# the original post\n  - https://gist.github.com/shatsky/2c8959eb3b9d2528ee8a7b9f58467aa0\n',
      ),
    );
  });
});

describe('concurrency', () => {
  it('eight adds started at once for eight devices leave eight valid quirk files', async () => {
    const ws = freshWorkspace();
    const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => cliAsync(['add', `10ee:900${i}`, '--no-flr', '--id', `fpga-${i}`], { cwd: ws })));
    expect(runs.map((r) => r.code)).toEqual(Array(8).fill(0));
    expect(readdirSync(path.join(ws, 'quirks')).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `fpga-${i}.md`));
    expect(cli(['validate'], { cwd: ws })).toMatchObject({ code: 0, stdout: '8 quirks, no problems\n' });
    // No temporary files left behind by the atomic writes.
    expect(readdirSync(path.join(ws, 'quirks')).filter((n) => !n.endsWith('.md'))).toEqual([]);
  });

  it('eight adds at once to one device merge into one file, losing none of them', async () => {
    const ws = freshWorkspace();
    expect(cli(['add', '1002:67df', '--no-bus-reset', '--id', 'polaris'], { cwd: ws }).code).toBe(0);
    const refs = Array.from({ length: 8 }, (_, i) => `https://example.org/report/${i}`);
    const runs = await Promise.all(refs.map((ref) => cliAsync(['add', '1002:67df', '--ref', ref], { cwd: ws })));
    expect(runs.map((r) => r.code)).toEqual(Array(8).fill(0));
    const shown = JSON.parse(cli(['show', 'polaris', '--json'], { cwd: ws }).stdout) as { references: string[] };
    expect(shown.references.sort()).toEqual(refs.sort());
  });
});

describe('finding the workspace', () => {
  it('walks up from the current directory, or takes --workspace or QUIRKCTL_WORKSPACE', () => {
    const ws = freshWorkspace();
    cli(['add', '1002:aaf0', '--no-bus-reset', '--id', 'audio'], { cwd: ws });
    const deep = path.join(ws, 'patches', 'a', 'b');
    mkdirSync(deep, { recursive: true });
    const elsewhere = tempDir();
    const ids = (r: { stdout: string }) => (JSON.parse(r.stdout) as { id: string }[]).map((q) => q.id);
    expect(ids(cli(['list', '--json'], { cwd: deep }))).toEqual(['audio']);
    expect(ids(cli(['--workspace', ws, 'list', '--json'], { cwd: elsewhere }))).toEqual(['audio']);
    expect(ids(cli(['list', '--json'], { cwd: elsewhere, env: { QUIRKCTL_WORKSPACE: ws } }))).toEqual(['audio']);
    expect(cli(['list'], { cwd: elsewhere })).toMatchObject({ code: 2, stderr: expect.stringMatching(/no quirkctl workspace: no quirkctl\.yaml in .* or any directory above it/) });
    expect(cli(['--workspace', elsewhere, 'list'], { cwd: elsewhere })).toMatchObject({ code: 2, stderr: expect.stringMatching(/--workspace '.*': no quirkctl\.yaml in/) });
  });

  it('init refuses to overwrite a workspace', () => {
    const ws = freshWorkspace();
    expect(cli(['init', ws])).toMatchObject({ code: 2, stderr: expect.stringMatching(/already exists/) });
    for (const d of ['quirks', 'series', 'patches', 'templates']) expect(existsSync(path.join(ws, d))).toBe(true);
    expect(readdirSync(path.join(ws, 'templates'))).toEqual([]);
  });
});

describe('the index of the database', () => {
  it('never serves a stale quirk: edits by hand show up, new problems are reported', () => {
    const ws = freshWorkspace();
    cli(['add', '1002:aaf0', '--no-bus-reset', '--id', 'audio', '--title', 'First title'], { cwd: ws });
    const file = path.join(ws, 'quirks', 'audio.md');
    // Backdate the file so the index keeps it (files changed in the last second are re-read anyway).
    const backdate = () => utimesSync(file, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    backdate();
    expect(JSON.parse(cli(['show', 'audio', '--json'], { cwd: ws }).stdout).title).toBe('First title');
    expect(existsSync(path.join(ws, '.quirkctl', 'index.json'))).toBe(true);
    writeFileSync(file, readFileSync(file, 'utf8').replace('First title', 'Other title')); // same size on purpose
    backdate();
    expect(JSON.parse(cli(['show', 'audio', '--json'], { cwd: ws }).stdout).title).toBe('Other title');
    writeFileSync(file, readFileSync(file, 'utf8').replace('no-bus-reset', 'no-such-thing'));
    expect(cli(['list'], { cwd: ws })).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown value 'no-such-thing'") });
    rmSync(file);
    expect(cli(['list', '--json'], { cwd: ws }).stdout).toBe('[]\n');
  });
});

describe('scan', () => {
  function fakeSysfs(devices: { bdf: string; vendor: string; device: string; driver?: string; cls?: string; sub?: [string, string] }[]): string {
    const root = tempDir('quirkctl-sysfs-');
    for (const d of devices) {
      const dir = path.join(root, 'devices', 'pci0000:00', d.bdf);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'vendor'), `0x${d.vendor}\n`);
      writeFileSync(path.join(dir, 'device'), `0x${d.device}\n`);
      writeFileSync(path.join(dir, 'subsystem_vendor'), `0x${d.sub?.[0] ?? '0000'}\n`);
      writeFileSync(path.join(dir, 'subsystem_device'), `0x${d.sub?.[1] ?? '0000'}\n`);
      writeFileSync(path.join(dir, 'class'), `0x${d.cls ?? '030000'}\n`);
      writeFileSync(path.join(dir, 'revision'), '0x02\n');
      if (d.driver) {
        const drv = path.join(root, 'bus', 'pci', 'drivers', d.driver);
        mkdirSync(drv, { recursive: true });
        symlinkSync(path.relative(dir, drv), path.join(dir, 'driver'));
      }
      mkdirSync(path.join(root, 'bus', 'pci', 'devices'), { recursive: true });
      symlinkSync(path.relative(path.join(root, 'bus', 'pci', 'devices'), dir), path.join(root, 'bus', 'pci', 'devices', d.bdf));
    }
    return root;
  }

  it('reports which devices of a sysfs tree match which quirks, with BDF and driver', () => {
    const sysfs = fakeSysfs([
      { bdf: '0000:00:00.0', vendor: '1022', device: '14d8', cls: '060000' },
      { bdf: '0000:01:00.0', vendor: '1002', device: '67df', driver: 'vfio-pci' },
      { bdf: '0000:01:00.1', vendor: '1002', device: 'aaf0', driver: 'snd_hda_intel', cls: '040300' },
      { bdf: '0000:0c:00.0', vendor: '1f9d', device: '1100', driver: 'axl', cls: '120000' },
      { bdf: '0000:0d:00.0', vendor: '8086', device: '7360', cls: '0d4000' },
    ]);
    const r = cli(['scan', '--sysfs', sysfs, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { bdf: '0000:01:00.0', device: '1002:67df', driver: 'vfio-pci', quirk: 'amd-polaris-no-bus-reset', actions: ['no-bus-reset', 'config-write'] },
      { bdf: '0000:01:00.1', device: '1002:aaf0', driver: 'snd_hda_intel', quirk: 'amd-polaris-hdmi-audio-no-bus-reset', actions: ['no-bus-reset'] },
      { bdf: '0000:0c:00.0', device: '1f9d:1100', driver: 'axl', quirk: 'axelera-metis-s3-rebind', actions: ['rebind'] },
      { bdf: '0000:0d:00.0', device: '8086:7360', driver: null, quirk: 'intel-xmm7360-s4-rebind', actions: ['rebind'] },
    ]);
    const table = cli(['scan', '--sysfs', sysfs]);
    expect(table.stdout.split('\n')[0]).toMatch(/^BDF +DEVICE +NAME +DRIVER +QUIRK +ACTIONS$/);
    expect(table.stdout).toMatch(/0000:0d:00\.0 +8086:7360 +.* +\(none\) +intel-xmm7360-s4-rebind +rebind around hibernate/);
  });

  it('honours subsystem, class and revision in a match', () => {
    const ws = freshWorkspace();
    writeFileSync(
      path.join(ws, 'quirks', 'narrow.md'),
      '---\nid: narrow\ntitle: Narrow\nmatch: { vendor: 0x1002, device: 0x67df, subvendor: 0x1da2, subdevice: 0xe366, class: { value: 0x030000, mask: 0xff0000 }, revision: 0x02 }\nactions: [ no-flr ]\n---\n',
    );
    const sysfs = fakeSysfs([
      { bdf: '0000:01:00.0', vendor: '1002', device: '67df', sub: ['1da2', 'e366'] },
      { bdf: '0000:02:00.0', vendor: '1002', device: '67df', sub: ['1043', '0517'] },
      { bdf: '0000:03:00.0', vendor: '1002', device: '67df', sub: ['1da2', 'e366'], cls: '040300' },
    ]);
    const hits = JSON.parse(cli(['scan', '--sysfs', sysfs, '--json'], { cwd: ws }).stdout) as { bdf: string }[];
    expect(hits.map((h) => h.bdf)).toEqual(['0000:01:00.0']);
  });

  it('says so when the sysfs root has no PCI devices directory', () => {
    expect(cli(['scan', '--sysfs', tempDir()])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--sysfs '.*': cannot read .*bus\/pci\/devices: ENOENT/) });
  });
});

describe('the bundled workspace', () => {
  it('validates, and docs writes a stable QUIRKS.md listing every curated quirk', () => {
    expect(cli(['validate'])).toMatchObject({ code: 0, stdout: '4 quirks, no problems\n' });
    const out = tempDir();
    const a = cli(['docs', '-o', path.join(out, 'a.md')]);
    const b = cli(['docs', '-o', path.join(out, 'b.md')]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const text = readFileSync(path.join(out, 'a.md'), 'utf8');
    expect(readFileSync(path.join(out, 'b.md'), 'utf8')).toBe(text);
    // The committed QUIRKS.md is what docs produces from the committed database.
    expect(readFileSync(path.join(REPO, 'QUIRKS.md'), 'utf8')).toBe(text);
    for (const id of ['axelera-metis-s3-rebind', 'amd-polaris-no-bus-reset', 'amd-polaris-hdmi-audio-no-bus-reset', 'intel-xmm7360-s4-rebind']) {
      expect(text).toContain(`\`${id}\``);
    }
    expect(text).toContain('`setpci 7c.l=39d5e86b`');
    expect(cli(['docs', '--check'])).toMatchObject({ code: 0 });
  });

  it('lists the curated database', () => {
    const quirks = JSON.parse(cli(['list', '--json']).stdout) as { id: string; match: { vendor: string; device: string }; driver: string | null; actions: { type: string }[] }[];
    const byId = Object.fromEntries(quirks.map((q) => [q.id, q]));
    expect(byId['axelera-metis-s3-rebind']).toMatchObject({ match: { vendor: '1f9d', device: '1100' }, driver: 'metis', actions: [{ type: 'rebind', around: ['suspend', 'hibernate'] }] });
    expect(byId['amd-polaris-no-bus-reset']).toMatchObject({
      match: { vendor: '1002', device: '67df' },
      actions: [{ type: 'no-bus-reset' }, { type: 'config-write', offset: '0x7c', width: 32, value: '0x39d5e86b', when: 'before-reset' }],
    });
    expect(byId['amd-polaris-hdmi-audio-no-bus-reset']).toMatchObject({ match: { vendor: '1002', device: 'aaf0' }, actions: [{ type: 'no-bus-reset' }] });
    expect(byId['intel-xmm7360-s4-rebind']).toMatchObject({ match: { vendor: '8086', device: '7360' }, driver: 'iosm', actions: [{ type: 'rebind', around: ['hibernate'] }] });
  });
});

describe('what list loads', () => {
  it('does not load the modules that only send or track mail', () => {
    const log = path.join(tempDir(), 'imports.log');
    const r = cli(['list', '--json'], { nodeArgs: ['--import', path.join(REPO, 'test', 'helpers', 'trace-imports.mjs')], env: { QUIRKCTL_TRACE_IMPORTS: log } });
    expect(r.code).toBe(0);
    const loaded = readFileSync(log, 'utf8');
    expect(loaded).toContain('/dist/quirks/index-cache.js'); // the trace works
    for (const mod of ['nodemailer', 'mailparser', 'smtp-server', 'simple-git', 'unified', 'remark']) {
      expect(loaded).not.toMatch(new RegExp(`node_modules/${mod}/`));
    }
  });
});
