import { readFile } from 'node:fs/promises';
import {
  clusterConfig,
  clusterDynamicConfigText,
  DEPLOYMENT_DYNAMIC_CONFIG_FILE,
  TEMPORAL_SERVICES,
} from '../../src/devenv/cluster-config';
import { resolveChaosOptions } from '../../bench/chaos/chaos-options';
import { planChaos } from '../../bench/chaos/chaos-plan';

describe('the PostgreSQL cluster configuration', () => {
  it('runs the deployment dynamic config as is, with added keys in flow style', async () => {
    const deployment = await readFile(DEPLOYMENT_DYNAMIC_CONFIG_FILE, 'utf8');
    const text = clusterDynamicConfigText(deployment, { 'limit.maxIDLength': 255 });
    expect(text.startsWith(deployment.trimEnd())).toBe(true);
    expect(text.endsWith('limit.maxIDLength: [{"value":255}]\n')).toBe(true);
  });

  it('gives each of the four services ports of its own and points both stores at one PostgreSQL', () => {
    const ports = Object.fromEntries(
      TEMPORAL_SERVICES.map((service, i) => [service, { grpc: 7000 + i, membership: 8000 + i }]),
    ) as Parameters<typeof clusterConfig>[0]['ports'];
    const config = clusterConfig({
      postgresPort: 5999,
      ports,
      frontendHttpPort: 7999,
      historyShards: 4,
      dynamicConfigFile: '/tmp/dc.yaml',
      logLevel: 'warn',
    }) as {
      services: Record<string, { rpc: { grpcPort: number } }>;
      persistence: { datastores: Record<string, { sql: { connectAddr: string; databaseName: string } }> };
    };
    expect(Object.keys(config.services).sort()).toEqual([...TEMPORAL_SERVICES].sort());
    expect(new Set(Object.values(config.services).map((s) => s.rpc.grpcPort)).size).toBe(4);
    expect(Object.values(config.persistence.datastores).map((d) => d.sql)).toEqual([
      expect.objectContaining({ connectAddr: '127.0.0.1:5999', databaseName: 'temporal' }),
      expect.objectContaining({ connectAddr: '127.0.0.1:5999', databaseName: 'temporal_visibility' }),
    ]);
  });
});

describe('a chaos run on the PostgreSQL backend', () => {
  it('plans each service kill in turn and the PostgreSQL restarts, and no dev-server restart', () => {
    const options = resolveChaosOptions({
      backend: 'postgresql',
      serviceKills: 2,
      postgresRestarts: 1,
      workflows: 10,
    });
    const kinds = planChaos(options).events.map((event) =>
      event.kind === 'kill-service' ? `kill-${event.service}` : event.kind,
    );
    expect(kinds.filter((kind) => kind === 'restart-server')).toEqual([]);
    expect(kinds.filter((kind) => kind === 'restart-postgres')).toHaveLength(1);
    for (const service of ['matching', 'history', 'frontend']) {
      expect(kinds.filter((kind) => kind === `kill-${service}`)).toHaveLength(2);
    }
  });

  it('refuses disruptions the backend does not have', () => {
    expect(() => resolveChaosOptions({ serviceKills: 1 })).toThrow('need the postgresql backend');
    expect(() => resolveChaosOptions({ backend: 'postgresql', serverRestarts: 1 })).toThrow(
      'serverRestarts needs the dev-server backend',
    );
  });
});
