/** The README's helper tables, rendered from a helper set (a test keeps the README in step). */
import type { HelperSet } from '../../src/index.js';

export function helperTable(set: HelperSet): string {
  const rows = [...set.values()].map((e) => {
    const args = e.prototype.args.map((a) => `\`${a}\``).join(', ') || '—';
    return `| ${e.id} | \`${e.signature ?? e.name}\` | ${args} | \`${e.prototype.ret}\` |`;
  });
  const header = '| id | C prototype | verifier args | returns |';
  return [header, '| --: | --- | --- | --- |', ...rows].join('\n');
}
