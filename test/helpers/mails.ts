/** Plain-text list mails and replies, as a reviewer's mailer would send them. */
export function mail(opts: { from: string; id: string; to?: string; refs?: string[]; subject: string; body: string }): string {
  return [
    `From: ${opts.from}`,
    'To: linux-pci@vger.example.org',
    `Subject: ${opts.subject}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${opts.id}>`,
    ...(opts.to ? [`In-Reply-To: <${opts.to}>`, `References: ${(opts.refs ?? [opts.to]).map((r) => `<${r}>`).join(' ')}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body,
    '',
  ].join('\n');
}

export function reply(opts: { from: string; id: string; to: string; refs: string[]; subject: string; body: string }): string {
  return mail({ ...opts, subject: `Re: ${opts.subject}` });
}

/** The unfolded Subject of a raw mail. */
export function subjectOf(raw: string): string {
  return /^Subject: (.*(?:\n[ \t].*)*)$/m.exec(raw)![1]!.replace(/\n\s+/g, ' ');
}
