// Seeded randomness: xoshiro128** with checkpointable state, and stable per-purpose seeds.
export { Rng, type RngState } from "./xoshiro.js";
export { deriveSeed, fnv1a32 } from "./derive-seed.js";
