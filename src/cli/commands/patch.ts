import type { Command } from 'commander';
import { MODULES } from '../../actions/registry.js';
import { workspaceOf } from '../io.js';

interface PatchOptions {
  tree?: string;
  base?: string;
  stable?: boolean;
  series?: string;
  name?: string;
  dryRun?: boolean;
}

/** One line per kind of patch, from the action modules: the action, the summary line, what the fix uses. */
function kindTable(): string {
  return MODULES.flatMap((m) => {
    const k = m.kernel;
    if ('none' in k) return [];
    const label = k.skip ? `${m.type}, when: before-reset` : m.type;
    const subject = k.subject('<device>');
    return label.length > 18 ? [`  ${label}`, `  ${''.padEnd(18)} ${subject} (${k.helpText})`] : [`  ${label.padEnd(18)} ${subject.padEnd(42)} (${k.helpText})`];
  }).join('\n');
}

export function register(program: Command): void {
  program
    .command('patch')
    .argument('<quirk>', 'quirk id, or vvvv:dddd when one quirk matches the device')
    .description('turn a quirk into kernel patches against drivers/pci/quirks.c, as a series in patches/ and series/')
    .option('--tree <path>', 'the kernel tree (a git clone; default: kernel.tree in quirkctl.yaml)')
    .option('--base <ref>', 'commit to base the patches on (default: kernel.base in quirkctl.yaml, else HEAD of the tree)')
    .option('--stable', 'add Cc: stable@vger.kernel.org, for a fix that belongs in stable kernels')
    .option('--series <slug>', "the series to write (default: the quirk's id); an existing series of other patches gets these appended")
    .option('--name <device>', "the device's name in summary lines and code (default: from pci.ids, e.g. 'AMD Ellesmere')")
    .option('-n, --dry-run', 'make the patches and print them; write nothing')
    .addHelpText(
      'after',
      `
The patches are made in a temporary git worktree of the tree, on a detached HEAD:
your checkout, branches and index are never touched. Each kind of fix is one
commit, authored and signed off with your git identity (user.name, user.email):

${kindTable()}

${MODULES.filter((m) => 'none' in m.kernel).map((m) => m.type).join(', ')} and the other config writes have no in-kernel mechanism: see 'quirkctl dkms'.
A fix the tree already carries for the device is reported and not made again.

Examples:
  quirkctl patch amd-polaris-no-bus-reset --tree ~/src/linux --base v6.1.192
  quirkctl patch 1002:67df --name 'AMD Polaris 10' --stable
  quirkctl patch amd-polaris-hdmi-audio-no-bus-reset --series amd-polaris-no-bus-reset
  quirkctl check amd-polaris-no-bus-reset && quirkctl series recipients amd-polaris-no-bus-reset`,
    )
    .action(async (quirk: string, opts: PatchOptions, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { makeQuirkPatch } = await import('../../series/quirk-patch.js');
      const out = await makeQuirkPatch(
        ws,
        { quirk, tree: opts.tree, base: opts.base, stable: opts.stable === true, series: opts.series, name: opts.name, dryRun: opts.dryRun === true },
        (line) => process.stderr.write(`${line}\n`),
      );
      for (const s of out.skipped) process.stderr.write(`skipped ${s.action}: ${s.reason}\n`);
      for (const c of out.changes) {
        for (const o of c.overlaps) process.stderr.write(`note: drivers/pci/quirks.c:${o.line} may already cover this device: ${o.text}\n`);
        if (c.present) {
          const where = c.present.map((p) => `drivers/pci/quirks.c:${p.line}: ${p.text}`).join('; ');
          const at = `${out.base.name ?? out.base.sha.slice(0, 12)}${out.onTopOf ? ` with series '${out.onTopOf}' applied` : ''}`;
          process.stdout.write(`${c.kind}: already in the tree at ${at}: ${where}\n`);
        }
      }
      if (out.patches.length === 0) {
        process.stdout.write('nothing written: the tree already has every fix this quirk asks for\n');
        return;
      }
      if (opts.dryRun) {
        for (const p of out.patches) process.stdout.write(`--- ${p.name}\n${p.text}`);
        return;
      }
      const w = out.written;
      if (!w) return;
      for (const p of w.patches) process.stdout.write(`wrote ${p}\n`);
      for (const r of w.removed) process.stdout.write(`removed ${r}\n`);
      process.stdout.write(`${w.created ? 'created' : 'updated'} ${w.file}: ${w.patches.length} patch${w.patches.length === 1 ? '' : 'es'} on ${out.base.name ?? out.base.sha.slice(0, 12)}\n`);
      if (w.patches.length > 1) process.stdout.write(`write the cover letter in ${w.file} (it says EDITME until you do)\n`);
    });
}
