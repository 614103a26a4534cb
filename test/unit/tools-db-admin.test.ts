// mongorestore and mysqladmin / mariadb-admin: which invocations the built-in rules gate, and the
// server and databases each one reaches. mysqladmin lines give --no-defaults unless they test option
// files, so the machine's own /etc/mysql does not decide them.

import { beforeAll, describe } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine, rulesOf } from '../helpers/evaluate.js';
import { commandNamed } from '../../src/tools/mysqladmin.js';

describe('mongorestore and mysqladmin against the built-in rules', () => {
  table((line) => line, [
    ['mongorestore --drop dump/', 'mongorestore.drop'],
    ['mongorestore --drop --uri mongodb://db.example.com/shop dump/', 'mongorestore.drop'],
    ['mongorestore --uri=mongodb://db.example.com --drop --nsInclude shop.* dump/', 'mongorestore.drop'],
    ['mongorestore -h db.example.com -d shop --drop dump/shop', 'mongorestore.drop'],
    ['mongorestore --archive=shop.archive --gzip --drop', 'mongorestore.drop'],
    ['mongorestore --drop --dryRun=false dump/', 'mongorestore.drop'],
    ['mongorestore --oplogReplay dump/', 'mongorestore.oplog-replay'],
    ['mongorestore --drop --oplogReplay dump/', 'mongorestore.drop mongorestore.oplog-replay'],
    ['mysqladmin drop shop', 'mysqladmin.drop'],
    ['mysqladmin -f drop shop', 'mysqladmin.drop'],
    ['mysqladmin --force -h db.example.com drop shop', 'mysqladmin.drop'],
    ['mariadb-admin -uroot -pSECRET drop shop', 'mysqladmin.drop'],
    ['mysqladmin dro shop', 'mysqladmin.drop'],
    ['mysqladmin DROP shop', 'mysqladmin.drop'],
    ['mysqladmin flush-logs drop shop', 'mysqladmin.drop'],
    ['mysqladmin create scratch drop shop', 'mysqladmin.drop'],
    ['mysqladmin -c 2 -i 1 drop shop', 'mysqladmin.drop'],
    ['mysqladmin shutdown', 'mysqladmin.shutdown'],
    ['mysqladmin shut', 'mysqladmin.shutdown'],
    ['mysqladmin kill 12,13', 'mysqladmin.kill'],
    // never gated
    ['mongorestore dump/', ''],
    ['mongorestore --nsInclude shop.* dump/', ''],
    ['mongorestore --drop --dryRun dump/', ''],
    ['mongorestore --drop --help', ''],
    ['mongorestore --version', ''],
    ['mysqladmin status', ''],
    ['mysqladmin ping processlist', ''],
    ['mysqladmin flush-logs', ''],
    ['mysqladmin create shop', ''],
    ['mysqladmin --help drop shop', ''],
    ['mysqladmin -? drop shop', ''],
    ['mysqladmin -V', ''],
    ['mysqladmin --print-defaults', ''],
    ['mysqladmin variables', ''],
    ['mysqladmin create drop', ''], // `drop` is create's argument here: a database named drop
  ], (line) => rulesOf(line));
});

describe('mysqladmin finds a command by any unique prefix', () => {
  table((w) => w, [
    ['drop', 'drop'],
    ['dr', 'drop'],
    ['shutdown', 'shutdown'],
    ['sh', 'shutdown'],
    ['SHUT', 'shutdown'],
    ['flush-l', 'flush-logs'],
    ['flush', undefined],
    ['s', undefined],
    ['', undefined],
    ['dropx', undefined],
  ], commandNamed);
});

const home = join(emptyHome, 'db-admin-home');
beforeAll(() => {
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'prod.cnf'), '[client]\nhost = db.prod.example.com\n');
  writeFileSync(join(home, 'admin.cnf'), '[mysqladmin]\nhost = db.staging.example.com\n[mysql]\nhost = 127.0.0.1\n');
  writeFileSync(join(home, 'mongo.yaml'), 'uri: mongodb://restore:secret@mongo.prod.example.com/shop\n');
});

