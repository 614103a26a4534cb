// doctl: which command lines the built-in rules gate, and which account (auth context) they reach.

import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';

const cluster = 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6';

describe('doctl command lines against the built-in rules', () => {
  table((line) => line, [
    ['doctl compute droplet delete web-1', 'doctl.droplet.delete'],
    ['doctl compute droplet delete 386734086 -f', 'doctl.droplet.delete'],
    ['doctl compute d d web-1', 'doctl.droplet.delete'],
    ['doctl compute droplet rm web-1 --force', 'doctl.droplet.delete'],
    ['doctl compute droplet del web-1 web-2', 'doctl.droplet.delete'],
    ['doctl compute droplet delete --tag-name prod', 'doctl.droplet.delete.tag'],
    ['doctl compute droplet d --tag-name=prod -f', 'doctl.droplet.delete.tag'],
    ['doctl --context prod compute droplet delete web-1', 'doctl.droplet.delete'],
    ['doctl compute droplet delete web-1 --context prod -t tok -o json', 'doctl.droplet.delete'],
    ['doctl -c ./doctl.yaml compute droplet delete web-1', 'doctl.droplet.delete'],
    [`doctl compute volume delete ${cluster} -f`, 'doctl.volume.delete'],
    ['doctl compute volume rm vol-1', 'doctl.volume.delete'],
    ['doctl compute snapshot delete 123', 'doctl.snapshot.delete'],
    ['doctl compute s d 123', 'doctl.snapshot.delete'],
    ['doctl compute image delete 123', 'doctl.image.delete'],
    [`doctl databases delete ${cluster}`, 'doctl.database.delete'],
    [`doctl db rm ${cluster}`, 'doctl.database.delete'],
    [`doctl d rm ${cluster} --force`, 'doctl.database.delete'],
    [`doctl databases db delete ${cluster} shop`, 'doctl.database.db.delete'],
    [`doctl dbs db rm ${cluster} shop`, 'doctl.database.db.delete'],
    [`doctl databases user delete ${cluster} app`, 'doctl.database.user.delete'],
    [`doctl databases pool delete ${cluster} pool-1`, 'doctl.database.pool.delete'],
    [`doctl db r rm ${cluster} replica-1`, 'doctl.database.replica.delete'],
    ['doctl kubernetes cluster delete shop-k8s', 'doctl.kubernetes.cluster.delete'],
    ['doctl k8s c d shop-k8s -f', 'doctl.kubernetes.cluster.delete'],
    ['doctl k clusters rm shop-k8s', 'doctl.kubernetes.cluster.delete'],
    ['doctl kubernetes cluster delete shop-k8s --dangerous', 'doctl.kubernetes.cluster.delete.dangerous'],
    ['doctl kubernetes cluster delete shop-k8s --dangerous=true', 'doctl.kubernetes.cluster.delete.dangerous'],
    ['doctl kubernetes cluster delete shop-k8s --dangerous=false', 'doctl.kubernetes.cluster.delete'],
    ['doctl kubernetes cluster delete-selective shop-k8s --volumes v1,v2', 'doctl.kubernetes.cluster.delete-selective'],
    ['doctl k8s c ds shop-k8s', 'doctl.kubernetes.cluster.delete-selective'],
    ['doctl kubernetes cluster node-pool delete shop-k8s pool-1', 'doctl.kubernetes.node-pool.delete'],
    ['doctl k c np d shop-k8s pool-1', 'doctl.kubernetes.node-pool.delete'],
    ['doctl kubernetes cluster node-pool delete-node shop-k8s pool-1 node-1', 'doctl.kubernetes.node-pool.delete'],
    [`doctl apps delete ${cluster}`, 'doctl.apps.delete'],
    [`doctl a d ${cluster} -f`, 'doctl.apps.delete'],
    [`doctl app rm ${cluster}`, 'doctl.apps.delete'],
    ['doctl registry delete -f', 'doctl.registry.delete'],
    ['doctl r d', 'doctl.registry.delete'],
    ['doctl registry repository delete-tag web v1 v2', 'doctl.registry.repository.delete'],
    ['doctl r r dt web v1', 'doctl.registry.repository.delete'],
    ['doctl registry repo delete-manifest web sha256:abc', 'doctl.registry.repository.delete'],
    [`doctl projects delete ${cluster}`, 'doctl.projects.delete'],
    ['doctl compute domain delete example.com', 'doctl.domain.delete'],
    ['doctl compute domain records delete example.com 98765', 'doctl.domain.delete'],
    [`doctl compute load-balancer delete ${cluster}`, 'doctl.load-balancer.delete'],
    [`doctl compute lb rm ${cluster}`, 'doctl.load-balancer.delete'],
    [`doctl compute firewall delete ${cluster}`, 'doctl.firewall.delete'],
    [`doctl compute fw d ${cluster}`, 'doctl.firewall.delete'],
    // never gated
    ['doctl compute droplet delete web-1 --help', ''],
    ['doctl compute droplet delete -h', ''],
    ['doctl help compute droplet delete', ''],
    ['doctl compute droplet list', ''],
    ['doctl compute d ls', ''],
    ['doctl compute d get web-1', ''],
    ['doctl compute droplet create delete --size s-1vcpu-1gb --image ubuntu', ''],
    ['doctl databases list', ''],
    ['doctl d list', ''],
    [`doctl db get ${cluster}`, ''],
    ['doctl kubernetes cluster list', ''],
    ['doctl k c kubeconfig remove shop-k8s', ''],
    ['doctl kubernetes cluster kubeconfig save shop-k8s', ''],
    ['doctl registry repository list-tags web', ''],
    ['doctl auth list', ''],
    ['doctl auth remove --context prod', ''],
    ['doctl account get', ''],
    ['doctl projects list', ''],
  ], (line) => rulesOf(line));
});

