// Kubeconfig files for tests, written as kubectl itself writes them: a cluster and a user per context.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ContextSpec {
  name: string;
  cluster?: string;
  server?: string;
  namespace?: string;
}

/** Every context's user carries this token: it must never show up in chaperone's output. */
export const kubeToken = 'kube-SECRET-token-0000';

export function kubeconfigYaml(spec: { current?: string; contexts: ContextSpec[] }): string {
  const clusterOf = (c: ContextSpec) => c.cluster ?? c.name;
  const lines = ['apiVersion: v1', 'kind: Config', 'preferences: {}'];
  if (spec.current !== undefined) lines.push(`current-context: ${spec.current}`);
  lines.push('clusters:');
  for (const c of spec.contexts) {
    lines.push(`- name: ${clusterOf(c)}`, '  cluster:', `    server: ${c.server ?? `https://${clusterOf(c)}.example.com:6443`}`);
  }
  lines.push('contexts:');
  for (const c of spec.contexts) {
    lines.push(`- name: ${c.name}`, '  context:', `    cluster: ${clusterOf(c)}`, `    user: ${c.name}-user`);
    if (c.namespace) lines.push(`    namespace: ${c.namespace}`);
  }
  lines.push('users:');
  for (const c of spec.contexts) lines.push(`- name: ${c.name}-user`, '  user:', `    token: ${kubeToken}`);
  return `${lines.join('\n')}\n`;
}

export function writeKubeconfig(path: string, spec: { current?: string; contexts: ContextSpec[] }): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfigYaml(spec));
  return path;
}
