// mongosh and mongo: which invocations the built-in rules gate, and what each one targets. Every line
// here gives code with --eval or a file: a unit test never reads stdin.

import { beforeAll, describe } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../helpers/cases.js';
import { emptyHome, evaluateLine } from '../helpers/evaluate.js';
import { tokenizeJs } from '../../src/payload/javascript.js';

const dir = join(emptyHome, 'mongosh-scripts');
beforeAll(() => {
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(join(dir, 'drop.js'), "db.getCollection('orders').drop();\n");
  writeFileSync(join(dir, 'report.mongodb'), "db.orders.aggregate([{ $match: { note: 'drop()' } }]);\n");
  writeFileSync(join(dir, 'main.js'), "load('lib/wipe.js');\n");
  writeFileSync(join(dir, 'lib', 'wipe.js'), 'db.sessions.deleteMany({});\n');
  writeFileSync(join(dir, 'prod.js'), "db = connect('mongodb://ops:pw@db.prod.example/shop');\ndb.orders.find();\n");
  execFileSync('mkfifo', [join(dir, 'fifo.js')]); // like <(…): reading it would take it from mongosh
});

const rulesIn = async (line: string) => (await evaluateLine(line, {}, dir)).findings.map((f) => f.rule).join(' ');

describe('mongosh code against the built-in rules', () => {
  table((line) => line, [
    [`mongosh --eval "db.dropDatabase()"`, 'mongosh.drop-database'],
    [`mongosh --eval "db.getSiblingDB('shop').dropDatabase()"`, 'mongosh.drop-database'],
    [`mongosh --eval "await db.dropDatabase({w: 'majority'})"`, 'mongosh.drop-database'],
    [`mongosh --eval "db.runCommand({dropDatabase: 1})"`, 'mongosh.drop-database'],
    [`mongosh --eval "db.runCommand('dropDatabase')"`, 'mongosh.drop-database'],
    [`mongosh --eval "db.orders.drop()"`, 'mongosh.drop-collection'],
    [`mongosh --eval "db['orders'].drop()"`, 'mongosh.drop-collection'],
    [`mongosh --eval "db.getCollectionNames().forEach(c => db[c].drop())"`, 'mongosh.drop-collection'],
    [`mongosh --eval "db.runCommand({drop: 'orders'})"`, 'mongosh.drop-collection'],
    [`mongosh --eval "db.orders.deleteMany({})"`, 'mongosh.delete-all'],
    [`mongosh --eval "db.orders.deleteMany()"`, 'mongosh.delete-all'],
    [`mongosh --eval "db.orders.deleteMany({ })"`, 'mongosh.delete-all'],
    [`mongosh --eval "db.orders.deleteMany({_id: {\\$exists: true}})"`, 'mongosh.delete-all'],
    [`mongosh --eval "const f = {}; db.orders.deleteMany(f)"`, 'mongosh.delete-all'],
    [`mongosh --eval "db.orders.remove({})"`, 'mongosh.delete-all'],
    [`mongosh --eval "db.orders.bulkWrite([{deleteMany: {filter: {}}}])"`, 'mongosh.delete-all'],
    [`mongosh --eval "db.orders.updateMany({}, {\\$set: {total: 0}})"`, 'mongosh.update-all'],
    [`mongosh --eval "db.orders.update({}, {\\$set: {total: 0}}, {multi: true})"`, 'mongosh.update-all'],
    [`mongosh --eval "db.orders.renameCollection('archive', true)"`, 'mongosh.rename-drop-target'],
    [`mongosh --eval "db.adminCommand({renameCollection: 'a.b', to: 'a.c', dropTarget: true})"`, ''],
    [`mongosh --eval "db.orders.dropIndexes()"`, 'mongosh.drop-indexes'],
    [`mongosh --eval "db.orders.dropIndex('total_1')"`, 'mongosh.drop-indexes'],
    [`mongosh --eval "db.dropAllUsers()"`, 'mongosh.drop-users'],
    [`mongosh --eval "db.adminCommand({shutdown: 1})"`, 'mongosh.shutdown'],
    [`mongosh --eval "db.shutdownServer()"`, 'mongosh.shutdown'],
    ["mongosh --eval 'const s = `${db.orders.drop()}`'", 'mongosh.drop-collection'],
    [`mongosh --eval "x = 4 / 2; db.orders.drop(); y = 1 / 2"`, 'mongosh.drop-collection'],
    [`mongosh --eval "if (/drop()/.test(s)) db.orders.drop()"`, 'mongosh.drop-collection'],
    [`mongosh --eval "print(1)" --eval "db.orders.drop()"`, 'mongosh.drop-collection'],
    [`mongosh -f drop.js`, 'mongosh.drop-collection'],
    [`mongosh --file drop.js`, 'mongosh.drop-collection'],
    [`mongosh mongodb://localhost/shop drop.js`, 'mongosh.drop-collection'],
    [`mongosh --nodb drop.js`, 'mongosh.drop-collection'],
    [`mongosh main.js`, 'mongosh.delete-all'],
    [`mongosh missing.js`, 'mongosh.unreadable'],
    [`mongosh fifo.js`, 'mongosh.unreadable'],
    [`mongosh --eval "load(scriptPath)"`, 'mongosh.unreadable'],
    [`mongo --eval "db.dropDatabase()"`, 'mongosh.drop-database'],
    // never gated
    [`mongosh --eval "db.orders.deleteMany({status: 'cancelled'})"`, ''],
    [`mongosh --eval "db.orders.remove({}, true)"`, ''],
    [`mongosh --eval "db.orders.deleteOne({})"`, ''],
    [`mongosh --eval "db.orders.updateMany({status: 'new'}, {\\$set: {seen: true}})"`, ''],
    [`mongosh --eval "db.orders.renameCollection('archive')"`, ''],
    [`mongosh --eval "db.orders.find({note: 'db.dropDatabase()'})"`, ''],
    [`mongosh --eval "print('db.orders.drop()')"`, ''],
    [`mongosh --eval "// db.dropDatabase()"`, ''],
    [`mongosh --eval "/* db.orders.drop() */ db.orders.countDocuments()"`, ''],
    ["mongosh --eval 'const t = `db.orders.drop()`'", ''],
    ["mongosh --eval 'const t = `${1}db.orders.drop()`; \\ db.orders.drop'", ''],
    [`mongosh --eval "const re = /db.dropDatabase()/"`, ''],
    [`mongosh --eval "function drop() {}"`, ''],
    [`mongosh report.mongodb`, ''],
    [`mongosh --help --eval "db.dropDatabase()"`, ''],
    [`mongosh -h`, ''],
    [`mongosh --version`, ''],
  ], rulesIn);
});

