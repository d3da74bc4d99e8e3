// An operation count for scaling tests, independent of how the code under test is written: every
// Set.prototype.has / Map.prototype.has / Map.prototype.get call made while `fn` runs is counted,
// and going over the budget throws at once (a quadratic loop fails in milliseconds instead of
// running for minutes). Only JavaScript calls go through these properties (V8's own uses do not).
export class LookupBudgetExceeded extends Error {}

function install(budget: number): { count: () => number; restore: () => void } {
  const setHas = Set.prototype.has;
  const mapHas = Map.prototype.has;
  const mapGet = Map.prototype.get;
  let lookups = 0;
  const tick = () => {
    if (++lookups > budget) throw new LookupBudgetExceeded(`more than ${budget} Set/Map lookups`);
  };
  Set.prototype.has = function (this: Set<unknown>, v: unknown) {
    tick();
    return setHas.call(this, v);
  };
  Map.prototype.has = function (this: Map<unknown, unknown>, k: unknown) {
    tick();
    return mapHas.call(this, k);
  };
  Map.prototype.get = function (this: Map<unknown, unknown>, k: unknown) {
    tick();
    return mapGet.call(this, k);
  };
  return {
    count: () => lookups,
    restore: () => {
      Set.prototype.has = setHas;
      Map.prototype.has = mapHas;
      Map.prototype.get = mapGet;
    },
  };
}

export function countLookups<T>(budget: number, fn: () => T): { result: T; lookups: number } {
  const c = install(budget);
  try {
    const result = fn();
    return { result, lookups: c.count() };
  } finally {
    c.restore();
  }
}

/** countLookups for async work: counted until the promise settles (whatever else runs meanwhile counts too). */
export async function countLookupsAsync<T>(budget: number, fn: () => Promise<T>): Promise<{ result: T; lookups: number }> {
  const c = install(budget);
  try {
    const result = await fn();
    return { result, lookups: c.count() };
  } finally {
    c.restore();
  }
}
