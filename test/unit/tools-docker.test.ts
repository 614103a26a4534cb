// docker and docker-compose: which command lines the built-in rules gate, and which daemon they reach.

import { beforeAll, describe } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';

describe('docker command lines against the built-in rules', () => {
  table((line) => line, [
    ['docker volume rm pg-data', 'docker.volume.rm'],
    ['docker volume remove -f pg-data', 'docker.volume.rm'],
    ['docker volume prune', 'docker.volume.prune'],
    ['docker volume prune -a -f', 'docker.volume.prune'],
    ['docker volume prune --filter label=x --all', 'docker.volume.prune'],
    ['docker rm -v web', 'docker.container.rm.volumes'],
    ['docker rm --volumes web', 'docker.container.rm.volumes'],
    ['docker rm -fv web', 'docker.container.rm.force docker.container.rm.volumes'],
    ['docker rm -vf web', 'docker.container.rm.force docker.container.rm.volumes'],
    ['docker container rm -v web', 'docker.container.rm.volumes'],
    ['docker container remove --force --volumes web', 'docker.container.rm.force docker.container.rm.volumes'],
    ['docker system prune --volumes', 'docker.system.prune.volumes'],
    ['docker system prune -af --volumes', 'docker.system.prune.volumes'],
    ['docker system prune', 'docker.system.prune'],
    ['docker system prune -a -f', 'docker.system.prune'],
    ['docker container prune -f', 'docker.container.prune'],
    ['docker image prune -a', 'docker.image.prune.all'],
    ['docker image prune --all --force', 'docker.image.prune.all'],
    ['docker compose down -v', 'docker.compose.down.volumes'],
    ['docker compose down --volumes --remove-orphans', 'docker.compose.down.volumes'],
    ['docker compose -f prod.yml -p shop down -v', 'docker.compose.down.volumes'],
    ['docker compose --file=prod.yml down --rmi all -v', 'docker.compose.down.volumes'],
    ['docker compose rm -fsv', 'docker.compose.rm.volumes'],
    ['docker-compose down -v', 'docker.compose.down.volumes'],
    ['docker-compose -f prod.yml down --volumes', 'docker.compose.down.volumes'],
    ['docker-compose -H ssh://deploy@prod down -v', 'docker.compose.down.volumes'],
    ['docker-compose --context prod rm -v', 'docker.compose.rm.volumes'],
    ['docker stack rm shop', 'docker.stack.rm'],
    ['docker stack down shop', 'docker.stack.rm'],
    ['docker service rm web', 'docker.service.rm'],
    // global options stand before the subcommand
    ['docker --context prod volume rm pg-data', 'docker.volume.rm'],
    ['docker -c prod volume rm pg-data', 'docker.volume.rm'],
    ['docker -H ssh://deploy@prod volume rm pg-data', 'docker.volume.rm'],
    ['docker -Hssh://deploy@prod volume rm pg-data', 'docker.volume.rm'],
    ['docker --host=tcp://10.0.0.5:2376 -D volume rm pg-data', 'docker.volume.rm'],
    ['docker -D -l debug --config /tmp/cfg rm -v web', 'docker.container.rm.volumes'],
    ['docker --tlsverify --tlscacert ca.pem volume prune', 'docker.volume.prune'],
    ['docker -D -- volume rm pg-data', 'docker.volume.rm'],
    // never gated
    ['docker volume rm --help', ''],
    ['docker volume rm -h', ''],
    ['docker help volume rm', ''],
    ['docker compose down --help', ''],
    ['docker compose help down', ''],
    ['docker-compose -h', ''],
    ['docker -v', ''],
    ['docker --version', ''],
    ['docker volume ls', ''],
    ['docker volume inspect pg-data', ''],
    ['docker ps -a', ''],
    ['docker logs web', ''],
    ['docker rm web', ''],
    ['docker rm -f -h=false web', 'docker.container.rm.force'],
    ['docker rm -f web', 'docker.container.rm.force'],
    ['docker rm web', ''],
    ['docker network rm prod-net', 'docker.network.rm'],
    ['docker container rm web', ''],
    ['docker image prune', ''],
    ['docker image prune -f', ''],
    ['docker run -v pg-data:/data postgres', ''],
    ['docker run --rm -v /tmp:/tmp alpine rm -rf /tmp/x', ''],
    ['docker -v volume rm x', ''],
    ['docker compose down', ''],
    ['docker compose down --remove-orphans', ''],
    ['docker compose --dry-run down -v', ''],
    ['docker compose --dry-run=false down -v', 'docker.compose.down.volumes'],
    ['docker system prune --volumes=false', 'docker.system.prune'],
    ['docker rm --volumes=false web', ''],
    ['docker compose down -v --dry-run', ''],
    ['docker compose rm -f', ''],
    ['docker compose up -d', ''],
    ['docker compose -f rm.yml up', ''],
    ['docker compose -p down up', ''],
    ['docker-compose ps', ''],
    ['docker-compose -v', ''],
    ['docker context rm prod', ''],
  ], (line) => rulesOf(line));
});