describe('the JavaScript tokenizer: code, strings, templates, regular expressions', () => {
  const show = (source: string) => tokenizeJs(source).map((t) => `${t.type}:${t.value}`).join(' ');
  table((source) => source, [
    ["a.drop('x')", 'name:a punct:. name:drop punct:( string:x punct:)'],
    ['a / b / c', 'name:a punct:/ name:b punct:/ name:c'],
    ['x = /a\\/b[/]/g', 'name:x punct:= regex:/a\\/b[/]/g'],
    ['`a${ {k: 1}.k }b`', 'template:a punct:{ name:k punct:: number:1 punct:} punct:. name:k template:b'],
    ['"a\\"b" // c', 'string:a"b'],
    ['return /x/', 'name:return regex:/x/'],
  ], show);
});

const home = join(emptyHome, 'mongosh-home');
describe('mongosh target', () => {
  beforeAll(() => mkdirSync(home, { recursive: true }));
  const resolveCase = async (line: string) => {
    const t = (await evaluateLine(line, { HOME: home }, dir)).target!;
    return `${t.name ?? '-'} ${t.class} ${t.evidence.map((e) => `${e.source}:${e.key}=${e.value}`).join(' ')}`;
  };
  table((line) => line, [
    [`mongosh --eval "1"`, 'test development default:host=127.0.0.1:27017 (no connection string or --host given) default:database=test'],
    [`mongosh shop_prod --eval "1"`, 'shop_prod production argument:db address=shop_prod'],
    [`mongosh db.prod.example --eval "1"`, 'test production argument:db address=db.prod.example default:database=test'],
    [`mongosh db.example:27018/shop_dev --eval "1"`, 'shop_dev development argument:db address=db.example:27018/shop_dev'],
    [`mongosh "mongodb://app:hunter2@db.prod.example:27017/shop?authSource=admin" --eval "1"`, 'shop production argument:connection string=mongodb://app:***@db.prod.example:27017/shop?authSource=admin'],
    [`mongosh "mongodb://h1.example,h2.example/shop?replicaSet=rs-staging" --eval "1"`, 'shop staging argument:connection string=mongodb://h1.example,h2.example/shop?replicaSet=rs-staging'],
    // Unknown counts as production: a name that says less ("test") is not what a human types to confirm it.
    [`mongosh "mongodb+srv://cluster0.abcde.mongodb.net/" --eval "1"`, '- unknown argument:connection string=mongodb+srv://cluster0.abcde.mongodb.net/ default:database=test'],
    [`mongosh --host localhost --port 27018 shop --eval "1"`, 'shop development flag:--host=localhost argument:database=shop flag:--port=27018'],
    [`mongosh --host rs-prod/db1.example:27017,db2.example --eval "1"`, 'test production flag:--host=rs-prod/db1.example:27017,db2.example default:database=test'],
    [`mongosh --host mongodb://db.prod.example/shop --eval "1"`, 'shop production flag:--host=mongodb://db.prod.example/shop'],
    [`mongosh --eval "db.getSiblingDB('shop_prod').orders.find()"`, "shop_prod production default:host=127.0.0.1:27017 (no connection string or --host given) default:database=test command:db.getSiblingDB('shop_prod')=shop_prod"],
    [`mongosh "mongodb://db.prod.example/sh%zzop" --eval "1"`, 'sh%zzop production argument:connection string=mongodb://db.prod.example/sh%zzop'],
    [`mongosh --nodb --eval "1"`, '- unknown flag:--nodb=no connection at start; only what the script connects to'],
    [`mongosh --nodb prod.js`, "shop production flag:--nodb=no connection at start; only what the script connects to command:db = connect('mongodb://ops:pw@db.prod.example/shop')=mongodb://ops:***@db.prod.example/shop"],
  ], resolveCase);
});
