/** @sentrl/entropy-baselines: Entropy-control baselines as sentrl policy losses: KL-Cov, Clip-Cov, 80/20 high-entropy mask, entropy advantage. */
export {};
