// The import graph, asserted: the core (wire, secure, dispatch) and the
// machines and status model stay pure. Nothing they load, directly or
// through another module, opens a port, a socket, a file or a timer, or
// belongs to an edge. Type-only imports load nothing and are allowed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve('src');
const PURE = ['wire', 'secure', 'dispatch', 'machines', 'status'];
const EDGE_FOLDERS = ['links', 'lines', 'router', 'peers', 'http', 'panel', 'timers', 'dataserver', 'cli', 'sim', 'journal', 'box'];
const EDGE_FILES = ['serial-port.ts'];
/** Packages and Node modules that open ports, sockets, files, processes or timers. */
const EDGE_PACKAGES = ['serialport', 'node-cron', 'onoff', 'prom-client', 'unix-dgram', 'pkcs11js', 'node:net', 'node:http', 'node:https', 'node:fs', 'node:fs/promises', 'node:dgram', 'node:child_process', 'node:timers', 'node:timers/promises', 'node:tty'];
const TIMER_CALL = /\b(setTimeout|setInterval|setImmediate)\s*\(/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Runtime imports of a file: `import x from`, `export ... from`, `import 'x'`, `import('x')`; not `import type`. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)) if (!m[2]) specs.push(m[3]!);
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) specs.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) specs.push(m[1]!);
  return specs;
}

function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const path = resolve(dirname(from), spec.replace(/\.js$/, '.ts'));
  return existsSync(path) ? path : undefined;
}

const isEdgeFile = (file: string): boolean => {
  const rel = relative(SRC, file);
  return EDGE_FOLDERS.includes(rel.split('/')[0]!) || EDGE_FILES.includes(rel);
};

/** What a pure file reaches that it must not, with the chain that leads there. */
function violations(start: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    const here = [...chain, relative(SRC, file)];
    if (isEdgeFile(file)) return void found.push(here.join(' -> '));
    if (TIMER_CALL.test(readFileSync(file, 'utf8'))) found.push(`${here.join(' -> ')} (calls a timer)`);
    for (const spec of runtimeImports(file)) {
      if (EDGE_PACKAGES.includes(spec)) found.push(`${here.join(' -> ')} -> ${spec}`);
      const local = resolveLocal(file, spec);
      if (local) walk(local, here);
    }
  };
  walk(start, []);
  return found;
}

for (const folder of PURE) {
  test(`${folder}/ reaches no edge, port, socket, file or timer`, () => {
    const dir = join(SRC, folder);
    if (!existsSync(dir)) return;
    const bad = files(dir).flatMap(violations);
    assert.equal([...new Set(bad)], []);
  });
}

test('the check itself finds an edge: router/ reaches links/ and serialport', () => {
  const bad = violations(join(SRC, 'router/router.ts'));
  assert.ok(bad.some((v) => v.startsWith('router/router.ts')), 'router is an edge file');
  const line = violations(join(SRC, 'wire/frame.ts'));
  assert.equal(line, []);
});

test('no cycle between secure/ and links/: the Channel lives in secure/', () => {
  const fromSecure = files(join(SRC, 'secure')).flatMap((f) => runtimeImports(f).concat(readFileSync(f, 'utf8').match(/from '([^']+)'/g) ?? []));
  assert.not.ok(fromSecure.some((s) => s.includes('/links/')), 'secure/ imports nothing from links/, not even types');
});

test.run();
