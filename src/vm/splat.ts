/**
 * Kernel log lines that mean something went wrong in the kernel, whoever caused it:
 * the first line of an oops, BUG, WARN, lockdep report or refcount_t complaint, as
 * printk writes them (kernel/panic.c, lib/bug.c, arch/x86/mm/fault.c, kernel/locking/
 * lockdep.c, lib/refcount.c, kernel/hung_task.c, kernel/rcu, kernel/watchdog.c).
 */

export interface SplatKind {
  kind: 'oops' | 'bug' | 'warning' | 'lockdep' | 'refcount' | 'panic' | 'hang';
  pattern: RegExp;
}

// Order matters: lockdep reports start with "WARNING:" and a soft lockup with "BUG:"; the
// more specific name wins.
const KINDS: SplatKind[] = [
  { kind: 'lockdep', pattern: /WARNING: (possible (circular|recursive) locking|inconsistent lock state|possible irq lock inversion|suspicious RCU usage|lock held when returning|bad unlock balance|held lock freed|nested lock)|DEBUG_LOCKS_WARN_ON|INFO: possible (irq lock inversion|recursive locking)|BUG: (lock held|bad unlock|looking up invalid subclass)/ },
  { kind: 'refcount', pattern: /refcount_t: |kref .*(underflow|overflow)/ },
  { kind: 'hang', pattern: /INFO: task .* blocked for more than|rcu: INFO: rcu_\w+ (self-)?detected stall|watchdog: BUG: soft lockup|hard LOCKUP/ },
  { kind: 'oops', pattern: /\bOops: |general protection fault|stack segment: |kernel BUG at |invalid opcode: / },
  { kind: 'bug', pattern: /\bBUG: |UBSAN: |KASAN: |list_(add|del) corruption|slab-use-after-free|double free/ },
  { kind: 'warning', pattern: /\bWARNING: (CPU: |at )/ },
  { kind: 'panic', pattern: /Kernel panic - not syncing/ },
];

export interface Splat {
  kind: SplatKind['kind'];
  line: string;
}

/** The kind of splat a log line starts, or undefined. */
export function splatKind(line: string): SplatKind['kind'] | undefined {
  return KINDS.find((k) => k.pattern.test(line))?.kind;
}

export function findSplats(lines: readonly string[]): Splat[] {
  const found: Splat[] = [];
  for (const line of lines) {
    const kind = splatKind(line);
    if (kind) found.push({ kind, line });
  }
  return found;
}
