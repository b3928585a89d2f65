// The metadata one publishable package must carry, derived from where it sits in the repository.
import { REPOSITORY } from "./workspace.mjs";

/** Node versions we support: 20.x from 20.19 (require() of ES modules on by default), and every later major. */
export const NODE_ENGINES = ">=20.19.0";

const BASE_KEYWORDS = ["sentrl", "reinforcement-learning", "rlvr", "llm", "reasoning"];

/** Extra keywords per package, by folder name. */
const KEYWORDS = {
  core: ["grpo", "policy-loss", "plugins"],
  generators: ["generation", "openai", "vllm", "sglang"],
  testing: ["testing", "toy-task"],
  compute: ["backend", "kernels", "cpu"],
  "compute-native": ["avx2", "avx512", "gemm", "n-api"],
  "compute-cuda": ["cuda", "gpu", "kernels"],
  model: ["transformer", "qwen2", "safetensors", "tokenizer", "sampling"],
  "semantic-entropy": ["semantic-entropy", "clustering", "uncertainty"],
  curriculum: ["curriculum", "semantic-entropy", "parquet"],
  "token-entropy-kl": ["sent", "entropy", "kl-divergence"],
  "entropy-baselines": ["entropy", "clip-cov", "kl-cov"],
  evaluators: ["math", "answer-checking", "pass-at-k", "benchmarks"],
  sentrl: ["cli"],
};

/** Files a tarball holds (besides package.json, which npm always adds): the build, docs and license. */
export function publishedFiles(folder) {
  if (folder === "compute-native")
    return ["dist", "binding.gyp", "scripts", "src/native", "prebuilds", "README.md", "LICENSE", "CHANGELOG.md"];
  if (folder === "compute-cuda") return ["dist", "kernels", "README.md", "LICENSE", "CHANGELOG.md"];
  if (folder === "sentrl") return ["bin", "dist", "README.md", "LICENSE", "CHANGELOG.md"];
  return ["dist", "README.md", "LICENSE", "CHANGELOG.md"];
}

export function expectedMetadata(pkg) {
  const folder = pkg.rel.split("/").pop();
  return {
    keywords: [...BASE_KEYWORDS, ...(KEYWORDS[folder] ?? [])],
    license: "Apache-2.0",
    homepage: `${REPOSITORY.url}/tree/${REPOSITORY.branch}/${pkg.rel}#readme`,
    bugs: { url: REPOSITORY.issues },
    repository: { type: "git", url: `git+${REPOSITORY.url}.git`, directory: pkg.rel },
    engines: { node: NODE_ENGINES },
  };
}
