import { describe } from 'vitest';
import { grammar, readArgs } from '../../src/tools/argv.js';
import { table } from '../helpers/cases.js';

const clap = grammar({ values: [['--environment', '-e'], ['--volume', '-v']], booleans: [['--yes', '-y']] });
const getopt = grammar({ values: [['--command', '-c'], ['--host', '-h']], booleans: [['--help', '-?']], abbreviations: true });
const argparse = grammar({ values: [['--profile']], booleans: [['--force']], unknownLong: 'greedy' });

const read = (g: ReturnType<typeof grammar>) => (line: string) => {
  const r = readArgs(line.split(' ').filter(Boolean), g);
  return { words: r.words.join(' '), flags: Object.fromEntries([...r.flags].map(([k, v]) => [k, v.join(',')])), rest: r.rest.join(' ') };
};

describe('readArgs with a clap-style grammar', () => {
  table((line) => line, [
    ['volume delete -v pg -y', { words: 'volume delete', flags: { '--volume': 'pg', '--yes': '' }, rest: '' }],
    ['volume -e production delete', { words: 'volume delete', flags: { '--environment': 'production' }, rest: '' }],
    ['volume --environment=production delete', { words: 'volume delete', flags: { '--environment': 'production' }, rest: '' }],
    ['volume -eproduction delete', { words: 'volume delete', flags: { '--environment': 'production' }, rest: '' }],
    ['volume -e=production delete', { words: 'volume delete', flags: { '--environment': 'production' }, rest: '' }],
    ['volume delete -yv pg', { words: 'volume delete', flags: { '--yes': '', '--volume': 'pg' }, rest: '' }],
    ['run -- psql -c x', { words: 'run', flags: {}, rest: 'psql -c x' }],
    ['up --detach', { words: 'up', flags: { '--detach': '' }, rest: '' }],
    ['-e a -e b status', { words: 'status', flags: { '--environment': 'a,b' }, rest: '' }],
    ['volume delete -y=false', { words: 'volume delete', flags: {}, rest: '' }],
    ['volume delete --yes=false', { words: 'volume delete', flags: {}, rest: '' }],
    ['volume delete --yes=0', { words: 'volume delete', flags: {}, rest: '' }],
    ['volume delete -y=true', { words: 'volume delete', flags: { '--yes': 'true' }, rest: '' }],
  ], read(clap));
});

describe('readArgs with GNU getopt_long abbreviations', () => {
  table((line) => line, [
    ['--comm x db', { words: 'db', flags: { '--command': 'x' }, rest: '' }],
    ['--ho=h1 db', { words: 'db', flags: { '--host': 'h1' }, rest: '' }],
    ['--h db', { words: 'db', flags: { '--h': '' }, rest: '' }],
    ['-? db', { words: 'db', flags: { '--help': '' }, rest: '' }],
  ], read(getopt));
});

describe('readArgs with argparse-style greedy unknown options', () => {
  table((line) => line, [
    ['s3 rb s3://b --force --profile p', { words: 's3 rb s3://b', flags: { '--force': '', '--profile': 'p' }, rest: '' }],
    ['--profile p rds modify-db-instance --backup-retention-period 0', { words: 'rds modify-db-instance', flags: { '--profile': 'p', '--backup-retention-period': '0' }, rest: '' }],
    ['ec2 x --a --b v', { words: 'ec2 x', flags: { '--a': '', '--b': 'v' }, rest: '' }],
  ], read(argparse));
});

const goFlag = grammar({ values: [['-chdir'], ['-var-file'], ['-target']], booleans: [['-destroy'], ['-auto-approve']], style: 'go' });

describe("readArgs with Go's flag package (one dash or two, -flag=value)", () => {
  table((line) => line, [
    ['-chdir=envs/prod destroy', { words: 'destroy', flags: { '-chdir': 'envs/prod' }, rest: '' }],
    ['--chdir=envs/prod destroy', { words: 'destroy', flags: { '-chdir': 'envs/prod' }, rest: '' }],
    ['apply -var-file prod.tfvars', { words: 'apply', flags: { '-var-file': 'prod.tfvars' }, rest: '' }],
    ['apply --var-file=prod.tfvars', { words: 'apply', flags: { '-var-file': 'prod.tfvars' }, rest: '' }],
    ['apply -var-file=a=b.tfvars', { words: 'apply', flags: { '-var-file': 'a=b.tfvars' }, rest: '' }],
    ['apply -destroy -auto-approve', { words: 'apply', flags: { '-destroy': '', '-auto-approve': '' }, rest: '' }],
    ['apply --destroy', { words: 'apply', flags: { '-destroy': '' }, rest: '' }],
    ['apply -destroy=true', { words: 'apply', flags: { '-destroy': '' }, rest: '' }],
    ['apply -destroy=false', { words: 'apply', flags: {}, rest: '' }],
    ['apply -destroy=0', { words: 'apply', flags: {}, rest: '' }],
    ['apply -destroy=F', { words: 'apply', flags: {}, rest: '' }],
    ['apply -destroy -destroy=false', { words: 'apply', flags: {}, rest: '' }],
    ['apply -destroy=false -destroy', { words: 'apply', flags: { '-destroy': '' }, rest: '' }],
    ['apply -destroy false', { words: 'apply false', flags: { '-destroy': '' }, rest: '' }],
    ['apply plan.tfplan -destroy', { words: 'apply plan.tfplan', flags: { '-destroy': '' }, rest: '' }],
    ['apply -target=a -target b', { words: 'apply', flags: { '-target': 'a,b' }, rest: '' }],
    ['apply -yv', { words: 'apply', flags: { '-yv': '' }, rest: '' }],
    ['apply -lock=false x', { words: 'apply x', flags: { '-lock': 'false' }, rest: '' }],
    ['state rm - -- -destroy', { words: 'state rm -', flags: {}, rest: '-destroy' }],
  ], read(goFlag));
});
