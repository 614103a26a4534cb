// What src/redact.ts hides in the argv of HTTP tools (curl, wget, httpie, xh, railway api), including
// the options that are secrets in one tool only.

import { describe } from 'vitest';
import { redactArgs } from '../../src/redact.js';
import { table } from '../helpers/cases.js';

const secret = 'rw-SECRET-4f2a9c1e';
const hides = (args: string[], shown = secret) => !redactArgs(args).join(' ').includes(shown);

describe('redactArgs hides these', () => {
  table((a) => a.join(' '), [
    [['-H', `Authorization: Bearer ${secret}`], true],
    [['-H', `authorization:bearer ${secret}`], true],
    [[`--header=Authorization: Bearer ${secret}`], true],
    [['--header', `Authorization: Bearer ${secret}`], true],
    [['-H', `Authorization: ${secret}`], true],
    [['-H', `Project-Access-Token: ${secret}`], true],
    [['-H', `X-Api-Key: ${secret}`], true],
    [[`https://api.example.com/x?access_token=${secret}`], true],
    [[`https://api.example.com/x?token=${secret}&a=1`], true],
    [[`https://api.example.com/x?api_key=${secret}`], true],
    [[`https://user:${secret}@api.example.com/x`], true],
    [[`Authorization:Bearer ${secret}`], true], // an httpie/xh header item
    [[`Authorization:${secret}`], true],
    [[`token==${secret}`], true], // an httpie/xh query item
    [['--pass', secret], true],
    [['--oauth2-bearer', secret], true],
    [[`--http-password=${secret}`], true],
    [[`--password=${secret}`], true],
    [['--raw-var', `token=${secret}`], true],
    [['-d', `password=${secret}&user=a`], true],
  ], hides);
});

// Options that hide a secret in one tool only: redactArgs is told which tool it reads.
const toolSecrets: [string, string, string[], string?][] = [
  ['curl -u user:pass', 'curl', ['-u', `user:${secret}`]],
  ['curl -uuser:pass', 'curl', [`-uuser:${secret}`]],
  ['curl --user user:pass', 'curl', ['--user', `user:${secret}`]],
  ['curl -U (proxy user)', 'curl', ['-U', `user:${secret}`]],
  ['curl -HAuthorization with a short token (attached)', 'curl', ['-HAuthorization: Bearer tok123'], 'tok123'],
  ['curl -H Cookie', 'curl', ['-H', `Cookie: session=${secret}`]],
  ['curl -H X-Auth-Token', 'curl', ['-H', `X-Auth-Token: ${secret}`]],
  ['wget --http-password PASS', 'wget', ['--http-password', secret]],
  ['wget --proxy-password PASS', 'wget', ['--proxy-password', secret]],
  ['httpie -a user:pass', 'http', ['-a', `user:${secret}`]],
  ['xh --auth=user:pass', 'xh', [`--auth=user:${secret}`]],
  ['xh --bearer TOKEN', 'xh', ['--bearer', secret]],
  ['a JSON body field', 'curl', ['-d', `{"password":"${secret}"}`]],
  ['an httpie data item', 'http', [`password:=${JSON.stringify(secret)}`]],
  ['mysql -pSECRET (attached)', 'mysql', [`-p${secret}`, 'shop']],
  ['redis-cli -a PASS', 'redis-cli', ['-a', secret, 'PING']],
];
describe('redactArgs hides the options a tool reads as secrets', () => {
  table(([name]) => name, toolSecrets.map((row) => [row, true] as [typeof row, boolean]), ([, tool, args, shown = secret]) => !redactArgs(args, tool).join(' ').includes(shown));
});

describe('…and leaves the same options alone where they are not secrets', () => {
  table((a) => a.join(' '), [
    [['mysql', '-p', 'shop'], ['-p', 'shop']],
    [['psql', '-U', 'admin'], ['-U', 'admin']],
    [['aws', '-u', 'x'], ['-u', 'x']],
  ], ([tool, ...args]) => redactArgs(args, tool));
});
