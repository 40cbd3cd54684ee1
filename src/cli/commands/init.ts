import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('init')
    .description('create a workspace: quirkctl.yaml and the quirks/, series/, patches/, templates/ folders')
    .argument('[dir]', 'where to create it', '.')
    .addHelpText('after', '\nThe templates/ folder starts empty: a file put there overrides the built-in template of the same name.')
    .action(async (dir: string) => {
      const { initWorkspace } = await import('../../workspace/init.js');
      const made = await initWorkspace(dir);
      process.stdout.write(`initialized quirkctl workspace in ${dir}\n${made.map((m) => `  ${m}\n`).join('')}`);
    });
}
