import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsMarkdownTable, type SettingGroup } from '../../src/settings';

/**
 * README CHECK: the README's two configuration tables must be exactly what
 * settingsMarkdownTable() generates from the settings table (src/settings/table.ts), so the
 * README can never drift from the code. When it fails, paste the generated table printed in the
 * failure into the README's "Configuration" section.
 */

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The Markdown table in the Configuration section that starts with `header`, up to the first non-table line. */
function readmeTable(header: string): string | undefined {
  const section = README.slice(README.indexOf('## Configuration'));
  const lines = section.split('\n');
  const start = lines.indexOf(header);
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

describe('README configuration tables (README CHECK: regenerate them with settingsMarkdownTable when this fails)', () => {
  it.each([
    ['executor', '| variable (Airflow alias) | default | meaning |'],
    ['runtime', '| variable | default | meaning |'],
  ] as [SettingGroup, string][])('the %s settings table is the generated one', (group, header) => {
    expect(readmeTable(header)).toBe(settingsMarkdownTable(group));
  });
});
