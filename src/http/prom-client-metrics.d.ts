// prom-client's default metrics, one module each (no typings of their own):
// each registers its metric on a registry (default-metrics.ts).
declare module 'prom-client/lib/metrics/*.js' {
  import type { Registry } from 'prom-client';
  const register: (registry: Registry, config: { register: Registry; eventLoopMonitoringPrecision: number }) => void;
  export default register;
}