interface Case {
  line: string;
  env?: NodeJS.ProcessEnv;
}
const label = (c: Case) => `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${c.line}`;
/** "<name> <class> <verdict> <evidence values>" */
const target = async ({ line, env = {} }: Case) => {
  const e = await evaluateLine(line, { HOME: home, ...env }, home);
  return `${e.target!.name ?? '-'} ${e.target!.class} ${e.decision.verdict} | ${e.target!.evidence.map((x) => `${x.key}=${x.value}`).join(' ; ')}`;
};

describe('mongorestore target', () => {
  table(label, [
    [{ line: 'mongorestore --drop dump/' }, '- development allow | host=localhost:27017 (no --uri or --host given)'],
    [{ line: 'mongorestore --drop --uri mongodb://u:pw@db.prod.example.com:27017/shop dump/' }, 'shop production deny | --uri=mongodb://u:***@db.prod.example.com:27017/shop'],
    [{ line: 'mongorestore --drop --uri mongodb://127.0.0.1/shop_prod dump/' }, 'shop_prod production deny | --uri=mongodb://127.0.0.1/shop_prod'],
    [{ line: 'mongorestore --drop --nsInclude shop_prod.* dump/' }, 'shop_prod production deny | host=localhost:27017 (no --uri or --host given) ; --nsInclude=shop_prod.*'],
    [{ line: 'mongorestore --drop --nsFrom shop.* --nsTo shop_staging.* dump/' }, 'shop_staging staging deny | host=localhost:27017 (no --uri or --host given) ; --nsTo=shop_staging.*'],
    [{ line: 'mongorestore --drop -h rs0/mongo-1.prod.internal:27017,mongo-2.prod.internal -d shop dump/shop' }, 'shop production deny | --host=rs0/mongo-1.prod.internal:27017,mongo-2.prod.internal ; --db=shop'],
    [{ line: 'mongorestore --drop --host localhost --port 27018 -d shop_dev dump/' }, 'shop_dev development allow | --host=localhost ; --port=27018 ; --db=shop_dev'],
    [{ line: 'mongorestore --drop --config mongo.yaml dump/' }, 'shop production deny | uri=mongodb://restore:***@mongo.prod.example.com/shop'],
    [{ line: 'mongorestore --drop --host mongo.example.com dump/' }, '- unknown deny | --host=mongo.example.com'],
  ], target);
});

describe('mysqladmin target', () => {
  table(label, [
    [{ line: 'mysqladmin --no-defaults drop shop_prod' }, 'shop_prod production deny | host=localhost (no host given: the local socket) ; drop=shop_prod'],
    [{ line: 'mysqladmin --no-defaults -f drop shop_dev' }, 'shop_dev development allow | host=localhost (no host given: the local socket) ; drop=shop_dev'],
    [{ line: 'mysqladmin --no-defaults -h db.example.com drop shop' }, 'shop unknown deny | --host=db.example.com ; drop=shop'],
    [{ line: 'mysqladmin --no-defaults -hdb.prod.example.com -P3307 drop shop' }, 'shop production deny | --host=db.prod.example.com ; --port=3307 ; drop=shop'],
    [{ line: 'mysqladmin --no-defaults shutdown', env: { MYSQL_HOST: 'db.prod.example.com' } }, 'db.prod.example.com production deny | MYSQL_HOST=db.prod.example.com'],
    [{ line: 'mysqladmin --defaults-file=prod.cnf drop shop' }, 'shop production deny | [client] host=db.prod.example.com ; drop=shop'],
    // mysqladmin reads [mysqladmin], not [mysql]
    [{ line: 'mysqladmin --defaults-file=admin.cnf drop shop_dev' }, 'shop_dev staging deny | [mysqladmin] host=db.staging.example.com ; drop=shop_dev'],
    [{ line: 'mysqladmin --no-defaults -c 2 -i 1 -h 127.0.0.1 drop shop_dev' }, 'shop_dev development allow | --host=127.0.0.1 ; drop=shop_dev'],
  ], target);
});
