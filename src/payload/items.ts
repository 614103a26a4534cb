// httpie's request items, which xh reads the same way: `http [METHOD] URL [ITEM …]`.
//
//   Name:value  header        Name;  empty header      Name:@file  header from a file
//   key==value  query         key==@file  query from a file
//   key=value   data string   key=@file  data string from a file
//   key:=json   raw JSON      key:=@file  raw JSON from a file
//   key@file    file upload (a form field); `@file` alone is the body
//
// The separator is the first one in the item; at one position the longest wins (`:=` over `:`). A
// backslash escapes a separator character (`a\:b=c` is the field `a:b`). Data items make a JSON object
// (nested keys `a[b][]` as httpie 3 reads them), or form fields with --form/--multipart. A URL without
// a scheme gets the default one; `:3000/x` is localhost:3000/x.

import { readTextIfExists } from '../context/files.js';
import { join } from 'node:path';
import type { Invocation } from '../model.js';
import { parseUrl, withQuery, type Credential, type FormField, type Header, type HttpRequest, type RequestBody, type RequestUrl } from './http.js';
import { readNamedFile, type Stdin } from './input.js';

const separators = [':=@', '==@', ':@', '=@', ':=', '==', ':', '=', '@', ';'];
const special = new Set(separators.join(''));

export interface Item {
  key: string;
  separator: string;
  value: string;
}

const dataSeparators = new Set(['=', '=@', ':=', ':=@']);

export function isDataItem(item: Item): boolean {
  return dataSeparators.has(item.separator) || (item.separator === '@' && item.key !== '');
}

/** One item, or undefined when the argument holds no separator (the tool rejects it). */
export function splitItem(arg: string): Item | undefined {
  for (let i = 0; i < arg.length; i++) {
    if (arg[i] === '\\' && special.has(arg[i + 1])) {
      i++;
      continue;
    }
    const separator = separators.find((s) => arg.startsWith(s, i));
    if (separator) return { key: unescape(arg.slice(0, i)), separator, value: unescape(arg.slice(i + separator.length)) };
  }
  return undefined;
}

const unescape = (text: string) => text.replace(/\\([:=@;])/g, '$1');

export interface ItemsRequest {
  method: string;
  url: string;
  defaultScheme: string;
  items: Item[];
  mode: 'json' | 'form' | 'multipart';
  /** --raw, or stdin, read already. */
  rawBody?: RequestBody;
  credentials: Credential[];
  invocation: Invocation;
  stdin: Stdin;
}

export function requestFromItems(r: ItemsRequest): HttpRequest {
  const read = (path: string) => (path === '-' ? r.stdin.read() : readNamedFile(path, r.invocation.cwd, r.invocation.env));
  const headers: Header[] = [];
  const query: string[] = [];
  for (const item of r.items) {
    if (item.separator === ':' || item.separator === ';') headers.push({ name: item.key, value: item.value, from: 'item' });
    if (item.separator === ':@') {
      const file = read(item.value);
      if (file.ok) headers.push({ name: item.key, value: file.bytes.toString('utf8').trim(), from: 'item' });
    }
    if (item.separator === '==') query.push(`${encodeURIComponent(item.key)}=${encodeURIComponent(item.value)}`);
    if (item.separator === '==@') {
      const file = read(item.value);
      if (file.ok) query.push(`${encodeURIComponent(item.key)}=${encodeURIComponent(file.bytes.toString('utf8'))}`);
    }
  }
  const bodyFile = r.items.find((i) => i.separator === '@' && i.key === '');
  const body = bodyFile ? fileBody(bodyFile.value, read) : r.rawBody ?? dataBody(r.items.filter(isDataItem), r.mode, read);
  return {
    method: r.method,
    url: withQuery(itemsUrl(r.url, r.defaultScheme), query),
    headers,
    ...(body ? { body } : {}),
    credentials: r.credentials,
  };
}

