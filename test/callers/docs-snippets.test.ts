/**
 * docs/calling-from-other-services.md shows the Go, Python and Java callers by embedding their files: each block
 * after an `<!-- embed: <path> -->` line must equal that file, so the page shows exactly the code CI runs
 * (test/callers). Fix a failure by pasting the file into its block.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const docPath = 'docs/calling-from-other-services.md';

/** Every `<!-- embed: path -->` followed by a fenced block, in page order. */
function embeddedBlocks(markdown: string): { file: string; body: string }[] {
  const pattern = /<!-- embed: (\S+) -->\n\n```\w*\n([\s\S]*?)^```$/gm;
  return [...markdown.matchAll(pattern)].map((m) => ({ file: m[1]!, body: m[2]! }));
}

describe(`the callers embedded in ${docPath}`, () => {
  const blocks = embeddedBlocks(readFileSync(path.join(root, docPath), 'utf8'));

  it('embeds the Go, Python and Java callers that CI runs', () => {
    expect(blocks.map((b) => b.file)).toEqual([
      'examples/callers/go/recovery/recovery.go',
      'examples/callers/python/recovery.py',
      'examples/callers/java/src/main/java/example/callers/BatchRecovery.java',
    ]);
  });

  it.each(blocks.map((b) => [b.file, b.body]))('shows %s exactly as it is', (file, body) => {
    expect(body).toBe(readFileSync(path.join(root, file), 'utf8'));
  });
});
