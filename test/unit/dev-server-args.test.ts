import { devServerArgs, HISTORY_CACHE_ENTRIES } from '../../src/dev/dev-server';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/contract/search-attributes';

/** The value that follows `flag` in `args`, for every occurrence. */
function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1]!] : []));
}

describe('devServerArgs', () => {
  it('binds a headless server to loopback, on the given port and namespace, in memory', () => {
    const args = devServerArgs({ port: 7300, namespace: 'ns' });
    expect(args.slice(0, 2)).toEqual(['server', 'start-dev']);
    expect(valuesOf(args, '--ip')).toEqual(['127.0.0.1']);
    expect(valuesOf(args, '--port')).toEqual(['7300']);
    expect(valuesOf(args, '--namespace')).toEqual(['ns']);
    expect(args).toContain('--headless');
    expect(args).not.toContain('--ui-port');
    expect(args).not.toContain('--db-filename');
    expect(args).not.toContain('--metrics-port');
  });

  it('serves the UI on loopback, and keeps state in the given file, with metrics, when asked', () => {
    const args = devServerArgs({ port: 7300, namespace: 'default', uiPort: 8300, dbFilename: '/state/temporal.db', metricsPort: 9300 });
    expect(valuesOf(args, '--ui-port')).toEqual(['8300']);
    expect(valuesOf(args, '--ui-ip')).toEqual(['127.0.0.1']);
    expect(args).not.toContain('--headless');
    expect(valuesOf(args, '--db-filename')).toEqual(['/state/temporal.db']);
    expect(valuesOf(args, '--metrics-port')).toEqual(['9300']);
  });

  it("caches more workflows than the 10,000 tasks one worker tracks, and reads search attributes from the server's cache", () => {
    expect(HISTORY_CACHE_ENTRIES).toBeGreaterThan(10_000);
    expect(valuesOf(devServerArgs({ port: 7300, namespace: 'default' }), '--dynamic-config-value').sort()).toEqual(
      [`history.hostLevelCacheMaxSize=${HISTORY_CACHE_ENTRIES}`, 'system.forceSearchAttributesCacheRefreshOnRead=false'].sort(),
    );
  });

  it('registers every search attribute the workflows upsert, with the type the README gives it', () => {
    const registered = valuesOf(devServerArgs({ port: 7300, namespace: 'default' }), '--search-attribute');
    expect(registered.map((pair) => pair.split('=')[0]).sort()).toEqual(ALL_SEARCH_ATTRIBUTES.map((key) => key.name).sort());
    expect(registered.sort()).toEqual(
      [
        'AirflowDagId=Keyword',
        'AirflowTaskId=Keyword',
        'AirflowRunId=Keyword',
        'AirflowWorkloadId=Keyword',
        'AirflowState=Keyword',
        'EcsTaskArn=Keyword',
        'EcsCluster=Keyword',
        'EcsExecutorName=Keyword',
        'AirflowTryNumber=Int',
        'AirflowMapIndex=Int',
        'AirflowStateChangedAt=Datetime',
        'EcsTaskArns=KeywordList',
      ].sort(),
    );
  });
});
