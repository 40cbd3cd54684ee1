// Preloaded with --import: records every module the process loads, one URL a line,
// into the file named by $QUIRKCTL_TRACE_IMPORTS.
import { register } from 'node:module';

register('./trace-imports-hooks.mjs', import.meta.url, { data: { out: process.env.QUIRKCTL_TRACE_IMPORTS } });
