/**
 * Booting the guest: qemu's command line (pure) and a run that streams the results port
 * line by line, with a deadline for the first sign of life and for silence between
 * records. The console (ttyS0: kernel messages, the script's own output) goes to a file;
 * the results port (ttyS1) to qemu's stdout, so kernel messages never split a record.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { execa } from 'execa';
import type { EmulatedDevice } from './devices.js';

export type Accel = 'kvm' | 'tcg';

export interface QemuInput {
  vmlinuz: string;
  initrd: string;
  device: EmulatedDevice;
  accel: Accel;
  consoleLog: string;
}

/** Guest memory: enough for hibernation to preallocate its image next to the initramfs. */
const MEMORY_MB = 512;

/** The kernel command line: console on ttyS0, a panic ends the run at once (with -no-reboot). */
const KERNEL_CMDLINE = 'console=ttyS0 panic=-1 loglevel=5';

export function qemuArgs(q: QemuInput): string[] {
  return [
    '-machine', 'q35',
    '-accel', q.accel,
    ...(q.accel === 'kvm' ? ['-cpu', 'host'] : []),
    '-m', String(MEMORY_MB),
    '-smp', '1',
    '-nographic',
    '-monitor', 'none',
    '-no-reboot',
    '-kernel', q.vmlinuz,
    '-initrd', q.initrd,
    '-append', KERNEL_CMDLINE,
    '-nic', 'none',
    // The device's own network backend, closed off from the host's network.
    '-netdev', 'user,id=qknet,restrict=on',
    // Behind a PCIe root port the device is alone on a bus the kernel can reset: reset_method offers `bus`.
    '-device', 'pcie-root-port,id=qkport,chassis=1,addr=0x2',
    '-device', `${q.device.qemu},bus=qkport,netdev=qknet,romfile=`,
    '-serial', `file:${q.consoleLog}`,
    '-serial', 'stdio',
  ];
}

/** The accelerator to try first: KVM when /dev/kvm can be opened, else TCG. */
export async function preferredAccel(): Promise<Accel> {
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
    return 'kvm';
  } catch {
    return 'tcg';
  }
}

export interface RunLimits {
  /** From start until the first results line. */
  firstLineMs: number;
  /** Between two results lines. */
  silenceMs: number;
}

export interface QemuRun {
  exitCode: number | undefined;
  /** Set when the run was stopped: which deadline passed. */
  timedOut?: 'first-line' | 'silence';
  stderr: string;
}

/** Runs qemu, handing each line of the results port to `onLine`; stops it at a deadline. */
export async function runQemu(args: string[], limits: RunLimits, onLine: (line: string) => void): Promise<QemuRun> {
  const child = execa('qemu-system-x86_64', args, { stdin: 'ignore', reject: false, buffer: { stdout: false, stderr: true }, forceKillAfterDelay: 2000 });
  let timedOut: QemuRun['timedOut'];
  let seen = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = seen ? 'silence' : 'first-line';
      child.kill('SIGTERM');
    }, seen ? limits.silenceMs : limits.firstLineMs);
  };
  arm();
  try {
    for await (const line of child.iterable({ from: 'stdout' })) {
      seen = true;
      arm();
      onLine(String(line));
    }
  } finally {
    clearTimeout(timer);
  }
  const r = await child;
  const run: QemuRun = { exitCode: r.exitCode, stderr: String(r.stderr ?? '') };
  if (timedOut) run.timedOut = timedOut;
  return run;
}
