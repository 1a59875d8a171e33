import { join } from 'node:path';
import { AirflowCfgSyntaxError, airflowCfgPath, expandAirflowValue, parseAirflowCfg } from '../../src/settings/airflow-cfg';

/**
 * The values read from SAMPLE are what Python's configparser, as Airflow 3.3 sets it up
 * (ConfigParser() with a case-keeping optionxform), returned for the same text. The problem
 * messages are ours.
 */
const SAMPLE = [
  '[DEFAULT]',
  'shared = from_default',
  '',
  '[aws_ecs_executor]',
  'cluster = prod # not a comment',
  'Container_Name: base',
  'run_task_kwargs = {',
  '    "tags": [{"key": "a", "value": "100%%"}],',
  '',
  '    "startedBy": "%(cluster)s"',
  '  # a comment line inside',
  '    }',
  'subnets =',
  '[team_a=aws_ecs_executor] trailing',
  'cluster = team',
].join('\n');

function syntaxProblems(text: string): readonly string[] {
  try {
    parseAirflowCfg(text, 'airflow.cfg');
  } catch (err) {
    expect(err).toBeInstanceOf(AirflowCfgSyntaxError);
    return (err as AirflowCfgSyntaxError).problems;
  }
  throw new Error('expected a syntax error');
}

describe('parseAirflowCfg', () => {
  const cfg = parseAirflowCfg(SAMPLE, 'airflow.cfg');
  const value = (section: string, key: string) => {
    const got = cfg.get(section, key);
    return got && 'value' in got ? got.value : got;
  };

  it.each([
    ['cluster', 'prod # not a comment'],
    ['Container_Name', 'base'],
    ['container_name', undefined],
    ['run_task_kwargs', '{\n"tags": [{"key": "a", "value": "100%"}],\n\n"startedBy": "prod # not a comment"\n}'],
    ['subnets', ''],
    ['shared', 'from_default'],
  ])('reads [aws_ecs_executor] %s as configparser does', (key, expected) => {
    expect(value('aws_ecs_executor', key)).toEqual(expected);
  });

  it('reads a team section, [DEFAULT] values included', () => {
    expect(value('team_a=aws_ecs_executor', 'cluster')).toBe('team');
    expect(value('team_a=aws_ecs_executor', 'shared')).toBe('from_default');
  });

  it('has no value in a section that does not exist, not even a [DEFAULT] one', () => {
    expect(cfg.get('team_b=aws_ecs_executor', 'shared')).toBeUndefined();
  });

  it('gives the line of each key', () => {
    expect(cfg.get('aws_ecs_executor', 'run_task_kwargs')).toMatchObject({ line: 7 });
  });

  it.each([
    ['a lone %', 'k = 100%', "[s] k: '%' must be followed by '%' or '(', found: \"%\": write %% for a literal %"],
    ['a reference to a missing key', 'k = %(nope)s', '[s] k: %(nope)s refers to a key this section does not have: write %% for a literal %'],
    ['a reference loop', 'k = %(j)s\nj = %(k)s', '[s] k: more than 10 levels of %(...)s references (a loop?): write %% for a literal %'],
  ])('reports %s in a value as a problem of that value', (_label, body, problem) => {
    expect(parseAirflowCfg(`[s]\n${body}\n`, 'airflow.cfg').get('s', 'k')).toEqual({ problem, line: 2 });
  });

  it('reports every syntax problem with its line', () => {
    expect(syntaxProblems('k = before\n[s]\na = 1\na = 2\njunk\n[s]\n')).toEqual([
      'airflow.cfg:1: a key before any [section] header: put it under a section such as [aws_ecs_executor]',
      'airflow.cfg:4: key a in [s] already exists: keep one',
      'airflow.cfg:5: not a "key = value" line: "junk"',
      'airflow.cfg:6: section [s] already exists: merge the two sections',
    ]);
  });

  it('reads Windows line endings and a byte order mark', () => {
    expect(parseAirflowCfg('\uFEFF[s]\r\nk = v\r\n', 'airflow.cfg').get('s', 'k')).toEqual({ value: 'v', line: 2 });
  });
});

describe('expandAirflowValue (Airflow expand_env_var)', () => {
  const env = { HOME: '/home/u', NAME: 'prod', NESTED: '$NAME-x' };

  it.each([
    ['$NAME', 'prod'],
    ['${NAME}-cluster', 'prod-cluster'],
    ['$NESTED', 'prod-x'],
    ['$UNSET stays', '$UNSET stays'],
    ['~/airflow', '/home/u/airflow'],
    ['~', '/home/u'],
    ['a~b', 'a~b'],
    ['100$', '100$'],
  ])('expands %p to %p', (text, expected) => {
    expect(expandAirflowValue(text, env)).toBe(expected);
  });

  it('stops on a variable that refers to itself', () => {
    expect(expandAirflowValue('$A', { A: '$A$A' })).toMatch(/^(\$A)+$/);
  });
});

describe('airflowCfgPath', () => {
  it.each([
    [{ AIRFLOW_CONFIG: '/etc/airflow/airflow.cfg', AIRFLOW_HOME: '/opt/airflow' }, '/etc/airflow/airflow.cfg'],
    [{ AIRFLOW_CONFIG: '$AIRFLOW_HOME/custom.cfg', AIRFLOW_HOME: '/opt/airflow' }, '/opt/airflow/custom.cfg'],
    [{ AIRFLOW_HOME: '/opt/airflow' }, join('/opt/airflow', 'airflow.cfg')],
    [{ HOME: '/home/u' }, join('/home/u', 'airflow', 'airflow.cfg')],
  ])('finds %j at %p', (env, expected) => {
    expect(airflowCfgPath(env)).toBe(expected);
  });
});
