// Barrel for core's token selection utilities (top-k with the ALGORITHMS §5.6 tie rule, quantiles).
export { argLargestK, argSmallestK, type TopKOptions } from "./top-k.js";
export { quantiles } from "./quantile.js";
