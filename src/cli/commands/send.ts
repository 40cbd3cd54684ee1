import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { collect, workspaceOf } from '../io.js';

interface SendCliOptions {
  dryRun?: boolean;
  to?: string[];
  cc?: string[];
  reflect?: boolean;
  yes?: boolean;
  resume?: boolean;
  unknown?: 'resend' | 'skip';
  abandon?: boolean;
  force?: boolean;
  tree?: string;
}

async function askAtTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export function register(program: Command): void {
  program
    .command('send')
    .description("send a series to its list over SMTP, configured from git's sendemail.* settings; resumable")
    .argument('<slug>', 'the series')
    .option('--dry-run', 'show what would go where; never connects to the server')
    .option('--to <address>', 'another recipient for this posting (repeatable)', collect)
    .option('--cc <address>', 'another Cc for this posting (repeatable)', collect)
    .option('--reflect', 'deliver to yourself only, with the headers the list would see')
    .option('-y, --yes', 'send without asking')
    .option('--resume', 'finish an interrupted send: only the mails the server did not accept, same Message-IDs')
    .addOption(new Option('--unknown <what>', 'with --resume, for mails that may have been delivered: send them again, or count them as delivered').choices(['resend', 'skip']))
    .option('--abandon', 'forget an interrupted send (what was sent stays sent)')
    .option('--force', 'send even when pre-flight checks fail')
    .option('--tree <path>', "kernel tree with the base commit, for git's exact cover diffstat (default: kernel.tree in quirkctl.yaml)")
    .addHelpText(
      'after',
      `
Without --yes, send shows the mails, their recipients and the pre-flight checks
and sends nothing (at a terminal it asks first). The checks: the cover letter no
longer says EDITME, there are recipients, checkpatch passed on these very
patches ('quirkctl check'), and each patch has the sender's Signed-off-by.

SMTP comes from git's configuration, as for git send-email: sendemail.smtpServer,
smtpServerPort, smtpEncryption (ssl or tls), smtpUser, smtpSSLCertPath, from. The
password comes from $QUIRKCTL_SMTP_PASS or 'git credential fill'; it is never
written anywhere.

Examples:
  quirkctl send polaris-bus-reset                 # what would be sent, to whom
  quirkctl send polaris-bus-reset --reflect --yes # a copy to yourself first
  quirkctl send polaris-bus-reset --yes
  quirkctl send polaris-bus-reset --resume --yes  # after a failure half-way`,
    )
    .action(async (slug: string, opts: SendCliOptions, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { InputError } = await import('../../errors.js');
      if (opts.unknown && !opts.resume) throw new InputError('--unknown goes with --resume');
      if (opts.abandon) {
        if (opts.resume || opts.dryRun || opts.yes) throw new InputError('--abandon goes alone');
        const { abandonSend } = await import('../../series/send.js');
        process.stdout.write(`${await abandonSend(ws, slug)}\n`);
        return;
      }
      const { sendSeries } = await import('../../series/send.js');
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
      const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
      process.exitCode = await sendSeries(
        ws,
        slug,
        {
          to: opts.to ?? [],
          cc: opts.cc ?? [],
          reflect: opts.reflect ?? false,
          dryRun: opts.dryRun ?? false,
          yes: opts.yes ?? false,
          resume: opts.resume ?? false,
          force: opts.force ?? false,
          ...(opts.unknown ? { unknown: opts.unknown } : {}),
          ...(opts.tree !== undefined ? { tree: opts.tree } : {}),
          mailer: `quirkctl ${pkg.version}`,
        },
        {
          out: (t) => process.stdout.write(t),
          progress: (t) => process.stderr.write(t),
          ...(interactive ? { confirm: askAtTerminal } : {}),
          env: process.env,
        },
      );
    });
}
