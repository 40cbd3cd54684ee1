#!/usr/bin/env node
// A stand-in for podman and docker (by the name it is called with), for the tests of
// what quirkctl asks an engine to do: it records every call in $FAKE_ENGINE_STATE/calls.jsonl
// and answers like an engine that starts containers, has the images it built or pulled,
// cannot reach registry.example, and "builds" a module by leaving a .ko where dkms would.
// $FAKE_ENGINE_BROKEN=1 makes it an engine that cannot start containers.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const engine = path.basename(process.argv[1]);
const args = process.argv.slice(2);
const state = process.env.FAKE_ENGINE_STATE;
fs.appendFileSync(path.join(state, 'calls.jsonl'), `${JSON.stringify([engine, ...args])}\n`);
const images = path.join(state, 'images');
fs.mkdirSync(images, { recursive: true });
const image = (ref) => path.join(images, encodeURIComponent(ref));
const fail = (code, message) => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};

switch (args[0]) {
  case 'version':
    process.stdout.write(engine === 'podman' ? '4.9.4\n' : '27.0.1\n');
    break;
  case 'info':
    process.stdout.write(engine === 'podman' ? 'crun\n' : '["name=seccomp,profile=builtin"]\n');
    break;
  case 'import':
    fs.mkdirSync(image(args[2]), { recursive: true });
    break;
  case 'image':
    if (args[1] === 'inspect' && !fs.existsSync(image(args[args.length - 1]))) fail(125, `Error: ${args[args.length - 1]}: image not known`);
    process.stdout.write('sha256:0123\n');
    break;
  case 'pull':
    if (args[1].startsWith('registry.example/')) {
      fail(125, `Trying to pull ${args[1]}...\nError: initializing source docker://${args[1]}: pinging container registry registry.example: Get "https://registry.example/v2/": dial tcp: lookup registry.example: no such host`);
    }
    fs.mkdirSync(image(args[1]), { recursive: true });
    break;
  case 'build': {
    const tag = args.find((a) => a.startsWith('--tag=')).slice('--tag='.length);
    fs.mkdirSync(image(tag), { recursive: true });
    process.stdout.write(`STEP 1/2: FROM ...\nCOMMIT ${tag}\n`);
    break;
  }
  case 'run': {
    if (args.includes('/quirkctl-probe')) {
      if (process.env.FAKE_ENGINE_BROKEN) fail(126, 'Error: crun: setrlimit `RLIMIT_NOFILE`: Operation not permitted: OCI permission denied');
      fail(127, 'Error: crun: executable file `/quirkctl-probe` not found in $PATH: No such file or directory: OCI runtime attempted to invoke a command that was not found');
    }
    const sh = args.indexOf('sh');
    const script = args[sh + 2];
    if (script.includes('command -v dkms')) {
      process.stdout.write('dkms\nkernel /lib/modules/6.8.0-31-generic\n');
      break;
    }
    if (script.includes('dkms build')) {
      const [, work, name, version, kernel] = args.slice(sh + 4);
      const mount = args.find((a) => a.startsWith('--mount=') && a.includes(`,target=${work}`));
      const host = /source=([^,]+)/.exec(mount)[1];
      const dir = path.join(host, 'tree', name, version, kernel, 'x86_64', 'module');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${name.replace(/-/g, '_')}.ko`), 'not really a module\n');
      process.stdout.write(`(fake) dkms build -k ${kernel}\n`);
      break;
    }
    fail(125, `fake ${engine}: unexpected run`);
    break;
  }
  default:
    fail(125, `fake ${engine}: unexpected ${args[0]}`);
}
