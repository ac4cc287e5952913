import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The monorepo's own rules, checked: every package depends on @ebpf/isa, dependencies form no
 * cycle, tsconfig references mirror dependencies, core packages import nothing from node:, and
 * every package has the same manifest shape.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = join(ROOT, 'packages');

interface Manifest {
  name: string;
  version: string;
  type?: string;
  sideEffects?: boolean;
  files?: string[];
  engines?: Record<string, string>;
  exports?: Record<string, Record<string, string>>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const dirs = readdirSync(PACKAGES).filter((d) => existsSync(join(PACKAGES, d, 'package.json')));
const manifests = new Map(
  dirs.map((d) => [
    d,
    JSON.parse(readFileSync(join(PACKAGES, d, 'package.json'), 'utf8')) as Manifest,
  ]),
);
const internal = (deps: Record<string, string> = {}) =>
  Object.keys(deps).filter((n) => n.startsWith('@ebpf/'));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('workspace', () => {
  it.each(dirs)('%s depends on @ebpf/isa (unless it is @ebpf/isa)', (dir) => {
    const m = manifests.get(dir)!;
    if (m.name === '@ebpf/isa') expect(internal(m.dependencies)).toEqual([]);
    else expect(m.dependencies?.['@ebpf/isa']).toBe('workspace:^');
  });

  it('has no dependency cycles, counting devDependencies', () => {
    const byName = new Map([...manifests.values()].map((m) => [m.name, m]));
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, path: string[]) => {
      if (state.get(name) === 'done') return;
      expect(state.get(name), `cycle: ${[...path, name].join(' -> ')}`).not.toBe('visiting');
      state.set(name, 'visiting');
      const m = byName.get(name)!;
      for (const dep of [...internal(m.dependencies), ...internal(m.devDependencies)]) {
        visit(dep, [...path, name]);
      }
      state.set(name, 'done');
    };
    for (const name of byName.keys()) visit(name, []);
  });

  it.each(dirs)('%s: tsconfig references mirror its dependencies', (dir) => {
    const m = manifests.get(dir)!;
    const tsconfig = JSON.parse(readFileSync(join(PACKAGES, dir, 'tsconfig.json'), 'utf8'));
    const refs = (tsconfig.references ?? []).map((r: { path: string }) => r.path).sort();
    const deps = internal(m.dependencies)
      .map((n) => `../${n.slice('@ebpf/'.length)}`)
      .sort();
    expect(refs).toEqual(deps);
  });

  it.each(dirs)('%s has the common manifest shape', (dir) => {
    const m = manifests.get(dir)!;
    expect(m.name).toBe(`@ebpf/${dir}`);
    expect(m.type).toBe('module');
    expect(m.sideEffects).toBe(false);
    expect(m.files).toContain('dist');
    expect(m.engines?.node).toBeDefined();
    expect(Object.keys(m.exports?.['.'] ?? {})).toEqual(['source', 'types', 'default']);
    expect(existsSync(join(PACKAGES, dir, 'README.md'))).toBe(true);
  });

  it.each(dirs.filter((d) => d !== 'cli'))('%s imports nothing from node: in src', (dir) => {
    for (const file of sourceFiles(join(PACKAGES, dir, 'src'))) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from\s+['"]node:|require\(\s*['"]node:/);
    }
  });

  it('lists every package in the root tsconfig references', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'));
    const refs = root.references.map((r: { path: string }) => r.path).sort();
    expect(refs).toEqual(dirs.map((d) => `packages/${d}`).sort());
  });
});
