// Barrel for core's rng (filled by the issue that builds it).
export {};
