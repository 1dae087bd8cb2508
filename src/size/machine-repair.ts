// The closed finite-source queue M/M/c//N (the "machine-repair" model): N
// sources (stations), each away from the servers for an exponential time of
// rate lambda (its own work on the card), then queueing for one of c
// identical servers (slots) of rate mu. A station waits for its answer
// before it goes on, so the load falls as the queue grows: an open Poisson
// queue would overstate the waits.
//
//   p(n) = p(n-1) (N-n+1) lambda / (min(n,c) mu),   n = 1..N, normalised.
//
// The terms are kept as logarithms and scaled by the largest before
// exponentiation, so no factorial and no power ever overflows (N in the
// thousands is fine).

export interface MachineRepairInput {
  /** Sources (stations). */
  readonly n: number;
  /** Servers (slots in total). */
  readonly c: number;
  /** Rate at which one idle source sends work, per second (1 / its own time per request). */
  readonly lambda: number;
  /** Service rate of one server, per second (1 / mean service time). */
  readonly mu: number;
}

export interface MachineRepairResult {
  /** p[n]: probability that n sources are at the servers (waiting or served). */
  readonly p: readonly number[];
  readonly p0: number;
  /** Mean number of sources at the servers. */
  readonly l: number;
  /** Mean number waiting for a server (not yet served). */
  readonly lq: number;
  /** Throughput: requests served per second. */
  readonly x: number;
  /** Share of the c servers that is busy. */
  readonly utilisation: number;
  /** Mean time a request spends at the servers, waiting and served (s), by Little's law. */
  readonly responseS: number;
  /** Mean time a request waits for a free server (s). */
  readonly waitS: number;
}

export class ModelInputError extends Error {
  constructor(readonly field: string, reason: string) {
    super(`${field}: ${reason}`);
  }
}

function check(input: MachineRepairInput): void {
  if (!Number.isInteger(input.n) || input.n < 1) throw new ModelInputError('stations', `must be a whole number of at least 1, got ${input.n}`);
  if (!Number.isInteger(input.c) || input.c < 1) throw new ModelInputError('servers', `must be a whole number of at least 1, got ${input.c}`);
  if (!(input.lambda > 0) || !Number.isFinite(input.lambda)) throw new ModelInputError('lambda', `must be a positive rate, got ${input.lambda}`);
  if (!(input.mu > 0) || !Number.isFinite(input.mu)) throw new ModelInputError('mu', `must be a positive rate, got ${input.mu}`);
}

export function machineRepair(input: MachineRepairInput): MachineRepairResult {
  check(input);
  const { n: sources, c, lambda, mu } = input;
  const logTerms = [0];
  for (let n = 1; n <= sources; n++) logTerms.push(logTerms[n - 1]! + Math.log(((sources - n + 1) * lambda) / (Math.min(n, c) * mu)));
  const top = Math.max(...logTerms);
  const scaled = logTerms.map((t) => Math.exp(t - top));
  const sum = scaled.reduce((a, b) => a + b, 0);
  const p = scaled.map((t) => t / sum);
  let l = 0;
  let lq = 0;
  let busy = 0;
  p.forEach((pn, n) => {
    l += n * pn;
    lq += Math.max(0, n - c) * pn;
    busy += Math.min(n, c) * pn;
  });
  const x = busy * mu;
  return { p, p0: p[0]!, l, lq, x, utilisation: busy / c, responseS: l / x, waitS: lq / x };
}
