// gh through the real shim, with a recording double standing in for the GitHub CLI. The repository
// comes from the git remotes of the working directory, as gh reads them.

import { beforeEach, describe, expect, it } from 'vitest';
import { makeSandbox, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox(['gh']);
  sb.double('gh', { stdout: 'done\n' });
  sb.write('work/.git/HEAD', 'ref: refs/heads/main\n');
  sb.write('work/.git/config', '[remote "origin"]\n\turl = git@github.com:acme/shop.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n');
  sb.write('home/.config/gh/config.yml', 'aliases:\n    rd: repo delete --yes\n');
  sb.write('home/.config/gh/hosts.yml', 'github.com:\n    user: octocat\n    oauth_token: gho_SECRET\n');
  sb.write('home/.config/chaperone/rules.yaml', 'targets:\n  github-repo:\n    me/sandbox: development\n');
});

describe('gh through the shim, with no terminal (an agent)', () => {
  it('refuses deleting the current repository, unknown until mapped, naming the remote it came from', async () => {
    const result = await sb.run('gh', ['repo', 'delete', '--yes']);
    expect(result.exitCode).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('chaperone: refused: gh repo delete --yes');
    expect(result.stderr).toContain('gh.repo.delete');
    expect(result.stderr).toContain('acme/shop (unknown)');
    expect(result.stderr).toContain('remote.origin.url = git@github.com:acme/shop.git');
    expect(result.stderr).not.toContain('SECRET');
    expect(sb.record('gh')).toBeUndefined();
  });

  it('expands an alias from config.yml before matching', async () => {
    const result = await sb.run('gh', ['rd', 'acme/shop']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('gh.repo.delete');
    expect(result.stderr).toContain('gh repo delete --yes acme/shop');
    expect(sb.record('gh')).toBeUndefined();
  });

  it('runs a release delete on a repository mapped to development, with a one-line notice', async () => {
    const args = ['release', 'delete', 'v1.0.0', '-R', 'me/sandbox', '--yes'];
    const result = await sb.run('gh', args);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('done\n');
    expect(result.stderr).toBe('chaperone: gh.release.delete in me/sandbox (development): allowed\n');
    expect(sb.record('gh')?.argv).toEqual(args);
  });

  it('refuses an API DELETE on the repository the endpoint names', async () => {
    const result = await sb.run('gh', ['api', '-X', 'DELETE', 'repos/acme/shop/git/refs/heads/main']);
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain('gh.api.delete');
    expect(result.stderr).toContain('argument gh api endpoint: repos/acme/shop/git/refs/heads/main');
    expect(sb.record('gh')).toBeUndefined();
  });

  it('passes a read-only command through untouched', async () => {
    const result = await sb.run('gh', ['pr', 'list', '--state', 'open']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(sb.record('gh')?.argv).toEqual(['pr', 'list', '--state', 'open']);
  });
});
