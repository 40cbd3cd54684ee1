import path from 'node:path';
import type { Command } from 'commander';
import type { GenerateResult } from '../../dkms/generate.js';
import { formatTable, printJson, workspaceOf } from '../io.js';

interface DkmsOptions {
  all?: boolean;
  name?: string;
  version?: string;
  maintainer?: string;
  out?: string;
  format: string;
  build: boolean;
  dryRun?: boolean;
  json?: boolean;
}

const FORMAT_TEXT: Record<string, string> = {
  src: 'DKMS source tree (dkms add ./src)',
  deb: 'Debian/Ubuntu package (dh-dkms)',
  arch: 'Arch package (pacman runs dkms)',
  hook: 'systemd-sleep hook and udev rule, no module',
};

function report(r: GenerateResult, cwd: string, dryRun: boolean): string {
  const p = r.plan;
  const out = path.relative(cwd, r.out) || '.';
  const lines: string[] = [];
  lines.push(`${dryRun ? 'would write' : 'wrote'} ${out}/ (package ${p.name} ${p.version}, module ${p.module}, ${p.quirks.length} quirk${p.quirks.length === 1 ? '' : 's'})`);
  for (const f of r.files) lines.push(`  ${f}`);
  for (const b of r.built) lines.push(`  ${b.file}  (built)`);
  const formats = [...new Set(r.files.map((f) => f.split('/')[0] ?? ''))];
  const rows = formats.map((f) => {
    const kernels = f === 'hook' ? 'any kernel (reset_method needs >= 5.15)' : p.kernels.range;
    return [f, FORMAT_TEXT[f] ?? f, kernels];
  });
  lines.push('', 'packages and the kernels they build for:');
  lines.push(...formatTable(['FORMAT', 'WHAT', 'KERNELS'], rows).trimEnd().split('\n').map((l) => `  ${l}`));
  if (formats.some((f) => f !== 'hook')) lines.push(`  BUILD_EXCLUSIVE_KERNEL="${p.kernels.regex}"`);
  lines.push('', 'quirks:');
  lines.push(...formatTable(['QUIRK', 'KERNELS'], p.quirks.map((q) => [q.id, q.kernels ? q.kernels.range : p.kernels.range])).trimEnd().split('\n').map((l) => `  ${l}`));
  for (const s of p.skipped) lines.push(`  ${s.id}: left out: ${s.reason}`);
  for (const n of r.notBuilt) lines.push('', `${n.format}: not built: ${n.reason}`);
  if (r.notes.length) lines.push('', 'notes:', ...r.notes.map((n) => `  ${n}`));
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('dkms')
    .description('generate a DKMS workaround package (Debian, Arch) or a no-module sleep hook for quirks')
    .argument('[quirk...]', 'quirks to cover, by id or vvvv:dddd')
    .option('--all', 'cover every quirk in the database')
    .option('--name <name>', 'package name (default: dkms.name in quirkctl.yaml, else quirkctl-workarounds)')
    .option('--version <version>', 'package version, no "-" (default: dkms.version, else the date)')
    .option('--maintainer <who>', "'Name <email>' for the packages (default: dkms.maintainer, else git's user.name/user.email)")
    .option('--out <dir>', 'output directory, replaced on each run (default: ./<name>-<version>)')
    .option('--format <list>', 'what to make: src, deb, arch, hook, or all (comma-separated)', 'all')
    .option('--no-build', 'write the sources only; do not run dpkg-buildpackage or makepkg')
    .option('--dry-run', 'print what would be written; write nothing')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
One kernel module covers every selected quirk. dkms builds it only for kernels that
need at least one of them (each quirk's 'kernels' range minus the releases in its
upstream.fixed-in), and the module skips a quirk on a kernel that does not need it.
The output directory holds src/ (dkms add), deb/ (the .deb and its debian/ source),
arch/ (PKGBUILD, .SRCINFO, the .pkg.tar.zst) and hook/ (systemd-sleep script, udev rule).
Templates come from the workspace's templates/dkms/ when present, else the built-ins.

Examples:
  quirkctl dkms --all
  quirkctl dkms axelera-metis-s3-rebind --format deb --version 1.0
  quirkctl dkms 1002:67df --format hook --out polaris-hook
  sudo dkms add ./quirkctl-workarounds-2026.1.2/src && sudo dkms install quirkctl-workarounds/2026.1.2`,
    )
    .action(async (quirks: string[], opts: DkmsOptions, cmd: Command) => {
      const { generateDkms, parseFormats } = await import('../../dkms/generate.js');
      const formats = parseFormats(opts.format);
      const ws = await workspaceOf(cmd);
      const cwd = process.cwd();
      const result = await generateDkms(ws, {
        quirks,
        all: opts.all === true,
        ...(opts.name !== undefined ? { name: opts.name } : {}),
        ...(opts.version !== undefined ? { version: opts.version } : {}),
        ...(opts.maintainer !== undefined ? { maintainer: opts.maintainer } : {}),
        ...(opts.out !== undefined ? { out: opts.out } : {}),
        cwd,
        formats,
        build: opts.build,
        dryRun: opts.dryRun === true,
        progress: (m) => process.stderr.write(`${m}...\n`),
      });
      if (opts.json) {
        const p = result.plan;
        printJson({
          out: result.out,
          name: p.name,
          version: p.version,
          module: p.module,
          package: p.packageName,
          kernels: { range: p.kernels.range, regex: p.kernels.regex, min: p.kernels.min ?? null, max: p.kernels.max ?? null },
          quirks: p.quirks.map((q) => ({ id: q.id, kernels: q.kernels ? q.kernels.range : p.kernels.range })),
          skipped: p.skipped,
          files: result.files,
          built: result.built,
          notBuilt: result.notBuilt,
          notes: result.notes,
          dryRun: opts.dryRun === true,
        });
        return;
      }
      process.stdout.write(report(result, cwd, opts.dryRun === true));
    });
}
