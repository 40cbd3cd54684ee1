/** Which programs this machine has. */
import { execa } from 'execa';

/** True when `tool` is on PATH (as the shell's `command -v` finds it). */
export async function onPath(tool: string): Promise<boolean> {
  const r = await execa('sh', ['-c', 'command -v "$1"', 'sh', tool], { reject: false });
  return r.exitCode === 0;
}
