// Barrel for core's token selection utilities (top-k with the docs/algorithms.md §5.6 tie rule, quantiles).
export { argKByThreshold, argLargestK, argSmallestK, kthRank, type TopKOptions } from "./top-k.js";
export { nthElement, selectRanks } from "./nth-element.js";
export { quantileRanks, quantiles, quantilesOfRankValues, quantilesOfSelected } from "./quantile.js";
export { rankValues } from "./rank-values.js";
