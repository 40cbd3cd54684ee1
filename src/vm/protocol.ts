/**
 * What the guest reports on its results port (templates/vm/init.sh): records
 * `@QKVM:<nonce> {json}` and kernel log lines `@QKVM:<nonce>:log <step> <line>`. The
 * nonce is new for every run, so nothing the kernel or a module prints can pass for a
 * record. Pure: lines in, a GuestReport out.
 */

export interface GuestEnv {
  release: string;
  version: string;
  /** /sys/power/state, e.g. "freeze mem disk". */
  state: string;
  /** /sys/power/pm_test, e.g. "[none] core processors platform devices freezer". */
  pmTest: string;
  disk: string;
  /** The kernel logs driver binds (dynamic debug of drivers/base/dd.c). */
  dyndbg: boolean;
}

/** What sysfs showed of the device after an op (or at boot). */
export interface DeviceState {
  present: boolean;
  /** The bound driver's name; '' when none. */
  driver: string;
  /** reset_method's words; null when the kernel has no reset_method (before 5.15). */
  reset: string[] | null;
  /** The sysfs attributes the plan asks for (paths below the device), when it asks for any. */
  attrs?: Record<string, string>;
}

export interface OpRecord extends DeviceState {
  step: string;
  op: string;
  rc: number;
  /** sleep: the state and pm_test mode; offered false when /sys/power/state lacks it. */
  state?: string;
  mode?: string;
  offered?: boolean;
  /** The kernel log since the previous record. */
  log: string[];
}

export interface GuestReport {
  hello: boolean;
  env?: GuestEnv;
  /** Driver modules that failed to load. */
  driverLoadFailures: string[];
  device?: DeviceState & { bdf: string };
  bootLog: string[];
  ops: OpRecord[];
  /** The op started last, for a guest that stopped in the middle of one. */
  running?: { step: string; op: string };
  /** The guest got to the end of its script. */
  done: boolean;
  /** Kernel log after the last op. */
  endLog: string[];
  /** Lines with the marker that did not parse: the results port garbled something. */
  garbled: string[];
  /** Log lines, by step, whose record has not come yet (they are sent before it). */
  pending: Map<string, string[]>;
}

export function newReport(): GuestReport {
  return { hello: false, driverLoadFailures: [], bootLog: [], ops: [], done: false, endLog: [], garbled: [], pending: new Map() };
}

function resetWords(text: unknown): string[] | null {
  if (typeof text !== 'string' || text === '-') return null;
  return text.split(/\s+/).filter(Boolean);
}

function state(r: Record<string, unknown>): DeviceState {
  const s: DeviceState = { present: r.present === 1 || r.present === true, driver: typeof r.driver === 'string' ? r.driver : '', reset: resetWords(r.reset) };
  if (r.attrs !== null && typeof r.attrs === 'object') s.attrs = Object.fromEntries(Object.entries(r.attrs as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  return s;
}

/**
 * Adds one line of the results port to `report`; returns the record's type (or 'log')
 * when the line was one of this run's, for progress output.
 */
export function readLine(report: GuestReport, nonce: string, raw: string): string | undefined {
  const line = raw.replace(/\r$/, '');
  const logPrefix = `@QKVM:${nonce}:log `;
  const recPrefix = `@QKVM:${nonce} `;
  if (line.startsWith(logPrefix)) {
    const rest = line.slice(logPrefix.length);
    const space = rest.indexOf(' ');
    const step = space < 0 ? rest : rest.slice(0, space);
    const text = space < 0 ? '' : rest.slice(space + 1);
    pendingLog(report, step).push(text);
    return 'log';
  }
  if (!line.startsWith(recPrefix)) return undefined;
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line.slice(recPrefix.length)) as Record<string, unknown>;
  } catch {
    report.garbled.push(line);
    return undefined;
  }
  switch (r.t) {
    case 'hello':
      report.hello = true;
      break;
    case 'env':
      report.env = {
        release: String(r.release ?? ''),
        version: String(r.version ?? ''),
        state: String(r.state ?? '').trim(),
        pmTest: String(r.pmTest ?? '').trim(),
        disk: String(r.disk ?? '').trim(),
        dyndbg: r.dyndbg === 1,
      };
      break;
    case 'driver-load':
      report.driverLoadFailures.push(String(r.file));
      break;
    case 'device':
      report.device = { bdf: String(r.bdf ?? ''), ...state(r) };
      report.bootLog = takeLog(report, 'boot');
      break;
    case 'begin':
      report.running = { step: String(r.step), op: String(r.op) };
      break;
    case 'op': {
      const step = String(r.step);
      const rec: OpRecord = { step, op: String(r.op), rc: Number(r.rc), ...state(r), log: takeLog(report, step) };
      if (typeof r.state === 'string') rec.state = r.state;
      if (typeof r.mode === 'string') rec.mode = r.mode;
      if (typeof r.offered === 'boolean') rec.offered = r.offered;
      report.ops.push(rec);
      delete report.running;
      break;
    }
    case 'done':
      report.done = true;
      report.endLog = takeLog(report, 'end');
      break;
    default:
      report.garbled.push(line);
      return undefined;
  }
  return String(r.t);
}

function pendingLog(report: GuestReport, step: string): string[] {
  let lines = report.pending.get(step);
  if (!lines) report.pending.set(step, (lines = []));
  return lines;
}

function takeLog(report: GuestReport, step: string): string[] {
  const lines = report.pending.get(step) ?? [];
  report.pending.delete(step);
  return lines;
}

export function parseGuestOutput(text: string, nonce: string): GuestReport {
  const report = newReport();
  for (const line of text.split('\n')) readLine(report, nonce, line);
  return report;
}
