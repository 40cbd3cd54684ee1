#!/usr/bin/env node
import { run } from './program.js';

// `quirkctl list | head` closes the pipe early: stop quietly, as git does.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

process.exitCode = await run(process.argv);
