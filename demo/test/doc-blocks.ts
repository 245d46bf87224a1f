import { readFileSync } from 'node:fs';

/** A fenced code block of a Markdown file with its info string's attributes. */
export interface DocBlock {
  file: string;
  line: number;
  lang: string;
  attrs: Record<string, string>;
  code: string;
}

/** Every fenced block (```lang key="value" …) of a Markdown file. */
export function docBlocks(path: string, file: string): DocBlock[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i] ?? '');
    const attrs = Object.fromEntries(
      [...(open[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    blocks.push({ file, line: start + 1, lang: open[1] ?? '', attrs, code: `${body.join('\n')}\n` });
  }
  return blocks;
}

/** Lines without their leading and trailing spaces, blank lines dropped: for excerpt checks. */
export const normalize = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('\n');
