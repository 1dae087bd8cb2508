// What `persomux run` loads: the router's modules and nothing of the other
// commands. The data server (PKCS#11 among it), the simulator and the size
// model have no business in the router's memory (issue 13 item 5; README,
// "The router's cost per request"). main.ts loads each command's modules
// only when it runs; this follows every static import from the `run`
// command, as the router process does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const SRC = resolve('src');
const NOT_IN_THE_ROUTER = { folders: ['dataserver', 'sim', 'size'], packages: ['pkcs11js', 'onoff'] };

/** Static runtime imports (`import ... from`, `export ... from`, `import 'x'`), not `import type`; dynamic ones load on demand. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)) if (!m[2]) specs.push(m[3]!);
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) specs.push(m[1]!);
  return specs;
}

/** Every source file and package the entry loads, each with the chain of imports that brings it in. */
function loads(entry: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (file: string, chain: string[]) => {
    const name = relative(SRC, file);
    if (found.has(name)) return;
    found.set(name, [...chain, name]);
    for (const spec of staticImports(file)) {
      if (!spec.startsWith('.')) {
        if (!found.has(spec)) found.set(spec, [...chain, name, spec]);
        continue;
      }
      const path = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      if (existsSync(path)) walk(path, [...chain, name]);
    }
  };
  walk(entry, []);
  return found;
}

test('persomux run loads no data server, simulator, size model, PKCS#11 or GPIO package', () => {
  const loaded = loads(resolve(SRC, 'cli/run.ts'));
  const bad = [...loaded].filter(([name]) => NOT_IN_THE_ROUTER.folders.some((f) => name.startsWith(`${f}/`)) || NOT_IN_THE_ROUTER.packages.includes(name));
  assert.equal(bad.map(([, chain]) => chain.join(' -> ')), []);
});

test('persomux run loads prom-client only at the first scrape of /metrics (src/http/metrics.ts)', () => {
  const loaded = loads(resolve(SRC, 'cli/run.ts'));
  assert.ok(loaded.has('http/metrics.ts'), 'the tallies are there from the start');
  assert.equal([...loaded].filter(([name]) => name === 'prom-client' || name.startsWith('prom-client/')).map(([, chain]) => chain.join(' -> ')), []);
  assert.ok(loads(resolve(SRC, 'http/metrics-registry.ts')).has('prom-client'), 'the registry module, loaded on demand, brings it');
});

test('the check itself sees what a command loads: `persomux dataserver` reaches the data server and PKCS#11', () => {
  const loaded = loads(resolve(SRC, 'cli/dataserver.ts'));
  assert.ok([...loaded.keys()].some((name) => name.startsWith('dataserver/')), 'the data server command loads dataserver/');
  assert.ok(loaded.has('pkcs11js'), 'and pkcs11js');
  const router = loads(resolve(SRC, 'cli/run.ts'));
  assert.ok(router.has('router/router.ts') && router.has('serialport'), 'the router command loads the router and serialport');
});

test.run();
