import { Client, Connection } from '@temporalio/client';
import { freePort, startDevServer, type DevServer } from '../../src/dev/dev-server';
import { SearchAttributes } from '../../src/contract/search-attributes';
import { deltaTemporalMetrics, scrapeTemporalMetricsSettled } from '../../scripts/bench/temporal-metrics';

/**
 * The dev server's settings take effect on the server itself. The server ignores a dynamic-config
 * key it does not know, so a renamed key would pass the unit test on the command line and
 * silently bring back the CLI's default; this watches the server's own persistence counters.
 */
describe('the dev server we start (own server, with its metrics)', () => {
  let server: DevServer;
  let metricsPort: number;
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    metricsPort = await freePort();
    server = await startDevServer({ ui: false, metricsPort, readyTimeoutMs: 90_000 });
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection });
  }, 120_000);

  afterAll(async () => {
    await connection?.close();
    await server?.stop();
  });

  it('validates the search attributes of each start from its cache, not with a database read', async () => {
    const starts = 20;
    const before = await scrapeTemporalMetricsSettled(metricsPort);
    for (let i = 0; i < starts; i++) {
      await client.workflow.start('neverRuns', {
        taskQueue: 'no-worker-dev-server-settings',
        workflowId: `dev-server-settings-${i}`,
        typedSearchAttributes: [
          { key: SearchAttributes.dagId, value: 'settings' },
          { key: SearchAttributes.state, value: 'QUEUED' },
        ],
      });
    }
    const delta = deltaTemporalMetrics(before, await scrapeTemporalMetricsSettled(metricsPort));
    // The counters caught up with every start, so a read per start would show.
    expect(delta.rpc.byOperation.StartWorkflowExecution).toBe(starts);
    // With the CLI's forced refresh each start read the cluster metadata several times; the cache's own refresh is once a minute per service.
    expect(delta.persistence.requestsByOperation.GetCurrentClusterMetadata ?? 0).toBeLessThanOrEqual(4);
  }, 60_000);
});