/** `:3000/x` → localhost:3000/x; `://host` and `host` get the default scheme. */
export function itemsUrl(raw: string, defaultScheme: string): RequestUrl {
  const shorthand = /^:(?!:)(\d*)(\/?.*)$/.exec(raw);
  if (shorthand) return parseUrl(`${defaultScheme}://localhost${shorthand[1] ? `:${shorthand[1]}` : ''}${shorthand[2]}`, defaultScheme);
  if (raw.startsWith('://')) return parseUrl(`${defaultScheme}${raw}`, defaultScheme);
  return parseUrl(raw, defaultScheme);
}

/** stdin as the body (a piped stdin is read ahead, see input.ts). */
export function stdinBody(stdin: Stdin): RequestBody {
  const read = stdin.read();
  return read.ok ? { kind: 'text', text: read.bytes.toString('utf8') } : { kind: 'unreadable', why: read.why };
}

type Read = (path: string) => ReturnType<Stdin['read']>;

function fileBody(path: string, read: Read): RequestBody {
  const file = read(path);
  return file.ok ? { kind: 'text', text: file.bytes.toString('utf8') } : { kind: 'unreadable', why: `@${path}: ${file.why}` };
}

function dataBody(items: Item[], mode: ItemsRequest['mode'], read: Read): RequestBody | undefined {
  if (items.length === 0) return undefined;
  if (mode !== 'json') {
    const fields: FormField[] = items.map((item) => {
      if (item.separator === '=' || item.separator === ':=') return { name: item.key, value: item.value };
      const file = read(item.value);
      return file.ok ? { name: item.key, value: file.bytes.toString('utf8') } : { name: item.key, unreadable: `${item.key}${item.separator}${item.value}: ${file.why}` };
    });
    return { kind: 'fields', fields };
  }
  let root: unknown;
  for (const item of items) {
    let value: unknown = item.value;
    if (item.separator !== '=') {
      const text = item.separator === ':=' ? { ok: true as const, bytes: Buffer.from(item.value) } : read(item.value);
      if (!text.ok) return { kind: 'unreadable', why: `${item.key}${item.separator}${item.value}: ${text.why}` };
      value = text.bytes.toString('utf8');
      if (item.separator !== '=@') {
        try {
          value = JSON.parse(value as string);
        } catch {
          continue; // the tool refuses the request: nothing is sent
        }
      }
    }
    root = setNested(root, keyPath(item.key), value);
  }
  return { kind: 'json', value: root };
}

/** `a[b][]` → a, b, append; `[0]` → 0; a key without brackets is itself. */
function keyPath(key: string): (string | number | null)[] {
  const match = /^([^[]*)((?:\[[^\]]*\])*)$/.exec(key);
  if (!match || match[2] === '') return [key];
  const path: (string | number | null)[] = match[1] === '' ? [] : [match[1]];
  for (const [, inner] of match[2].matchAll(/\[([^\]]*)\]/g)) path.push(inner === '' ? null : /^\d+$/.test(inner) ? Number(inner) : inner);
  return path;
}

function setNested(container: unknown, path: (string | number | null)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (head === null || typeof head === 'number') {
    const list = Array.isArray(container) ? container : [];
    const index = head === null ? list.length : head;
    list[index] = setNested(list[index], rest, value);
    return list;
  }
  const object = typeof container === 'object' && container !== null && !Array.isArray(container) ? (container as Record<string, unknown>) : {};
  object[head] = setNested(object[head], rest, value);
  return object;
}

/** httpie's and xh's config.json: `{"default_options": [...]}`, prepended to argv. */
export function defaultOptions(dir: string): string[] {
  try {
    const options = (JSON.parse(readTextIfExists(join(dir, 'config.json')) ?? '{}') as { default_options?: unknown }).default_options;
    return Array.isArray(options) ? options.filter((o): o is string => typeof o === 'string') : [];
  } catch {
    return [];
  }
}