const home = join(emptyHome, 'doctl-home');
const other = join(emptyHome, 'doctl-other.yaml');

beforeAll(() => {
  mkdirSync(join(home, '.config', 'doctl'), { recursive: true });
  writeFileSync(
    join(home, '.config', 'doctl', 'config.yaml'),
    ['access-token: dop_v1_default_SECRET', 'context: staging-team', 'auth-contexts:', '  prod: dop_v1_prod_SECRET', '  staging-team: dop_v1_stg_SECRET', '  Sandbox: dop_v1_sbx_SECRET', ''].join('\n'),
  );
  writeFileSync(other, 'context: prod\nauth-contexts:\n  prod: dop_v1_prod_SECRET\n');
});

interface Case {
  line: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}
const evaluate = ({ line, env = {}, home: at = home }: Case) => evaluateLine(line, { HOME: at, ...env });
const target = async (c: Case) => {
  const t = (await evaluate(c)).target!;
  const first = t.evidence[0];
  return `${t.name ?? '-'} ${t.class} ${first.source}:${first.key}`;
};
const label = (c: Case) => `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${c.line}${c.home ? ' (empty HOME)' : ''}`;

describe('doctl target: the auth context, then the resources named', () => {
  table(label, [
    [{ line: 'doctl compute droplet delete 386734086' }, 'staging-team staging file:context'],
    [{ line: 'doctl --context prod compute droplet delete 386734086' }, 'prod production flag:--context'],
    [{ line: 'doctl compute droplet delete 386734086 --context=PROD' }, 'prod production flag:--context'],
    [{ line: 'doctl compute droplet delete 386734086', env: { DIGITALOCEAN_CONTEXT: 'prod' } }, 'prod production env:DIGITALOCEAN_CONTEXT'],
    [{ line: 'doctl compute droplet delete 386734086 --context sandbox' }, 'sandbox development flag:--context'],
    [{ line: 'doctl --context sandbox compute droplet delete web-prod-1' }, 'sandbox production flag:--context'],
    [{ line: `doctl -c ${other} compute droplet delete 386734086` }, 'prod production file:context'],
    [{ line: 'doctl compute droplet delete 386734086', env: { DIGITALOCEAN_CONFIG: other } }, 'prod production file:context'],
    [{ line: 'doctl compute droplet delete 386734086', home: emptyHome }, '- unknown default:context'],
    [{ line: 'doctl compute droplet delete web-prod-1', home: emptyHome }, 'web-prod-1 production default:context'],
    [{ line: 'doctl compute droplet delete test-runner-3', home: emptyHome }, 'test-runner-3 development default:context'],
    [{ line: 'doctl compute droplet delete --tag-name staging', home: emptyHome }, 'staging staging default:context'],
    [{ line: `doctl k8s cluster node-pool delete shop-dev ${cluster}`, home: emptyHome }, 'shop-dev development default:context'],
    [{ line: 'doctl compute d d sandbox-1', home: emptyHome }, 'sandbox-1 development default:context'],
    [{ line: 'doctl d rm ' + cluster, home: emptyHome }, '- unknown default:context'],
    [{ line: 'doctl -u http://127.0.0.1:3000 compute droplet delete 1', home: emptyHome }, '- development default:context'],
    [{ line: 'doctl compute droplet delete 1', env: { DIGITALOCEAN_ACCESS_TOKEN: 'dop_v1_env_SECRET' }, home: emptyHome }, '- unknown default:context'],
  ], target);

  it('shows a token only by its fingerprint, and says when a named context ignores it', async () => {
    const byEnv = await evaluate({ line: 'doctl compute droplet delete 1', env: { DIGITALOCEAN_ACCESS_TOKEN: 'dop_v1_env_SECRET' }, home: emptyHome });
    const shown = JSON.stringify(byEnv.target!.evidence);
    expect(shown).toContain('DIGITALOCEAN_ACCESS_TOKEN');
    expect(shown).toMatch(/fingerprint sha256:[0-9a-f]{16}\); it decides the account/);
    expect(shown).not.toContain('SECRET');

    const named = await evaluate({ line: 'doctl compute droplet delete 1 -t dop_v1_flag_SECRET --context prod' });
    const namedShown = JSON.stringify(named.target!.evidence);
    expect(namedShown).toContain('not used: the context \\"prod\\" takes its token from auth-contexts');
    expect(namedShown).toContain('a token is stored for this context');
    expect(namedShown).not.toContain('SECRET');
  });

  it('says when the context has no token stored', async () => {
    const ev = await evaluate({ line: 'doctl --context nope compute droplet delete 1' });
    expect(ev.target!.class).toBe('unknown');
    expect(ev.target!.evidence).toContainEqual({ source: 'file', key: 'auth-contexts.nope', value: 'no such context: doctl will have no token', file: '~/.config/doctl/config.yaml' });
  });
});
