// Refresh of 50 tracked series against a real public-inbox on 127.0.0.1: requests, bytes,
// mails parsed and wall time, cold (no cache) and warm (threads unchanged).
// Usage: npm run build && node bench/lore-refresh.mjs   (needs public-inbox, see scripts/install-system-deps.sh)
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';
import { CLI } from './lib.mjs';

const SERIES = 50;
const PATCHES = 3;
const helper = fileURLToPath(new URL('../test/helpers/public-inbox.ts', import.meta.url));
const { module: pi } = await runnerImport(helper);

const rfc2822 = (d) => d.toUTCString().replace('GMT', '+0000');
const past = new Date(Date.now() - 2 * 86_400_000);

function mail({ from, id, subject, date, inReplyTo, body }) {
  return [
    `From: ${from}`,
    'To: linux-pci@vger.example.org',
    `Subject: ${subject}`,
    `Date: ${rfc2822(date)}`,
    `Message-ID: <${id}>`,
    ...(inReplyTo ? [`In-Reply-To: <${inReplyTo}>`, `References: <${inReplyTo}>`] : []),
    '',
    body,
    '',
  ].join('\n');
}

/** One series: cover, patches with a diff, a Reviewed-by on patch 1 and an Acked-by on the cover. */
function series(n) {
  const slug = `bench-${String(n).padStart(2, '0')}`;
  const changeId = `20261121-${slug}-${n.toString(16).padStart(12, '0')}`;
  const subject = `PCI: Avoid bus reset on device ${n} of the bench`;
  const cover = `${slug}-v1-0@example.org`;
  const patches = [...Array(PATCHES).keys()].map((i) => `${slug}-v1-${i + 1}@example.org`);
  const author = `Alice Author <alice${n}@example.org>`;
  const mails = [
    mail({ from: author, id: cover, subject: `[PATCH 0/${PATCHES}] ${subject}`, date: past, body: `Cover letter ${n}.\n\nchange-id: ${changeId}` }),
    ...patches.map((id, i) =>
      mail({
        from: author,
        id,
        subject: `[PATCH ${i + 1}/${PATCHES}] PCI: Part ${i + 1} of bench series ${n}`,
        date: past,
        inReplyTo: cover,
        body: `Part ${i + 1}.\n\nSigned-off-by: ${author}\n---\n drivers/pci/quirks.c | 1 +\n\ndiff --git a/drivers/pci/quirks.c b/drivers/pci/quirks.c\n--- a/drivers/pci/quirks.c\n+++ b/drivers/pci/quirks.c\n@@ -1 +1,2 @@\n x\n+y${n}\n`,
      }),
    ),
    mail({ from: 'Rob Reviewer <rob@example.org>', id: `${slug}-r1@example.org`, subject: `Re: [PATCH 1/${PATCHES}] PCI: Part 1 of bench series ${n}`, date: past, inReplyTo: patches[0], body: '> Part 1.\n\nReviewed-by: Rob Reviewer <rob@example.org>' }),
    mail({ from: 'Carol Maintainer <carol@example.org>', id: `${slug}-r2@example.org`, subject: `Re: [PATCH 0/${PATCHES}] ${subject}`, date: past, inReplyTo: cover, body: 'Acked-by: Carol Maintainer <carol@example.org>' }),
  ];
  const file = `---
subject: "${subject}"
change-id: ${changeId}
revision: 1
patches: []
state: sent
history:
  - revision: 1
    date: ${past.toISOString().replace(/\.\d+Z$/, 'Z')}
    cover: ${cover}
    patches: [ ${patches.join(', ')} ]
    source: sent
---
Cover letter ${n}.
`;
  return { slug, file, mails, cover };
}

function track(ws) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, 'track', '--all', '--json'], { cwd: ws, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`track exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const [, requests, bytes] = /^(\d+) requests, (\d+) bytes/m.exec(r.stderr);
  const outcomes = JSON.parse(r.stdout);
  return { ms, requests: Number(requests), bytes: Number(bytes), parsed: outcomes.reduce((n, o) => n + o.parsed, 0), updated: outcomes.filter((o) => o.updated).length };
}

function report(name, runs) {
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const r = runs[0];
  console.log(`${name}: median ${ms[Math.floor(ms.length / 2)].toFixed(0)} ms (min ${ms[0].toFixed(0)}, max ${ms[ms.length - 1].toFixed(0)}, ${runs.length} runs); ${r.requests} requests, ${r.bytes} bytes, ${r.parsed} mails parsed, ${r.updated} series files written`);
}

const inbox = await pi.startPublicInbox();
const ws = path.join(tmpdir(), `quirkctl-bench-lore-${process.pid}`);
try {
  mkdirSync(path.join(ws, 'series'), { recursive: true });
  writeFileSync(path.join(ws, 'quirkctl.yaml'), `version: 1\nlore: { url: "${inbox.url}" }\n`);
  const all = [...Array(SERIES).keys()].map((i) => series(i + 1));
  for (const s of all) writeFileSync(path.join(ws, 'series', `${s.slug}.md`), s.file);
  let t0 = Date.now();
  await inbox.deliver(all.flatMap((s) => s.mails));
  console.log(`setup: ${all.length} series, ${all.length * (PATCHES + 3)} mails delivered and indexed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const cold = [];
  for (let i = 0; i < 3; i++) {
    rmSync(path.join(ws, '.quirkctl', 'lore'), { recursive: true, force: true });
    cold.push(track(ws));
  }
  report(`cold, ${SERIES} series (no cache)`, cold);
  report(`warm, inbox quiet since the last refresh (new.atom)`, [track(ws), track(ws), track(ws), track(ws), track(ws)]);

  // Mail elsewhere on the list: new.atom no longer proves nothing happened, so each series is probed.
  t0 = Date.now();
  await inbox.deliver([mail({ from: 'Someone <s@example.org>', id: 'unrelated-1@example.org', subject: '[PATCH] mm: unrelated', date: new Date(), body: 'Unrelated.' })]);
  report(`warm, threads unchanged, other mail on the list (one search each)`, [track(ws), track(ws), track(ws)]);

  // Five threads get a reply: those five are fetched again; only the new mails are parsed.
  await inbox.deliver(
    all.slice(0, 5).map((s, i) => mail({ from: 'Tess Tester <tess@example.org>', id: `${s.slug}-r3@example.org`, subject: `Re: [PATCH 0/${PATCHES}] PCI: Avoid bus reset on device ${i + 1} of the bench`, date: new Date(), inReplyTo: s.cover, body: `Tested-by: Tess Tester <tess@example.org>\n${i}` })),
  );
  report(`warm, 5 of ${SERIES} threads with a new reply`, [track(ws)]);
} finally {
  await inbox.stop();
  rmSync(ws, { recursive: true, force: true });
}