const home = join(emptyHome, 'docker-home');
const elsewhere = join(emptyHome, 'docker-elsewhere');

/** Writes a context the way `docker context create` does (checked against the real client in e2e). */
function writeContext(configDir: string, name: string, host: string): void {
  const dir = join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
}

beforeAll(() => {
  const dockerDir = join(home, '.docker');
  mkdirSync(dockerDir, { recursive: true });
  writeFileSync(join(dockerDir, 'config.json'), JSON.stringify({ auths: {}, currentContext: 'prod-eu' }));
  writeContext(dockerDir, 'prod-eu', 'ssh://deploy@prod-eu.example.com');
  writeContext(dockerDir, 'desktop-linux', `unix://${home}/.docker/desktop/docker.sock`);
  writeContext(dockerDir, 'build-box', 'tcp://10.1.2.3:2376');
  writeContext(dockerDir, 'lab', 'ssh://ops@db-staging.internal');
  mkdirSync(elsewhere, { recursive: true });
  writeContext(elsewhere, 'team', 'tcp://127.0.0.1:2375');
  writeFileSync(join(elsewhere, 'config.json'), JSON.stringify({ currentContext: 'team' }));
});

interface Case {
  line: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}
const target = async ({ line, env = {}, home: at = home }: Case) => {
  const t = (await evaluateLine(line, { HOME: at, ...env })).target!;
  const first = t.evidence[0];
  return `${t.name ?? '-'} ${t.class} ${first.source}:${first.key}=${first.value}`;
};
const label = (c: Case) => `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${c.line}${c.home ? ' (empty HOME)' : ''}`;

describe('docker target: the daemon, in docker\'s own order', () => {
  table(label, [
    [{ line: 'docker volume rm x' }, 'prod-eu production file:currentContext=prod-eu'],
    [{ line: 'docker --context desktop-linux volume rm x' }, 'desktop-linux development flag:--context=desktop-linux'],
    [{ line: 'docker -c build-box volume rm x' }, 'build-box unknown flag:--context=build-box'],
    [{ line: 'docker --context lab volume rm x' }, 'lab staging flag:--context=lab'],
    [{ line: 'docker --context nope volume rm x' }, 'nope unknown flag:--context=nope'],
    [{ line: 'docker --context default volume rm x' }, 'default development flag:--context=default'],
    [{ line: 'docker -H tcp://127.0.0.1:2375 volume rm x' }, '127.0.0.1 development flag:--host=tcp://127.0.0.1:2375'],
    [{ line: 'docker -H ssh://root@web-prod-1 volume rm x' }, 'web-prod-1 production flag:--host=ssh://root@web-prod-1'],
    [{ line: 'docker -H 10.0.0.9:2375 volume rm x' }, '10.0.0.9 unknown flag:--host=10.0.0.9:2375'],
    [{ line: 'docker volume rm x', env: { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' } }, 'default development env:DOCKER_HOST=unix:///run/user/1000/docker.sock'],
    [{ line: 'docker volume rm x', env: { DOCKER_HOST: 'ssh://ci@staging-runner' } }, 'staging-runner staging env:DOCKER_HOST=ssh://ci@staging-runner'],
    [{ line: 'docker volume rm x', env: { DOCKER_HOST: 'tcp://127.0.0.1:2375', DOCKER_CONTEXT: 'prod-eu' } }, '127.0.0.1 development env:DOCKER_HOST=tcp://127.0.0.1:2375'],
    [{ line: 'docker volume rm x', env: { DOCKER_CONTEXT: 'desktop-linux' } }, 'desktop-linux development env:DOCKER_CONTEXT=desktop-linux'],
    [{ line: 'docker --context prod-eu volume rm x', env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' } }, 'prod-eu production flag:--context=prod-eu'],
    [{ line: 'docker --config ~/elsewhere volume rm x'.replace('~/elsewhere', elsewhere) }, 'team development file:currentContext=team'],
    [{ line: 'docker volume rm x', env: { DOCKER_CONFIG: elsewhere } }, 'team development file:currentContext=team'],
    [{ line: 'docker volume rm x', home: emptyHome }, 'default development default:docker context=default (no --context, -H, DOCKER_HOST or DOCKER_CONTEXT)'],
    [{ line: 'docker compose down -v' }, 'prod-eu production file:currentContext=prod-eu'],
    [{ line: 'docker --context desktop-linux compose -p shop down -v' }, 'desktop-linux development flag:--context=desktop-linux'],
    [{ line: 'docker-compose down -v', env: { DOCKER_CONTEXT: 'desktop-linux' } }, 'desktop-linux development env:DOCKER_CONTEXT=desktop-linux'],
    [{ line: 'docker-compose -H ssh://deploy@prod-db down -v' }, 'prod-db production flag:--host=ssh://deploy@prod-db'],
    [{ line: 'docker-compose --context lab -f a.yml down -v' }, 'lab staging flag:--context=lab'],
  ], target);
});
