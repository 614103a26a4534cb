// `.env` files, read the way the `dotenv` package reads them (which Prisma, drizzle configs, knexfiles,
// pipenv and django-environ all rely on): `KEY=value` or `export KEY=value`, values in single, double or
// back quotes (double quotes expand \n), `#` comments after a blank, and a later key overriding an
// earlier one. `${NAME}` and `$NAME` are expanded as dotenv-expand does: from the process environment
// first, then from the file. A variable already in the environment always wins over the file; the
// callers apply that rule (see variableFrom).

import { displayPath, readTextIfExists } from '../context/files.js';
import type { Evidence } from '../model.js';

/** dotenv's own line grammar (motdotla/dotenv, lib/main.js). */
const line = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/\r\n?/gm, '\n');
  line.lastIndex = 0;
  for (let match = line.exec(lines); match !== null; match = line.exec(lines)) {
    if (match[0] === '') {
      line.lastIndex++;
      continue;
    }
    let value = (match[2] ?? '').trim();
    const quote = value[0];
    value = value.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
    if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    out[match[1]] = value;
  }
  return out;
}

/** `${NAME}`, `${NAME:-default}` and `$NAME` in a value, from the environment first, then the file. */
export function expandValue(value: string, env: NodeJS.ProcessEnv, file: Record<string, string>, depth = 0): string {
  if (depth > 8 || !value.includes('$')) return value;
  return value.replace(/(\\)?\$(?:\{([A-Za-z_][\w]*)(?::?-([^}]*))?\}|([A-Za-z_][\w]*))/g, (whole, escaped: string | undefined, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    if (escaped) return whole.slice(1);
    const name = braced ?? bare ?? '';
    const found = env[name] ?? (Object.hasOwn(file, name) ? expandValue(file[name], env, file, depth + 1) : undefined);
    return found ?? fallback ?? '';
  });
}

export interface DotenvFile {
  path: string;
  values: Record<string, string>;
}

/** The .env files that exist among `paths`, read; one that cannot be read is reported, not skipped. */
export function readDotenvFiles(paths: readonly string[]): { files: DotenvFile[]; problems: { path: string; why: string }[] } {
  const files: DotenvFile[] = [];
  const problems: { path: string; why: string }[] = [];
  for (const path of [...new Set(paths)]) {
    try {
      const text = readTextIfExists(path);
      if (text !== undefined) files.push({ path, values: parseDotenv(text) });
    } catch (error) {
      problems.push({ path, why: (error as Error).message.split('\n')[0] });
    }
  }
  return { files, problems };
}

/**
 * Every value a variable may have for a tool that loads these .env files: the environment's alone when
 * it is set there (no loader overrides it), else each file's that sets it. Each comes with its evidence.
 */
export function variableFrom(name: string, env: NodeJS.ProcessEnv, files: readonly DotenvFile[]): { value: string; from: Evidence }[] {
  const own = env[name];
  if (own !== undefined && own !== '') return [{ value: own, from: { source: 'env', key: name, value: own } }];
  const out: { value: string; from: Evidence }[] = [];
  for (const file of files) {
    if (!Object.hasOwn(file.values, name)) continue;
    const value = expandValue(file.values[name], env, file.values);
    if (value === '' || out.some((o) => o.value === value)) continue;
    out.push({ value, from: { source: 'file', key: name, value, file: displayPath(file.path, env) } });
  }
  return out;
}
