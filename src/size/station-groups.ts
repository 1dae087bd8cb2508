// The machine-repair model with stations of different speeds: groups of
// stations, each group with its own rate of sending work, in front of the
// same c servers. The model is still a product-form closed network (BCMP: an
// infinite-server stage for the stations' own work, a first-come first-served
// multi-server stage with one exponential service rate for all), so its
// stationary distribution over the vector n = (n_1..n_G) of stations of each
// group at the servers is, normalised,
//
//   w(n) = n! / beta(n) * prod_g C(N_g, n_g) rho_g^n_g,   rho_g = lambda_g / mu,
//   beta(n) = prod_{i=1..n} min(i, c),   n = sum_g n_g.
//
// With one group this is the recurrence of machine-repair.ts. The states are
// enumerated (prod_g (N_g + 1) of them), in logarithms like there.
import { machineRepair, ModelInputError } from './machine-repair.js';

export interface StationGroup {
  readonly count: number;
  /** Rate at which one idle station of the group sends work, per second. */
  readonly lambda: number;
}

export interface GroupResult {
  /** Requests served per second, per group (same order as the input). */
  readonly xByGroup: readonly number[];
  readonly x: number;
  readonly l: number;
  readonly lq: number;
  readonly utilisation: number;
  /** Mean wait for a free server, per request (s). */
  readonly waitS: number;
}

/** Beyond this many states the enumeration would be slow: refuse rather than hang. */
export const MAX_STATES = 2_000_000;

export function stationGroups(groups: readonly StationGroup[], c: number, mu: number): GroupResult {
  const live = groups.filter((g) => g.count > 0);
  if (live.length === 0) throw new ModelInputError('stations', 'at least one station is needed');
  if (live.length === 1) {
    const r = machineRepair({ n: live[0]!.count, c, lambda: live[0]!.lambda, mu });
    return { xByGroup: groups.map((g) => (g.count > 0 ? r.x : 0)), x: r.x, l: r.l, lq: r.lq, utilisation: r.utilisation, waitS: r.waitS };
  }
  for (const g of live) machineRepair({ n: g.count, c, lambda: g.lambda, mu }); // checks every input the same way
  const states = live.reduce((s, g) => s * (g.count + 1), 1);
  if (states > MAX_STATES) throw new ModelInputError('stations', `${states} states for ${live.length} groups of stations: use fewer groups`);
  const total = live.reduce((s, g) => s + g.count, 0);
  // log(n!/beta(n)) for every total n.
  const logFactorOverBeta = [0];
  for (let n = 1; n <= total; n++) logFactorOverBeta.push(logFactorOverBeta[n - 1]! + Math.log(n / Math.min(n, c)));
  const logChoose = live.map((g) => {
    const out = [0];
    for (let k = 1; k <= g.count; k++) out.push(out[k - 1]! + Math.log((g.count - k + 1) / k) + Math.log(g.lambda / mu));
    return out; // log(C(N_g, k) rho_g^k)
  });
  const logs: number[] = [];
  const vectors: number[][] = [];
  const n = live.map(() => 0);
  for (let i = 0; i < states; i++) {
    let sum = 0;
    let log = 0;
    n.forEach((k, g) => {
      sum += k;
      log += logChoose[g]![k]!;
    });
    logs.push(log + logFactorOverBeta[sum]!);
    vectors.push([...n]);
    // Next vector, like an odometer.
    for (let g = 0; g < n.length; g++) {
      if (n[g]! < live[g]!.count) {
        n[g]!++;
        break;
      }
      n[g] = 0;
    }
  }
  const top = Math.max(...logs);
  const weights = logs.map((l) => Math.exp(l - top));
  const norm = weights.reduce((a, b) => a + b, 0);
  let l = 0;
  let lq = 0;
  let busy = 0;
  const xLive = live.map(() => 0);
  vectors.forEach((v, i) => {
    const p = weights[i]! / norm;
    const at = v.reduce((a, b) => a + b, 0);
    l += at * p;
    lq += Math.max(0, at - c) * p;
    busy += Math.min(at, c) * p;
    v.forEach((k, g) => (xLive[g]! += (live[g]!.count - k) * live[g]!.lambda * p));
  });
  let j = 0;
  const xByGroup = groups.map((g) => (g.count > 0 ? xLive[j++]! : 0));
  const x = busy * mu;
  return { xByGroup, x, l, lq, utilisation: busy / c, waitS: lq / x };
}
