import { ALL_SETTINGS, defaultText, isRequired, type Setting, type SettingGroup } from './table';

/** The settings table as text for `--help` and as Markdown for the README: both read the same entries. */

const HEADINGS: Record<SettingGroup, string> = {
  executor:
    "Executor settings (Airflow's [aws_ecs_executor]; each also read from AIRFLOW__AWS_ECS_EXECUTOR__<KEY> and from airflow.cfg, " +
    'or with ECS_EXECUTOR_TEAM from the team\'s AIRFLOW__<TEAM>___AWS_ECS_EXECUTOR__<KEY> and [<team>=aws_ecs_executor]; ours wins):',
  runtime: 'Runtime settings (ours alone):',
};

function inGroup(group: SettingGroup): Setting[] {
  return ALL_SETTINGS.filter((setting) => setting.group === group);
}

/** Every setting as aligned text for `--help`, by group, with its default and Airflow alias. */
export function envVarsHelp(): string {
  const width = Math.max(...ALL_SETTINGS.map((setting) => setting.env.length));
  const line = (setting: Setting) => {
    const fallback = defaultText(setting);
    const notes = [
      isRequired(setting) ? 'required' : undefined,
      fallback !== undefined ? `default ${fallback}` : undefined,
      setting.alias ? `alias ${setting.alias}` : undefined,
    ].filter((note) => note !== undefined);
    return `  ${setting.env.padEnd(width)}  ${setting.description}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
  };
  return (['executor', 'runtime'] as const).map((group) => [HEADINGS[group], ...inGroup(group).map(line)].join('\n')).join('\n\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** One group as the README's Markdown table (the README test compares the two). */
export function settingsMarkdownTable(group: SettingGroup): string {
  const rows = inGroup(group).map((setting) => {
    const fallback = defaultText(setting);
    const shownDefault = isRequired(setting) ? '**required**' : fallback !== undefined && fallback !== '' ? `\`${fallback}\`` : '–';
    const name = setting.alias ? `\`${setting.env}\`<br>(\`${setting.alias}\`)` : `\`${setting.env}\``;
    return `| ${name} | ${shownDefault} | ${cell(setting.description)} |`;
  });
  const header = group === 'executor' ? '| variable (Airflow alias) | default | meaning |' : '| variable | default | meaning |';
  return [header, '|---|---|---|', ...rows].join('\n');
}
