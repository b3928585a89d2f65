// Range predicates of the baseline options (the checks are core's checkNumberOption and withLossDefaults).

export const nonNeg = (x: number) => x >= 0;
export const ratio01 = (x: number) => x >= 0 && x <= 1;
