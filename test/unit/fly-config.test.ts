import { describe, expect, it } from 'vitest';
import { tomlApp } from '../../src/tools/fly.js';
import { table } from '../helpers/cases.js';

describe('fly.toml: the top-level app, as a TOML parser reads it', () => {
  table((text) => JSON.stringify(text), [
    ['app = "shop-prod"\n', 'shop-prod'],
    ["app = 'shop-prod' # the live one\n", 'shop-prod'],
    ['app = """\nshop-prod"""\n', 'shop-prod'],
    ['"app" = "shop\\u002dprod"\n', 'shop-prod'],
    ['primary_region = "ams"\n\n[build]\napp = "not-the-app"\n', undefined],
    ['[env]\nAPP = "x"\n', undefined],
    ['app = 42\n', undefined],
    ['\uFEFFapp = "bom-app"\n', 'bom-app'],
  ], tomlApp);

  it.each(['app = "unterminated\n', 'app = "a"\napp = "b"\n', '[[[\n'])('throws on a file flyctl could not read either: %j', (text) => {
    expect(() => tomlApp(text)).toThrow();
  });
});
